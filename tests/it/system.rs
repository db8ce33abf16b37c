//! Black-box tests of `info` and `version`: counts from live state.

use crate::common::*;
use http::StatusCode;
use serde_json::{json, Value};

async fn info(server: &TestServer) -> Value {
    let (status, body) = server.get(&format!("{BASE}/info")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn counts(info: &Value) -> [i64; 5] {
    [
        info["Containers"].as_i64().unwrap(),
        info["ContainersRunning"].as_i64().unwrap(),
        info["ContainersPaused"].as_i64().unwrap(),
        info["ContainersStopped"].as_i64().unwrap(),
        info["Images"].as_i64().unwrap(),
    ]
}

async fn create(server: &TestServer, cmd: Value) -> String {
    server
        .create_ok(None, json!({"Image": "alpine", "Cmd": cmd}))
        .await
}

async fn ok(server: &TestServer, path: &str) {
    let (status, body) = server
        .post_empty(&format!("{BASE}/containers/{path}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{path}: {body}");
}

#[tokio::test]
async fn info_counts_live_state() {
    let server = TestServer::start().await;
    let i = info(&server).await;
    assert_eq!(counts(&i), [0, 0, 0, 0, 0]);
    assert_eq!(i["OSType"], "linux");
    assert_eq!(i["ServerVersion"], "25.0.0");
    assert_eq!(i["Swarm"]["LocalNodeState"], "inactive");
    assert_eq!(i["SecurityOptions"], json!([]));
    assert_eq!(i["DefaultRuntime"], "runc");
    assert!(i["Runtimes"]["runc"].is_object());
    assert!(i["NCPU"].as_i64().unwrap() >= 1);
    assert!(!i["ID"].as_str().unwrap().is_empty());

    for image in ["alpine", "busybox"] {
        let (status, _) = server
            .post_empty(&format!("{BASE}/images/pull?fromImage={image}"))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(counts(&info(&server).await), [0, 0, 0, 0, 2]);

    let created = create(&server, json!(["sleep", "infinity"])).await;
    let running = create(&server, json!(["sleep", "infinity"])).await;
    let paused = create(&server, json!(["sleep", "infinity"])).await;
    let exited = create(&server, json!(["sleep", "infinity"])).await;
    for id in [&running, &paused, &exited] {
        ok(&server, &format!("{id}/start")).await;
    }
    ok(&server, &format!("{paused}/pause")).await;
    ok(&server, &format!("{exited}/kill")).await;
    assert_eq!(counts(&info(&server).await), [4, 1, 1, 2, 2]);

    ok(&server, &format!("{paused}/unpause")).await;
    assert_eq!(counts(&info(&server).await), [4, 2, 0, 2, 2]);
    ok(&server, &format!("{created}/start")).await;
    assert_eq!(counts(&info(&server).await), [4, 3, 0, 1, 2]);
    let (status, _) = server
        .delete(&format!("{BASE}/containers/{running}?force=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(counts(&info(&server).await), [3, 2, 0, 1, 2]);
    let (status, _) = server.delete(&format!("{BASE}/images/busybox")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts(&info(&server).await), [3, 2, 0, 1, 1]);
}

#[tokio::test]
async fn version_reports_api_1_44() {
    let server = TestServer::start().await;
    let (status, v) = server.get(&format!("{BASE}/version")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ApiVersion"], "1.44");
    assert_eq!(v["Version"], "25.0.0");
    assert_eq!(v["MinAPIVersion"], "1.24");
    assert_eq!(v["Os"], "linux");
    assert!(!v["Arch"].as_str().unwrap().is_empty());
    let components = v["Components"].as_array().unwrap();
    assert!(components
        .iter()
        .any(|c| c["Name"] == "sockerless-backend-memory"));
}
