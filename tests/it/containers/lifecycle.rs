//! Container lifecycle: start, stop, restart, pause, kill, exit codes and their errors.

use super::*;

#[tokio::test]
async fn whole_lifecycle_with_inspect_after_each_step() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("life")).await;
    let c = server.inspect_container(&id).await;
    assert_state(&c, "created", 0);
    assert_eq!(c["Id"], id);
    assert_eq!(c["Name"], "/life");
    assert_eq!(c["Path"], "sleep");
    assert_eq!(c["Args"], json!(["infinity"]));
    assert_eq!(c["RestartCount"], 0);
    assert_eq!(c["Platform"], "linux");
    assert!(c["Image"].as_str().unwrap().starts_with("sha256:"));
    let (_, image) = server.get(&format!("{BASE}/images/alpine")).await;
    assert_eq!(c["Image"], image["Id"]);

    server.start_container("life").await;
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    let pid = c["State"]["Pid"].clone();

    let (status, _) = op(&server, "life", "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "paused", 0);
    assert_eq!(c["State"]["Pid"], pid);

    let (status, _) = op(&server, "life", "unpause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    assert_eq!(c["State"]["Pid"], pid);

    let (status, _) = op(&server, "life", "stop").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "exited", 143);
    let finished = c["State"]["FinishedAt"].clone();

    server.start_container("life").await;
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    assert_eq!(
        c["State"]["FinishedAt"], finished,
        "FinishedAt keeps the last exit"
    );

    let (status, _) = op(&server, "life", "kill").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "exited", 137);

    let (status, _) = op(&server, "life", "restart").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);

    let (status, _) = op(&server, "life", "restart?t=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c2 = server.inspect_container("life").await;
    assert_state(&c2, "running", 0);
    assert_ne!(c2["State"]["StartedAt"], c["State"]["StartedAt"]);

    let (status, _) = op(&server, "life", "rename?name=life2").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life2").await;
    assert_eq!(c["Name"], "/life2");
    let (status, body) = server.get(&format!("{BASE}/containers/life")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("No such container: life"));

    let (status, body) = remove(&server, "life2", "?force=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = server.get(&format!("{BASE}/containers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message(&format!("No such container: {id}")));
    // The name is free again.
    create_sleeper(&server, Some("life")).await;
    create_sleeper(&server, Some("life2")).await;
}

#[tokio::test]
async fn restart_from_created_and_stop_of_paused() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let (status, _) = op(&server, &id, "restart").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = op(&server, &id, "stop").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container(&id).await;
    assert_eq!(c["State"]["Status"], "exited");
    assert_eq!(c["State"]["Paused"], false);
    assert_eq!(c["State"]["Pid"], 0);
}

#[tokio::test]
async fn simulated_exit_codes() {
    let server = TestServer::with_alpine().await;
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"]}),
        )
        .await;
    let mut ws = wait_ws(&server, &id, "next-exit").await;
    server.start_container(&id).await;
    assert_eq!(
        wait_result(&mut ws).await,
        json!({"StatusCode": 3, "Error": null})
    );
    assert_state(&server.inspect_container(&id).await, "exited", 3);
    // An exited container: start again, it exits again.
    let mut ws = wait_ws(&server, &id, "next-exit").await;
    server.start_container(&id).await;
    assert_eq!(wait_result(&mut ws).await["StatusCode"], 3);
    // An unknown command keeps running.
    let nginx = server
        .create_ok(None, json!({"Image": "alpine", "Cmd": ["nginx"]}))
        .await;
    server.start_container(&nginx).await;
    assert_state(&server.inspect_container(&nginx).await, "running", 0);
}

#[tokio::test]
async fn no_op_statuses_have_no_body() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/containers/{id}/stop"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    server.start_container(&id).await;
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/containers/{id}/start"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = op(&server, &id, "stop").await;
    assert_eq!((status, body), (StatusCode::NOT_MODIFIED, Value::Null));
}

#[tokio::test]
async fn lifecycle_errors_in_dockers_words() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("errs")).await;

    let (status, body) = op(&server, "errs", "kill").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(&format!(
            "cannot kill container: errs: container {id} is not running"
        ))
    );
    let (status, body) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("container {id} is not running")));
    let (status, body) = op(&server, "errs", "unpause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Container {id} is not paused")));

    server.start_container("errs").await;
    let (status, body) = op(&server, "errs", "kill?signal=FOO").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("cannot kill container: errs: invalid signal: FOO")
    );
    let (status, body) = op(&server, "errs", "stop?signal=NOPE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid signal: NOPE"));
    assert_state(&server.inspect_container("errs").await, "running", 0);
    let (status, body) = remove(&server, "errs", "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("cannot remove container \"/errs\": container is running: stop the container before removing or force remove")
    );

    let (status, _) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Container {id} is already paused")));
    let (status, body) = op(&server, "errs", "start").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("cannot start a paused container, try unpause instead")
    );
    let (status, body) = remove(&server, "errs", "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(
            "cannot remove container \"/errs\": container is paused and must be unpaused first"
        )
    );
    assert_state(&server.inspect_container("errs").await, "paused", 0);
    let (status, _) = remove(&server, "errs", "?force=true").await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Every route: 404 for an unknown container.
    for verb in [
        "start",
        "stop",
        "restart",
        "kill",
        "pause",
        "unpause",
        "rename?name=x1",
    ] {
        let (status, body) = op(&server, "nope", verb).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{verb}");
        // Docker's router wraps kill's errors.
        let prefix = if verb == "kill" {
            "cannot kill container: nope: "
        } else {
            ""
        };
        assert_eq!(
            body,
            message(&format!("{prefix}No such container: nope")),
            "{verb}"
        );
    }
    let (status, body) = remove(&server, "nope", "").await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
    let (status, body) = server.get(&format!("{BASE}/containers/nope")).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
}

#[tokio::test]
async fn kill_signals_and_exit_codes() {
    let server = TestServer::with_alpine().await;
    for (signal, code) in [
        ("", 137),
        ("SIGKILL", 137),
        ("KILL", 137),
        ("9", 137),
        ("SIGTERM", 143),
        ("TERM", 143),
        ("SIGINT", 130),
        ("SIGHUP", 129),
        ("SIGQUIT", 131),
        ("15", 143),
    ] {
        let id = run_sleeper(&server, None).await;
        let query = if signal.is_empty() {
            String::new()
        } else {
            format!("?signal={signal}")
        };
        let (status, body) = op(&server, &id, &format!("kill{query}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{signal}: {body}");
        let c = server.inspect_container(&id).await;
        assert_state(&c, "exited", code);
    }
    for signal in ["SIGUSR1", "USR2", "SIGWINCH", "10"] {
        let id = run_sleeper(&server, None).await;
        let (status, _) = op(&server, &id, &format!("kill?signal={signal}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{signal}");
        assert_state(&server.inspect_container(&id).await, "running", 0);
    }
    let id = run_sleeper(&server, None).await;
    let (status, body) = op(&server, &id, "kill?signal=SIGFOO").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            message(&format!(
                "cannot kill container: {id}: invalid signal: SIGFOO"
            ))
        )
    );
    let (status, body) = op(&server, &id, "kill?signal=99").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            message(&format!(
                "cannot kill container: {id}: the linux daemon does not support signal 99"
            ))
        )
    );
}

#[tokio::test]
async fn stop_with_signal_and_timeout() {
    let server = TestServer::with_alpine().await;
    let id = run_sleeper(&server, None).await;
    let (status, _) = op(&server, &id, "stop?signal=SIGINT").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 130);
    // A process that ignores SIGTERM is killed after t seconds.
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.ignore-sigterm": "true"}}),
        )
        .await;
    server.start_container(&id).await;
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container(&id).await;
    assert_eq!(c["State"]["Status"], "exited");
}

#[tokio::test]
async fn kill_and_signals_on_special_states() {
    let server = TestServer::with_alpine().await;
    // A paused container can be killed.
    let id = run_sleeper(&server, None).await;
    op(&server, &id, "pause").await;
    let (status, _) = op(&server, &id, "kill").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 137);
    // A process that ignores SIGTERM survives kill -s TERM, and stop kills it.
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.ignore-sigterm": "true"}}),
        )
        .await;
    server.start_container(&id).await;
    let (status, _) = op(&server, &id, "kill?signal=SIGTERM").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 137);
    // restart of such a process works too.
    let (status, _) = op(&server, &id, "restart?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "restart?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
}
