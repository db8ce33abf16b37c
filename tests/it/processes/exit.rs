//! Simulated process exit statuses, commands, long runners and restarts.

use super::*;

#[tokio::test]
async fn a_script_exits_with_its_status_seen_by_state_wait_and_logs() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "script",
        json!({"Cmd": ["sh", "-c", "echo hello; echo oops >&2; exit 3"]}),
    )
    .await;
    // A waiter registered before start sees the exit.
    let mut waiter = s
        .ws(&format!(
            "{BASE}/containers/script/wait?condition=next-exit"
        ))
        .await;
    s.start_container("script").await;
    let msg = tokio::time::timeout(DEADLINE, waiter.next())
        .await
        .expect("in time")
        .expect("message")
        .expect("ok");
    let v: Value = serde_json::from_str(msg.to_text().expect("text")).expect("json");
    assert_eq!(v, json!({"StatusCode": 3, "Error": null}));

    let st = s.exited("script").await;
    assert_eq!(st["ExitCode"], 3);
    assert_eq!(st["Running"], false);
    assert_eq!(st["Pid"], 0);
    assert_ne!(st["FinishedAt"], "0001-01-01T00:00:00Z");
    assert_eq!(
        s.wait("script", "not-running").await,
        json!({"StatusCode": 3, "Error": null})
    );

    let all = s.logs("script", "stdout=1&stderr=1").await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0]["Stream"], "stdout");
    assert_eq!(all[0]["Data"], "hello\n");
    assert_eq!(all[1]["Stream"], "stderr");
    assert_eq!(all[1]["Data"], "oops\n");
    assert!(all[0]["Time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(data(&s.logs("script", "stdout=1").await), "hello\n");
    assert_eq!(data(&s.logs("script", "stderr=1").await), "oops\n");
    let (status, v) = s.get(&format!("{BASE}/containers/script/logs")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["message"],
        "Bad parameters: you must choose at least one stream"
    );
}

#[tokio::test]
async fn entrypoint_and_cmd_make_the_command() {
    let s = TestServer::with_alpine().await;
    s.run(
        "ep",
        json!({"Entrypoint": ["echo", "from-entrypoint"], "Cmd": ["and", "cmd"]}),
    )
    .await;
    assert_eq!(s.exited("ep").await["ExitCode"], 0);
    assert_eq!(
        data(&s.logs("ep", "stdout=1").await),
        "from-entrypoint and cmd\n"
    );
    let (_, v) = s.get(&format!("{BASE}/containers/ep")).await;
    assert_eq!(v["Path"], "echo");
    assert_eq!(v["Args"], json!(["from-entrypoint", "and", "cmd"]));

    // Env expansion from the container's Env.
    s.run(
        "envy",
        json!({"Env": ["WHO=world"], "Cmd": ["sh", "-c", "echo hello $WHO; false"]}),
    )
    .await;
    assert_eq!(s.exited("envy").await["ExitCode"], 1);
    assert_eq!(data(&s.logs("envy", "stdout=1").await), "hello world\n");
}

#[tokio::test]
async fn long_running_commands_keep_running_until_stopped() {
    let s = TestServer::with_alpine().await;
    let cases = [
        ("sleeper", json!({"Cmd": ["sleep", "infinity"]})),
        ("tailer", json!({"Cmd": ["tail", "-f", "/dev/null"]})),
        ("nginx", json!({"Cmd": ["nginx", "-g", "daemon off;"]})),
        (
            "postgres",
            json!({"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["postgres"]}),
        ),
        ("shell", json!({"Cmd": ["sh"], "OpenStdin": true})),
    ];
    for (name, body) in &cases {
        s.run(name, body.clone()).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    for (name, _) in &cases {
        let st = s.state(name).await;
        assert_eq!(st["Status"], "running", "{name}: {st}");
        assert!(st["Pid"].as_i64().is_some_and(|p| p > 0), "{name}: {st}");
    }
    for (name, _) in &cases {
        let (status, v) = s
            .post_empty(&format!("{BASE}/containers/{name}/stop?t=1"))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{name}: {v}");
        let st = s.state(name).await;
        assert_eq!(st["Status"], "exited", "{name}");
        // The contract: SIGTERM honoured → 128+15.
        assert_eq!(st["ExitCode"], 143, "{name}");
    }
    // A second stop is a no-op.
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/sleeper/stop"))
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn restart_runs_the_command_again() {
    let s = TestServer::with_alpine().await;
    s.run("again", json!({"Cmd": ["sh", "-c", "echo run; exit 2"]}))
        .await;
    s.exited("again").await;
    s.start_container("again").await;
    eventually(DEADLINE, || async {
        let st = s.state("again").await;
        let n = s.logs("again", "stdout=1").await.len();
        (st["Status"] == "exited" && n == 2).then_some(())
    })
    .await;
    assert_eq!(data(&s.logs("again", "stdout=1").await), "run\nrun\n");
    assert_eq!(s.state("again").await["ExitCode"], 2);
}
