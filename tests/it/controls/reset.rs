//! The reset control: start-up state, ending waiters and streams, stale tasks.

use super::*;

#[tokio::test]
async fn reset_returns_to_the_start_up_state() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    s.create_ok(
        Some("web"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
    )
    .await;
    s.start_container("web").await;
    let (st, _) = s
        .post(&format!("{BASE}/networks"), json!({"Name": "n1"}))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = s
        .post(&format!("{BASE}/volumes"), json!({"Name": "v1"}))
        .await;
    assert_eq!(st, StatusCode::CREATED);

    let r = s.call(Method::POST, &format!("{MEM}/reset"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

    let (_, list) = s.get(&format!("{BASE}/containers?all=1")).await;
    assert_eq!(list, json!([]));
    let (_, nets) = s.get(&format!("{BASE}/networks")).await;
    let mut names: Vec<String> = nets
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["Name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["bridge", "host", "none"]);
    let (_, images) = s.get(&format!("{BASE}/images")).await;
    assert_eq!(images, json!([]));
    let (_, vols) = s.get(&format!("{BASE}/volumes")).await;
    assert_eq!(vols["Volumes"], json!([]));
    // The name is free again.
    s.pull("alpine").await;
    s.create_ok(Some("web"), json!({"Image": "alpine"})).await;
    // Wrong method.
    let r = s.call(Method::GET, &format!("{MEM}/reset"), None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn reset_ends_waiters_log_followers_attaches_and_execs() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    s.create_ok(
        Some("live"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
    )
    .await;
    s.start_container("live").await;
    let mut waiter = s
        .ws(&format!(
            "{BASE}/containers/live/wait?condition=not-running"
        ))
        .await;
    let mut follower = s
        .ws(&format!(
            "{BASE}/containers/live/logs/stream?stdout=1&stderr=1"
        ))
        .await;
    let mut attach = s
        .ws(&format!(
            "{BASE}/containers/live/attach?stream=1&stdout=1&stderr=1"
        ))
        .await;
    let (st, v) = s
        .post(
            &format!("{BASE}/containers/live/exec"),
            json!({"Cmd": ["sleep", "infinity"]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let exec_id = v["Id"].as_str().unwrap().to_string();
    let mut exec = s.ws(&format!("{BASE}/exec/{exec_id}/start")).await;

    let r = s.call(Method::POST, &format!("{MEM}/reset"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    let w = wait_message(&mut waiter).await;
    assert_eq!(
        w,
        json!({"StatusCode": -1, "Error": {"Message": "the memory backend was reset"}})
    );
    assert_eq!(until_close(&mut follower).await.0, 1000);
    // Attach and exec close normally with no exit code as the reason.
    assert_eq!(until_close(&mut attach).await, (1000, String::new()));
    assert_eq!(until_close(&mut exec).await, (1000, String::new()));
    let (st, _) = s.get(&format!("{BASE}/exec/{exec_id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tasks_of_the_old_state_write_nothing_after_a_reset() {
    // Under one seed the container after the reset gets the *same* ID as the one
    // before, so only the epoch keeps the old process (about to exit) and its
    // pending health check timer from touching it.
    let s = TestServer::with_options(MemoryOptions {
        seed: Some(7),
        ..Default::default()
    })
    .await;
    s.pull("alpine").await;
    let (st, _) = s.post(&format!("{MEM}/seed"), json!({"seed": 99})).await;
    assert_eq!(st, StatusCode::OK);
    let old = s
        .create_ok(
            Some("job"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.run-for": "80ms", "sockerless.memory.exit-code": "5"},
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 20_000_000, "Retries": 1}}),
        )
        .await;
    s.start_container("job").await;
    let r = s.call(Method::POST, &format!("{MEM}/reset"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    s.pull("alpine").await;
    let (st, _) = s.post(&format!("{MEM}/seed"), json!({"seed": 99})).await;
    assert_eq!(st, StatusCode::OK);
    let new = s
        .create_ok(
            Some("job"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 3_600_000_000_000i64}}),
        )
        .await;
    assert_eq!(old, new, "the seed repeats the ID");
    s.start_container("job").await;
    // A witness that outlives the old run-for and several health intervals:
    // once it has exited, the old tasks would have written by now.
    s.create_ok(
        Some("witness"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.run-for": "200ms"}}),
    )
    .await;
    let mut w = s
        .ws(&format!(
            "{BASE}/containers/witness/wait?condition=next-exit"
        ))
        .await;
    s.start_container("witness").await;
    assert_eq!(wait_message(&mut w).await["StatusCode"], 0);

    let st = s.state("job").await;
    assert_eq!(st["Status"], "running", "{st}");
    assert_eq!(st["ExitCode"], 0);
    assert_eq!(st["Health"]["Status"], "starting", "{st}");
    assert_eq!(st["Health"]["Log"], json!([]), "{st}");
}
