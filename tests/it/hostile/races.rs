//! Round two, defect 2: an exec created while its container is being
//! force-removed must not outlive the container, and the daemon's own state
//! document must always load back.

use http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exec_create_racing_a_force_remove_never_leaves_an_exec_behind() {
    let s = std::sync::Arc::new(TestServer::with_alpine().await);
    let mut created = 0;
    for round in 0..60 {
        let name = format!("race{round}");
        s.run(&name, json!({"Cmd": ["sleep", "infinity"]})).await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let s = s.clone();
            let name = name.clone();
            tasks.push(tokio::spawn(async move {
                s.post(
                    &format!("{BASE}/containers/{name}/exec"),
                    json!({"Cmd": ["true"]}),
                )
                .await
            }));
        }
        let remover = {
            let s = s.clone();
            let name = name.clone();
            tokio::spawn(
                async move { s.delete(&format!("{BASE}/containers/{name}?force=1")).await },
            )
        };
        let (status, body) = remover.await.expect("remove task");
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        for t in tasks {
            let (status, body) = t.await.expect("exec task");
            match status {
                StatusCode::CREATED => {
                    created += 1;
                    let id = body["Id"].as_str().expect("Id");
                    let (status, body) = s.get(&format!("{BASE}/exec/{id}")).await;
                    assert_eq!(
                        status,
                        StatusCode::NOT_FOUND,
                        "exec {id} outlived its container: {body}"
                    );
                }
                StatusCode::NOT_FOUND | StatusCode::CONFLICT => {}
                other => panic!("exec create: {other} {body}"),
            }
        }
        // The state document always loads back.
        let state = s
            .call(Method::GET, &format!("{BASE}/memory/state"), None)
            .await;
        assert_eq!(state.status, StatusCode::OK);
        let back = s
            .call(
                Method::PUT,
                &format!("{BASE}/memory/state"),
                Some(state.json()),
            )
            .await;
        assert_eq!(back.status, StatusCode::NO_CONTENT, "{}", back.text());
    }
    // The race was run, not only the refusals.
    assert!(created > 0);
}
