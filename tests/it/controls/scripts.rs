//! Script rules: manual scripts, invalid rules, health and SIGTERM behaviour.

use super::*;

#[tokio::test]
async fn a_manual_script_runs_until_told_to_exit() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    let (st, rule) = s
        .post(
            &format!("{MEM}/scripts"),
            json!({"image": "alp*", "command": "worker *", "manual": true,
                   "output": [{"data": "ready\n"}, {"stream": "stderr", "data": "warming\n", "delay": "10ms"}],
                   "exec": [{"command": "check*", "output": [{"data": "ok\n"}], "exit_code": 3}]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rule}");
    let id = rule["id"].as_u64().unwrap();
    s.create_ok(
        Some("w1"),
        json!({"Image": "alpine", "Cmd": ["worker", "--queue", "a"]}),
    )
    .await;
    s.start_container("w1").await;
    let mut follower = s
        .ws(&format!(
            "{BASE}/containers/w1/logs/stream?stdout=1&stderr=1"
        ))
        .await;
    let mut got = Vec::new();
    while got.len() < 2 {
        let msg = tokio::time::timeout(DEADLINE, follower.next())
            .await
            .expect("log in time")
            .expect("message")
            .expect("ok");
        let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        got.push((v["Stream"].clone(), v["Data"].clone()));
    }
    assert_eq!(
        got,
        vec![
            (json!("stdout"), json!("ready\n")),
            (json!("stderr"), json!("warming\n"))
        ]
    );
    assert_eq!(s.state("w1").await["Status"], "running");

    // Exec results per command.
    let (_, e) = s
        .post(
            &format!("{BASE}/containers/w1/exec"),
            json!({"Cmd": ["check", "-v"], "AttachStdout": true}),
        )
        .await;
    let exec_id = e["Id"].as_str().unwrap().to_string();
    let mut ex = s.ws(&format!("{BASE}/exec/{exec_id}/start")).await;
    let first = tokio::time::timeout(DEADLINE, ex.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.into_data().as_ref(), b"\x01ok\n");
    assert_eq!(until_close(&mut ex).await, (1000, "3".into()));

    let mut w = s
        .ws(&format!("{BASE}/containers/w1/wait?condition=not-running"))
        .await;
    let r = s
        .call(
            Method::POST,
            &format!("{MEM}/containers/w1/exit?code=7"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(wait_message(&mut w).await["StatusCode"], 7);
    assert_eq!(until_close(&mut follower).await.0, 1000);
    let r = s
        .call(
            Method::POST,
            &format!("{MEM}/containers/w1/exit?code=1"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // List, replace, delete.
    let (_, list) = s.get(&format!("{MEM}/scripts")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = s
        .call(
            Method::PUT,
            &format!("{MEM}/scripts/{id}"),
            Some(json!({"command": "worker *", "exit_code": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    s.create_ok(
        Some("w2"),
        json!({"Image": "alpine", "Cmd": ["worker", "x"]}),
    )
    .await;
    let mut w = s
        .ws(&format!("{BASE}/containers/w2/wait?condition=next-exit"))
        .await;
    s.start_container("w2").await;
    assert_eq!(wait_message(&mut w).await["StatusCode"], 4);
    // Labels win over rules.
    s.create_ok(Some("w3"),
        json!({"Image": "alpine", "Cmd": ["worker", "x"], "Labels": {"sockerless.memory.exit-code": "9"}}),
    )
    .await;
    let mut w = s
        .ws(&format!("{BASE}/containers/w3/wait?condition=next-exit"))
        .await;
    s.start_container("w3").await;
    assert_eq!(wait_message(&mut w).await["StatusCode"], 9);
    let r = s
        .call(Method::DELETE, &format!("{MEM}/scripts/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let (st, _) = s.get(&format!("{MEM}/scripts/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_script_rules_are_400() {
    let s = TestServer::start().await;
    for bad in [
        json!({"command_regex": "("}),
        json!({"image": "a", "image_regex": "b"}),
        json!({"manual": true, "run_for": "1s"}),
        json!({"health": ["sick"]}),
        json!({"output": [{"stream": "stdin", "data": "x"}]}),
        json!({"run_for": "forever"}),
        json!({"colour": "red"}),
    ] {
        let (st, v) = s.post(&format!("{MEM}/scripts"), bad.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    let (_, list) = s.get(&format!("{MEM}/scripts")).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn script_health_results_and_sigterm_behaviour() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    let (st, _) = s
        .post(
            &format!("{MEM}/scripts"),
            json!({"command": "svc", "health": ["unhealthy", "healthy"], "sigterm_exit_code": 0}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    s.create_ok(
        Some("svc"),
        json!({"Image": "alpine", "Cmd": ["svc"],
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 10_000_000, "Retries": 1}}),
    )
    .await;
    s.start_container("svc").await;
    eventually(DEADLINE, || async {
        let h = s.state("svc").await["Health"]["Status"].clone();
        (h == "healthy").then_some(())
    })
    .await;
    let log = s.state("svc").await["Health"]["Log"].clone();
    assert_eq!(log[0]["ExitCode"], 1, "{log}");
    assert_eq!(log[1]["ExitCode"], 0, "{log}");
    let (st, _) = s.post_empty(&format!("{BASE}/containers/svc/stop")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.state("svc").await["ExitCode"], 0);
}
