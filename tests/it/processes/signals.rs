//! Signals to simulated processes: stop, kill dispositions, paused processes.

use super::*;

#[tokio::test]
async fn stop_honours_sigterm_at_once() {
    let s = TestServer::with_alpine().await;
    s.run("term", json!({"Cmd": ["sleep", "infinity"]})).await;
    let waiter = tokio::spawn({
        let path = format!("{BASE}/containers/term/wait?condition=not-running");
        let mut ws = s.ws(&path).await;
        async move {
            let m = ws.next().await.expect("msg").expect("ok");
            serde_json::from_str::<Value>(m.to_text().expect("text")).expect("json")
        }
    });
    let before = tokio::time::Instant::now();
    // The default t is 10 s: an honouring process must not make us wait.
    let (status, _) = s.post_empty(&format!("{BASE}/containers/term/stop")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(before.elapsed() < Duration::from_secs(2));
    assert_eq!(s.state("term").await["ExitCode"], 143);
    let v = tokio::time::timeout(DEADLINE, waiter)
        .await
        .expect("waiter woke")
        .expect("task");
    assert_eq!(v["StatusCode"], 143);
}

#[tokio::test]
async fn stop_of_a_process_ignoring_sigterm_waits_then_kills() {
    let s = TestServer::with_alpine().await;
    let labels = json!({"sockerless.memory.ignore-sigterm": "true"});
    s.run(
        "stubborn",
        json!({"Cmd": ["sleep", "infinity"], "Labels": labels}),
    )
    .await;
    let before = tokio::time::Instant::now();
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/stubborn/stop?t=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let took = before.elapsed();
    assert!(took >= Duration::from_millis(900), "waited t: {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let st = s.state("stubborn").await;
    assert_eq!(st["Status"], "exited");
    assert_eq!(st["ExitCode"], 137);

    // t=0: killed at once.
    s.run(
        "stubborn0",
        json!({"Cmd": ["sleep", "infinity"], "Labels": labels}),
    )
    .await;
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/stubborn0/stop?t=0"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.state("stubborn0").await["ExitCode"], 137);

    // kill -s TERM is ignored too; it keeps running.
    s.run(
        "stubborn-kill",
        json!({"Cmd": ["sleep", "infinity"], "Labels": labels}),
    )
    .await;
    let (status, _) = s
        .post_empty(&format!(
            "{BASE}/containers/stubborn-kill/kill?signal=SIGTERM"
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(s.state("stubborn-kill").await["Status"], "running");
}

#[tokio::test]
async fn kill_dispositions() {
    let s = TestServer::with_alpine().await;
    // SIGUSR1 is delivered and the process keeps running.
    s.run("usr1", json!({"Cmd": ["sleep", "infinity"]})).await;
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/usr1/kill?signal=SIGUSR1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(s.state("usr1").await["Status"], "running");
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/usr1/kill?signal=WINCH"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.state("usr1").await["Status"], "running");

    for (name, signal, code) in [
        ("int", "SIGINT", 130),
        ("hup", "HUP", 129),
        ("quit", "3", 131),
        ("term", "SIGTERM", 143),
        ("kill", "", 137),
    ] {
        s.run(name, json!({"Cmd": ["sleep", "infinity"]})).await;
        let path = if signal.is_empty() {
            format!("{BASE}/containers/{name}/kill")
        } else {
            format!("{BASE}/containers/{name}/kill?signal={signal}")
        };
        let (status, v) = s.post_empty(&path).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{name}: {v}");
        let st = s.exited(name).await;
        assert_eq!(st["ExitCode"], code, "{name}");
        assert_eq!(
            s.wait(name, "not-running").await["StatusCode"],
            code,
            "{name}"
        );
    }

    let (status, v) = s
        .post_empty(&format!("{BASE}/containers/usr1/kill?signal=SIGNOPE"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["message"],
        "cannot kill container: usr1: invalid signal: SIGNOPE"
    );
    let (status, _) = s.post_empty(&format!("{BASE}/containers/int/kill")).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn stop_of_a_paused_container_works() {
    let s = TestServer::with_alpine().await;
    s.run("frozen", json!({"Cmd": ["sleep", "infinity"]})).await;
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/frozen/pause"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = s
        .post_empty(&format!("{BASE}/containers/frozen/stop?t=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    let st = s.exited("frozen").await;
    assert_eq!(st["Paused"], false);
}

#[tokio::test]
async fn a_paused_process_makes_no_progress() {
    let s = TestServer::with_alpine().await;
    let labels = json!({"sockerless.memory.run-for": "80ms"});
    s.run(
        "pausing",
        json!({"Cmd": ["sleep", "infinity"], "Labels": labels}),
    )
    .await;
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/pausing/pause"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.state("pausing").await["Status"], "paused");
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/pausing/unpause"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.exited("pausing").await["ExitCode"], 0);
}

/// A program that idles (`sleep infinity`, an unknown main process) runs no
/// task; one that runs forever but does something first does. Both end
/// alike: the same exit codes, waits, restarts and (empty) logs.
#[tokio::test]
async fn idle_and_busy_forever_programs_end_alike() {
    let s = TestServer::with_alpine().await;
    let programs = [
        ("idle-sleep", json!(["sleep", "infinity"])),
        ("idle-unknown", json!(["nginx", "-g", "daemon off;"])),
        ("busy-sh", json!(["sh", "-c", "sleep infinity"])),
        ("busy-tail", json!(["tail", "-f", "/dev/null"])),
    ];
    for (name, cmd) in &programs {
        s.run(name, json!({ "Cmd": cmd })).await;
        // A signal that does not end it leaves it running.
        s.post_no_content(&format!("{BASE}/containers/{name}/kill?signal=USR1"))
            .await;
        assert_eq!(s.state(name).await["Status"], "running", "{name}");
        s.post_no_content(&format!("{BASE}/containers/{name}/kill?signal=HUP"))
            .await;
        assert_eq!(s.exited(name).await["ExitCode"], 129, "{name}");
        assert_eq!(s.wait(name, "not-running").await["StatusCode"], 129);
        // Again, paused, then stopped.
        s.start_container(name).await;
        s.post_no_content(&format!("{BASE}/containers/{name}/pause"))
            .await;
        s.post_no_content(&format!("{BASE}/containers/{name}/stop"))
            .await;
        let st = s.state(name).await;
        assert_eq!(
            (&st["Status"], &st["ExitCode"], &st["Paused"]),
            (&json!("exited"), &json!(143), &json!(false)),
            "{name}"
        );
        // Restarted, it runs again.
        s.post_no_content(&format!("{BASE}/containers/{name}/restart?t=0"))
            .await;
        let st = s.state(name).await;
        assert_eq!(
            (&st["Status"], &st["ExitCode"]),
            (&json!("running"), &json!(0))
        );
        assert_eq!(s.logs(name, "stdout=1&stderr=1").await, Vec::<Value>::new());
    }
}
