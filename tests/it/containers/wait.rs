//! Container wait over WebSocket: conditions, errors, many waiters, hung-up waiters.

use super::*;

#[tokio::test]
async fn wait_conditions() {
    let server = TestServer::with_alpine().await;
    // not-running on a created container: at once.
    let id = create_sleeper(&server, None).await;
    let mut ws = wait_ws(&server, &id, "not-running").await;
    assert_eq!(
        wait_result(&mut ws).await,
        json!({"StatusCode": 0, "Error": null})
    );
    // Default condition is not-running.
    let mut ws = server.ws(&format!("{BASE}/containers/{id}/wait")).await;
    assert_eq!(wait_result(&mut ws).await["StatusCode"], 0);
    // next-exit before start waits for the first exit after start.
    let mut next = wait_ws(&server, &id, "next-exit").await;
    assert_pending(&mut next).await;
    server.start_container(&id).await;
    let mut not_running = wait_ws(&server, &id, "not-running").await;
    assert_pending(&mut not_running).await;
    assert_pending(&mut next).await;
    // Pause does not end a not-running wait.
    op(&server, &id, "pause").await;
    op(&server, &id, "unpause").await;
    assert_pending(&mut not_running).await;
    op(&server, &id, "kill?signal=SIGINT").await;
    assert_eq!(
        wait_result(&mut next).await,
        json!({"StatusCode": 130, "Error": null})
    );
    assert_eq!(wait_result(&mut not_running).await["StatusCode"], 130);
    // next-exit on an exited container waits for the next run's exit.
    let mut next = wait_ws(&server, &id, "next-exit").await;
    assert_pending(&mut next).await;
    server.start_container(&id).await;
    assert_pending(&mut next).await;
    op(&server, &id, "stop").await;
    assert_eq!(wait_result(&mut next).await["StatusCode"], 143);
    // removed.
    let mut removed = wait_ws(&server, &id, "removed").await;
    assert_pending(&mut removed).await;
    server.start_container(&id).await;
    op(&server, &id, "kill").await;
    assert_pending(&mut removed).await;
    remove(&server, &id, "").await;
    assert_eq!(
        wait_result(&mut removed).await,
        json!({"StatusCode": 137, "Error": null})
    );
    // removed of a running container, force-removed.
    let id = run_sleeper(&server, None).await;
    let mut removed = wait_ws(&server, &id, "removed").await;
    let mut next = wait_ws(&server, &id, "next-exit").await;
    remove(&server, &id, "?force=1").await;
    assert_eq!(wait_result(&mut removed).await["StatusCode"], 137);
    assert_eq!(wait_result(&mut next).await["StatusCode"], 137);
    // wait by name and prefix.
    let id = server
        .create_ok(
            Some("waitme"),
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 7"]}),
        )
        .await;
    let mut by_name = wait_ws(&server, "waitme", "next-exit").await;
    let mut by_prefix = wait_ws(&server, &id[..8], "next-exit").await;
    server.start_container("waitme").await;
    assert_eq!(wait_result(&mut by_name).await["StatusCode"], 7);
    assert_eq!(wait_result(&mut by_prefix).await["StatusCode"], 7);
}

#[tokio::test]
async fn wait_errors_before_the_upgrade() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let err = server
        .try_ws(&format!(
            "{BASE}/containers/nope/wait?condition=not-running"
        ))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&err.1).unwrap(),
        message("No such container: nope")
    );
    let err = server
        .try_ws(&format!("{BASE}/containers/{id}/wait?condition=whenever"))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&err.1).unwrap(),
        message("invalid condition: \"whenever\"")
    );
    let (status, body) = server
        .get(&format!(
            "{BASE}/containers/{id}/wait?condition=not-running"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "{BASE}/containers/{id}/wait is served over WebSocket: upgrade required"
        ))
    );
}

#[tokio::test]
async fn many_waiters_all_wake() {
    let server = Arc::new(TestServer::with_alpine().await);
    let id = run_sleeper(&server, None).await;
    let mut sockets = Vec::new();
    for i in 0..12 {
        let cond = ["not-running", "next-exit", "removed"][i % 3];
        sockets.push((cond, wait_ws(&server, &id, cond).await));
    }
    for (_, ws) in sockets.iter_mut() {
        assert_pending(ws).await;
    }
    op(&server, &id, "kill?signal=SIGHUP").await;
    let mut removed = Vec::new();
    for (cond, mut ws) in sockets {
        if cond == "removed" {
            removed.push(ws);
        } else {
            assert_eq!(wait_result(&mut ws).await["StatusCode"], 129, "{cond}");
        }
    }
    remove(&server, &id, "").await;
    let results = futures_util::future::join_all(removed.iter_mut().map(wait_result)).await;
    for r in results {
        assert_eq!(r, json!({"StatusCode": 129, "Error": null}));
    }
}

#[tokio::test]
async fn a_waiter_that_hangs_up_leaks_nothing() {
    let backend = MemoryBackend::new();
    let server = TestServer::with_backend(backend.clone(), ServeOptions::default()).await;
    server.pull("alpine").await;
    let id = run_sleeper(&server, None).await;
    let receivers = |b: &Arc<MemoryBackend>| {
        b.runtimes()
            .get(&id)
            .map(|rt| rt.wait.receiver_count())
            .unwrap_or(0)
    };
    let base = receivers(&backend);
    let mut sockets = Vec::new();
    for cond in ["not-running", "next-exit", "removed"] {
        sockets.push(wait_ws(&server, &id, cond).await);
    }
    let b = backend.clone();
    eventually(T, || {
        let n = receivers(&b);
        async move { (n == base + 3).then_some(()) }
    })
    .await;
    // Two clients close politely, one just drops its connection.
    let mut it = sockets.into_iter();
    for mut ws in it.by_ref().take(2) {
        ws.send(Message::Close(None)).await.unwrap();
        while let Some(Ok(_)) = ws.next().await {}
    }
    drop(it);
    let b = backend.clone();
    eventually(T, || {
        let n = receivers(&b);
        async move { (n == base).then_some(()) }
    })
    .await;
    // The container can still be stopped and removed; nothing hangs.
    let stop = tokio::time::timeout(T, op(&server, &id, "stop"))
        .await
        .expect("stop");
    assert_eq!(stop.0, StatusCode::NO_CONTENT);
    let rm = tokio::time::timeout(T, remove(&server, &id, ""))
        .await
        .expect("remove");
    assert_eq!(rm.0, StatusCode::NO_CONTENT);
    assert!(backend.runtimes().get(&id).is_none());
    tokio::time::timeout(T, server.stop())
        .await
        .expect("server drains");
}
