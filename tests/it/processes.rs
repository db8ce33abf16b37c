//! Black-box tests of simulated processes: exit statuses, label overrides,
//! signals, logs (tail/since/until/follow/bound), attach, health checks, top
//! and stats.

use std::time::Duration;

use crate::common::*;
use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use serde_json::{json, Value};
use sockerless::memory::MemoryOptions;
use sockerless::MemoryBackend;
use tokio::net::UnixStream;
use tokio_tungstenite::tungstenite::Message;

fn data(records: &[Value]) -> String {
    records
        .iter()
        .map(|r| r["Data"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Reads frames until `stdout` contains `want`.
async fn read_stdout_until(ws: &mut Ws, want: &str) -> String {
    let mut out = String::new();
    while !out.contains(want) {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in time; got {out:?}"))
            .expect("socket open")
            .expect("no error");
        match msg {
            Message::Binary(b) if b.first() == Some(&1) => {
                out.push_str(&String::from_utf8_lossy(&b[1..]))
            }
            Message::Binary(_) => {}
            other => panic!("unexpected {other:?} while waiting for {want:?}"),
        }
    }
    out
}

fn attach_path(name: &str) -> String {
    format!("{BASE}/containers/{name}/attach?stdin=1&stdout=1&stderr=1&stream=1")
}

// ---------------------------------------------------------------------------
// Exit statuses
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------

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
    assert_eq!(v["message"], "Invalid signal: SIGNOPE");
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

// ---------------------------------------------------------------------------
// Label overrides
// ---------------------------------------------------------------------------

#[tokio::test]
async fn label_exit_code_overrides_the_outcome() {
    let s = TestServer::with_alpine().await;
    s.run(
        "code",
        json!({"Cmd": ["sleep", "infinity"], "Labels": {"sockerless.memory.exit-code": "42"}}),
    )
    .await;
    assert_eq!(s.exited("code").await["ExitCode"], 42);
    assert_eq!(s.wait("code", "not-running").await["StatusCode"], 42);
    assert!(s.logs("code", "stdout=1&stderr=1").await.is_empty());
}

#[tokio::test]
async fn label_stdout_and_stderr_are_written() {
    let s = TestServer::with_alpine().await;
    s.run(
        "said",
        json!({"Cmd": ["nginx"], "Labels": {
            "sockerless.memory.stdout": "ready to serve",
            "sockerless.memory.stderr": "a warning"
        }}),
    )
    .await;
    let st = s.exited("said").await;
    assert_eq!(st["ExitCode"], 0);
    let all = s.logs("said", "stdout=1&stderr=1").await;
    let out: Vec<_> = all
        .iter()
        .filter(|r| r["Stream"] == "stdout")
        .cloned()
        .collect();
    let err: Vec<_> = all
        .iter()
        .filter(|r| r["Stream"] == "stderr")
        .cloned()
        .collect();
    assert_eq!(data(&out), "ready to serve\n");
    assert_eq!(data(&err), "a warning\n");

    // stdout alone, with an exit code.
    s.run(
        "said2",
        json!({"Cmd": ["true"], "Labels": {
            "sockerless.memory.stdout": "only out\n",
            "sockerless.memory.exit-code": "5"
        }}),
    )
    .await;
    assert_eq!(s.exited("said2").await["ExitCode"], 5);
    assert_eq!(
        data(&s.logs("said2", "stdout=1&stderr=1").await),
        "only out\n"
    );
}

#[tokio::test]
async fn label_run_for_exits_after_the_duration() {
    let s = TestServer::with_alpine().await;
    let before = tokio::time::Instant::now();
    s.run(
        "brief",
        json!({"Cmd": ["sleep", "infinity"], "Labels": {"sockerless.memory.run-for": "60ms"}}),
    )
    .await;
    assert_eq!(s.state("brief").await["Status"], "running");
    let st = s.exited("brief").await;
    assert!(before.elapsed() >= Duration::from_millis(60));
    assert_eq!(st["ExitCode"], 0);

    // With an exit code and output.
    s.run(
        "brief2",
        json!({"Cmd": ["postgres"], "Labels": {
            "sockerless.memory.run-for": "40ms",
            "sockerless.memory.exit-code": "9",
            "sockerless.memory.stdout": "done"
        }}),
    )
    .await;
    assert_eq!(s.state("brief2").await["Status"], "running");
    assert_eq!(s.exited("brief2").await["ExitCode"], 9);
    assert_eq!(data(&s.logs("brief2", "stdout=1").await), "done\n");

    // A command that ends sooner than run-for ends with its own status.
    s.run(
        "brief3",
        json!({"Cmd": ["sh", "-c", "exit 4"], "Labels": {"sockerless.memory.run-for": "10s"}}),
    )
    .await;
    assert_eq!(s.exited("brief3").await["ExitCode"], 4);
}

// ---------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn logs_tail_and_timestamps() {
    let s = TestServer::with_alpine().await;
    s.run(
        "many",
        json!({"Cmd": ["sh", "-c", "echo 1; echo 2; echo 3 >&2; echo 4; echo 5"]}),
    )
    .await;
    s.exited("many").await;
    assert_eq!(
        data(&s.logs("many", "stdout=1&stderr=1").await),
        "1\n2\n3\n4\n5\n"
    );
    assert_eq!(
        data(&s.logs("many", "stdout=1&stderr=1&tail=2").await),
        "4\n5\n"
    );
    // tail counts the selected stream's records.
    assert_eq!(data(&s.logs("many", "stderr=1&tail=1").await), "3\n");
    assert_eq!(data(&s.logs("many", "stdout=1&tail=3").await), "2\n4\n5\n");
    assert_eq!(data(&s.logs("many", "stdout=1&tail=0").await), "");
    assert_eq!(
        data(&s.logs("many", "stdout=1&tail=all").await),
        "1\n2\n4\n5\n"
    );
    assert_eq!(
        data(&s.logs("many", "stdout=1&tail=99").await),
        "1\n2\n4\n5\n"
    );

    // Docker's tail: anything unparsable or negative means all.
    assert_eq!(
        data(&s.logs("many", "stdout=1&tail=-1").await),
        "1\n2\n4\n5\n"
    );
    assert_eq!(
        data(&s.logs("many", "stdout=1&tail=lots").await),
        "1\n2\n4\n5\n"
    );

    // The timestamp prefix is Docker's RFC3339NanoFixed (nine digits) of the
    // record's own Time.
    let stamped = s.logs("many", "stdout=1&tail=1&timestamps=1").await;
    let time = stamped[0]["Time"].as_str().expect("Time").to_string();
    let text = stamped[0]["Data"].as_str().expect("Data");
    let (prefix, rest) = text.split_once(' ').expect("prefix");
    assert_eq!(rest, "5\n");
    assert_eq!(
        prefix.len(),
        "2024-01-02T03:04:05.123456789Z".len(),
        "{prefix}"
    );
    let trim = |t: &str| {
        t.trim_end_matches('Z')
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    assert_eq!(trim(prefix), trim(&time));
}

#[tokio::test]
async fn logs_since_and_until() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "timed",
        json!({"Cmd": ["cat"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let mut ws = s.ws(&attach_path("timed")).await;
    s.start_container("timed").await;
    ws.send(Message::binary(b"first\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut ws, "first\n").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    ws.send(Message::binary(b"second\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut ws, "second\n").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    ws.send(Message::binary(b"third\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut ws, "third\n").await;
    ws.send(Message::binary(Vec::new())).await.expect("eof");
    let got = drain(&mut ws).await;
    assert_eq!(got.close, Some((1000, "0".to_string())));

    let all = s.logs("timed", "stdout=1").await;
    assert_eq!(data(&all), "first\nsecond\nthird\n");
    let t: Vec<String> = all
        .iter()
        .map(|r| r["Time"].as_str().expect("Time").to_string())
        .collect();
    // since is inclusive of a record's exact time; until too.
    assert_eq!(
        data(&s.logs("timed", &format!("stdout=1&since={}", t[1])).await),
        "second\nthird\n"
    );
    assert_eq!(
        data(&s.logs("timed", &format!("stdout=1&until={}", t[1])).await),
        "first\nsecond\n"
    );
    assert_eq!(
        data(
            &s.logs("timed", &format!("stdout=1&since={}&until={}", t[1], t[1]))
                .await
        ),
        "second\n"
    );
    // Unix seconds work (everything after the epoch; nothing before 1).
    assert_eq!(
        data(&s.logs("timed", "stdout=1&since=1").await),
        "first\nsecond\nthird\n"
    );
    assert_eq!(data(&s.logs("timed", "stdout=1&until=1").await), "");
    // A relative duration: everything in the last hour; nothing until an hour ago.
    assert_eq!(
        data(&s.logs("timed", "stdout=1&since=1h").await),
        "first\nsecond\nthird\n"
    );
    assert_eq!(data(&s.logs("timed", "stdout=1&until=1h").await), "");
    // tail applies after the window.
    assert_eq!(
        data(
            &s.logs("timed", &format!("stdout=1&until={}&tail=1", t[1]))
                .await
        ),
        "second\n"
    );
    let (status, _) = s
        .get(&format!(
            "{BASE}/containers/timed/logs?stdout=1&since=yesterday-ish"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Reads log-stream text messages until a close; returns the records and whether
/// the close was normal.
async fn read_log_stream(ws: &mut Ws) -> (Vec<Value>, Option<u16>) {
    let mut records = Vec::new();
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("log stream ended in time");
        match msg {
            Some(Ok(Message::Text(t))) => {
                records.push(serde_json::from_str(t.as_str()).expect("json record"))
            }
            Some(Ok(Message::Close(f))) => return (records, f.map(|f| u16::from(f.code))),
            Some(Ok(other)) => panic!("unexpected {other:?}"),
            Some(Err(_)) | None => return (records, None),
        }
    }
}

#[tokio::test]
async fn log_follow_sends_backlog_then_live_records_and_ends_with_the_container() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "follow",
        json!({"Cmd": ["sh"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let mut attach = s.ws(&attach_path("follow")).await;
    s.start_container("follow").await;
    attach
        .send(Message::binary(b"echo before\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut attach, "before\n").await;

    let mut follow = s
        .ws(&format!(
            "{BASE}/containers/follow/logs/stream?stdout=1&stderr=1"
        ))
        .await;
    let first = tokio::time::timeout(DEADLINE, follow.next())
        .await
        .expect("backlog in time")
        .expect("msg")
        .expect("ok");
    let first: Value = serde_json::from_str(first.to_text().expect("text")).expect("json");
    assert_eq!(first["Data"], "before\n");
    assert_eq!(first["Stream"], "stdout");

    attach
        .send(Message::binary(b"echo after; echo err >&2\n".to_vec()))
        .await
        .expect("send");
    attach.send(Message::binary(Vec::new())).await.expect("eof");
    let (records, close) = read_log_stream(&mut follow).await;
    assert_eq!(close, Some(1000), "normal close when the container stops");
    assert_eq!(data(&records), "after\nerr\n");
    assert_eq!(s.exited("follow").await["ExitCode"], 0);

    // On a stopped container the stream is the backlog, then a normal close.
    let mut again = s
        .ws(&format!("{BASE}/containers/follow/logs/stream?stdout=1"))
        .await;
    let (records, close) = read_log_stream(&mut again).await;
    assert_eq!(close, Some(1000));
    assert_eq!(data(&records), "before\nafter\n");
}

#[tokio::test]
async fn log_follow_of_a_long_running_container_ends_when_it_is_stopped() {
    let s = TestServer::with_alpine().await;
    s.run(
        "svc",
        json!({"Cmd": ["sh", "-c", "echo up; sleep infinity"]}),
    )
    .await;
    let mut follow = s
        .ws(&format!(
            "{BASE}/containers/svc/logs/stream?stdout=1&stderr=1"
        ))
        .await;
    let stopper = tokio::spawn({
        let path = format!("{BASE}/containers/svc/stop?t=1");
        let req = request(http::Method::POST, &path, None);
        let sock = s.socket.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let stream = UnixStream::connect(sock).await.expect("connect");
            send_on(stream, req).await.status
        }
    });
    let (records, close) = read_log_stream(&mut follow).await;
    assert_eq!(stopper.await.expect("task"), StatusCode::NO_CONTENT);
    assert_eq!(data(&records), "up\n");
    assert_eq!(close, Some(1000));
}

#[tokio::test]
async fn log_follow_races_with_exits_never_hang() {
    // A container that exits right away: followers that connect around its
    // exit must all end.
    let s = TestServer::with_alpine().await;
    for i in 0..10 {
        let name = format!("quick{i}");
        s.run(&name, json!({"Cmd": ["echo", "hi"]})).await;
        let mut follow = s
            .ws(&format!("{BASE}/containers/{name}/logs/stream?stdout=1"))
            .await;
        let (records, close) = read_log_stream(&mut follow).await;
        assert_eq!(close, Some(1000));
        assert!(
            data(&records) == "hi\n" || records.is_empty(),
            "{records:?}"
        );
    }
}

#[tokio::test]
async fn the_log_is_bounded_dropping_the_oldest_records() {
    let backend = MemoryBackend::with_options(MemoryOptions {
        log_limit: 64,
        ..Default::default()
    });
    let s = TestServer::with_backend(backend, Default::default()).await;
    s.pull("alpine").await;
    // 20 records of 10 bytes each: only the newest 6 fit in 64 bytes.
    let script: Vec<String> = (0..20).map(|i| format!("echo line-{i:04}")).collect();
    s.run("chatty", json!({"Cmd": ["sh", "-c", script.join("; ")]}))
        .await;
    s.exited("chatty").await;
    let kept = s.logs("chatty", "stdout=1").await;
    let expected: String = (14..20).map(|i| format!("line-{i:04}\n")).collect();
    assert_eq!(data(&kept), expected);

    // The default is 1 MiB.
    let s2 = TestServer::with_alpine().await;
    let script: Vec<String> = (0..20).map(|i| format!("echo line-{i:04}")).collect();
    s2.run("chatty", json!({"Cmd": ["sh", "-c", script.join("; ")]}))
        .await;
    s2.exited("chatty").await;
    assert_eq!(s2.logs("chatty", "stdout=1").await.len(), 20);
}

// ---------------------------------------------------------------------------
// Attach
// ---------------------------------------------------------------------------

#[tokio::test]
async fn attach_before_start_cat_echoes_stdin_and_exits_on_eof() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "cat",
        json!({"Cmd": ["cat"], "OpenStdin": true, "StdinOnce": true, "AttachStdin": true}),
    )
    .await;
    let mut ws = s.ws(&attach_path("cat")).await;
    s.start_container("cat").await;
    ws.send(Message::binary(b"hello ".to_vec()))
        .await
        .expect("send");
    ws.send(Message::binary(b"cat\n".to_vec()))
        .await
        .expect("send");
    let out = read_stdout_until(&mut ws, "hello cat\n").await;
    assert_eq!(out, "hello cat\n");
    assert_eq!(s.state("cat").await["Status"], "running");
    ws.send(Message::binary(Vec::new())).await.expect("eof");
    let got = drain(&mut ws).await;
    assert_eq!(got.close, Some((1000, "0".to_string())));
    assert_eq!(got.stdout, "");
    let st = s.exited("cat").await;
    assert_eq!(st["ExitCode"], 0);
    assert_eq!(data(&s.logs("cat", "stdout=1").await), "hello cat\n");
}

#[tokio::test]
async fn attach_before_start_sh_runs_a_script_from_stdin() {
    // The GitLab-runner pattern: create → attach → start → script → output → wait.
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "runner",
        json!({"Cmd": ["sh"], "OpenStdin": true, "StdinOnce": true,
               "Env": ["CI_JOB=build"]}),
    )
    .await;
    let mut ws = s.ws(&attach_path("runner")).await;
    let mut waiter = s
        .ws(&format!(
            "{BASE}/containers/runner/wait?condition=next-exit"
        ))
        .await;
    s.start_container("runner").await;
    let script = "echo running $CI_JOB\necho step >&2\nexit 7\n";
    ws.send(Message::binary(script.as_bytes().to_vec()))
        .await
        .expect("send");
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "running build\n");
    assert_eq!(got.stderr, "step\n");
    assert_eq!(got.close, Some((1000, "7".to_string())));
    let msg = tokio::time::timeout(DEADLINE, waiter.next())
        .await
        .expect("in time")
        .expect("msg")
        .expect("ok");
    let v: Value = serde_json::from_str(msg.to_text().expect("text")).expect("json");
    assert_eq!(v["StatusCode"], 7);
}

#[tokio::test]
async fn attach_sees_output_from_the_first_byte() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "early",
        json!({"Cmd": ["sh", "-c", "echo one; echo two >&2; echo three; exit 2"]}),
    )
    .await;
    let mut ws = s
        .ws(&format!(
            "{BASE}/containers/early/attach?stdout=1&stderr=1&stream=1"
        ))
        .await;
    s.start_container("early").await;
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "one\nthree\n");
    assert_eq!(got.stderr, "two\n");
    assert_eq!(got.close, Some((1000, "2".to_string())));

    // stdout only.
    s.create_alpine(
        "early2",
        json!({"Cmd": ["sh", "-c", "echo out; echo err >&2"]}),
    )
    .await;
    let mut ws = s
        .ws(&format!(
            "{BASE}/containers/early2/attach?stdout=1&stream=1"
        ))
        .await;
    s.start_container("early2").await;
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "out\n");
    assert_eq!(got.stderr, "");
}

#[tokio::test]
async fn several_attached_clients_all_get_the_output() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "shared",
        json!({"Cmd": ["cat"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let mut writer = s.ws(&attach_path("shared")).await;
    let mut watchers = Vec::new();
    for _ in 0..3 {
        watchers.push(
            s.ws(&format!(
                "{BASE}/containers/shared/attach?stdout=1&stderr=1&stream=1"
            ))
            .await,
        );
    }
    s.start_container("shared").await;
    writer
        .send(Message::binary(b"for everyone\n".to_vec()))
        .await
        .expect("send");
    writer.send(Message::binary(Vec::new())).await.expect("eof");
    let got = drain(&mut writer).await;
    assert_eq!(got.stdout, "for everyone\n");
    assert_eq!(got.close, Some((1000, "0".to_string())));
    for w in &mut watchers {
        let got = drain(w).await;
        assert_eq!(got.stdout, "for everyone\n");
        assert_eq!(got.close, Some((1000, "0".to_string())));
    }
}

#[tokio::test]
async fn attach_to_a_running_container_and_to_a_stopped_one() {
    let s = TestServer::with_alpine().await;
    s.run("live", json!({"Cmd": ["sleep", "infinity"]})).await;
    let mut ws = s
        .ws(&format!(
            "{BASE}/containers/live/attach?stdout=1&stderr=1&stream=1"
        ))
        .await;
    let (status, _) = s.post_empty(&format!("{BASE}/containers/live/kill")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let got = drain(&mut ws).await;
    assert_eq!(got.close, Some((1000, "137".to_string())));

    // A stopped container without logs: 409, before the upgrade.
    let refused = s
        .try_ws(&format!("{BASE}/containers/live/attach?stdout=1&stream=1"))
        .await;
    match refused {
        Err((code, _)) => assert_eq!(code, 409),
        Ok(_) => panic!("attach to a stopped container upgraded"),
    }
    // Unknown container: 404.
    match s.try_ws(&attach_path("nope")).await {
        Err((code, body)) => {
            assert_eq!(code, 404);
            assert!(body.contains("No such container: nope"), "{body}");
        }
        Ok(_) => panic!("attach to an unknown container upgraded"),
    }
}

#[tokio::test]
async fn attach_with_logs_replays_the_backlog() {
    let s = TestServer::with_alpine().await;
    s.run("replay", json!({"Cmd": ["sh", "-c", "echo a; echo b >&2"]}))
        .await;
    s.exited("replay").await;
    let mut ws = s
        .ws(&format!(
            "{BASE}/containers/replay/attach?stdout=1&stderr=1&logs=1&stream=1"
        ))
        .await;
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "a\n");
    assert_eq!(got.stderr, "b\n");
    assert_eq!(got.close, Some((1000, "0".to_string())));
}

#[tokio::test]
async fn stdin_without_stdin_once_stays_open_after_the_client_leaves() {
    // Docker closes the container's stdin on the client's EOF only with
    // StdinOnce; otherwise the shell keeps waiting for the next client.
    let s = TestServer::with_alpine().await;
    s.create_alpine("keep", json!({"Cmd": ["sh"], "OpenStdin": true}))
        .await;
    let mut first = s.ws(&attach_path("keep")).await;
    s.start_container("keep").await;
    first
        .send(Message::binary(b"echo one\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut first, "one\n").await;
    first.send(Message::binary(Vec::new())).await.expect("eof");
    drop(first);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(s.state("keep").await["Status"], "running");
    let mut second = s.ws(&attach_path("keep")).await;
    second
        .send(Message::binary(b"echo two; exit 4\n".to_vec()))
        .await
        .expect("send");
    let got = drain(&mut second).await;
    assert_eq!(got.stdout, "two\n");
    assert_eq!(got.close, Some((1000, "4".to_string())));
}

#[tokio::test]
async fn stdin_once_closes_stdin_when_the_client_disconnects() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "once",
        json!({"Cmd": ["cat"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let mut ws = s.ws(&attach_path("once")).await;
    s.start_container("once").await;
    ws.send(Message::binary(b"x\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut ws, "x\n").await;
    ws.close(None).await.expect("close");
    drop(ws);
    assert_eq!(s.exited("once").await["ExitCode"], 0);
}

// ---------------------------------------------------------------------------
// Health checks
// ---------------------------------------------------------------------------

fn healthcheck(interval_ms: u64, retries: i64) -> Value {
    json!({"Test": ["CMD", "true"], "Interval": interval_ms * 1_000_000, "Retries": retries})
}

#[tokio::test]
async fn health_goes_from_starting_to_healthy() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "healthy",
        json!({"Cmd": ["sleep", "infinity"], "Healthcheck": healthcheck(60, 2)}),
    )
    .await;
    let st = s.state("healthy").await;
    assert!(st["Health"].is_object(), "{st}");
    s.start_container("healthy").await;
    let st = s.state("healthy").await;
    assert_eq!(st["Health"]["Status"], "starting", "{st}");
    let st = eventually(DEADLINE, || async {
        let st = s.state("healthy").await;
        (st["Health"]["Status"] == "healthy").then_some(st)
    })
    .await;
    assert_eq!(st["Health"]["FailingStreak"], 0);
    let log = st["Health"]["Log"].as_array().expect("Log");
    assert!(!log.is_empty());
    assert_eq!(log[0]["ExitCode"], 0);
    assert!(log[0]["Start"].is_string() && log[0]["End"].is_string());
    // The Log keeps at most 5 results.
    let st = eventually(DEADLINE, || async {
        let st = s.state("healthy").await;
        (st["Health"]["Log"].as_array().map(Vec::len) >= Some(5)).then_some(st)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(130)).await;
    let st2 = s.state("healthy").await;
    assert_eq!(
        st2["Health"]["Log"].as_array().map(Vec::len),
        Some(5),
        "{st}"
    );
}

#[tokio::test]
async fn health_label_unhealthy_fails_retries_times() {
    let s = TestServer::with_alpine().await;
    s.run(
        "sick",
        json!({"Cmd": ["sleep", "infinity"], "Healthcheck": healthcheck(30, 3),
               "Labels": {"sockerless.memory.health": "unhealthy"}}),
    )
    .await;
    // After one failure it is still starting, with a streak of 1.
    let st = eventually(DEADLINE, || async {
        let st = s.state("sick").await;
        (st["Health"]["FailingStreak"] == 1).then_some(st)
    })
    .await;
    assert_eq!(st["Health"]["Status"], "starting");
    assert_ne!(st["Health"]["Log"][0]["ExitCode"], 0);
    let st = eventually(DEADLINE, || async {
        let st = s.state("sick").await;
        (st["Health"]["Status"] == "unhealthy").then_some(st)
    })
    .await;
    assert!(st["Health"]["FailingStreak"].as_i64() >= Some(3), "{st}");
    assert_eq!(
        st["Status"], "running",
        "an unhealthy container keeps running"
    );
}

#[tokio::test]
async fn health_from_the_image_and_none_disables() {
    let s = TestServer::with_alpine().await;
    s.create_alpine(
        "nohealth",
        json!({"Cmd": ["sleep", "infinity"], "Healthcheck": {"Test": ["NONE"]}}),
    )
    .await;
    s.start_container("nohealth").await;
    let st = s.state("nohealth").await;
    assert!(st["Health"].is_null(), "{st}");
    // Without a healthcheck, no Health.
    s.run("plain", json!({"Cmd": ["sleep", "infinity"]})).await;
    assert!(s.state("plain").await["Health"].is_null());
}

// ---------------------------------------------------------------------------
// top and stats
// ---------------------------------------------------------------------------

#[tokio::test]
async fn top_lists_the_simulated_process() {
    let s = TestServer::with_alpine().await;
    s.run("topped", json!({"Cmd": ["sleep", "infinity"]})).await;
    let pid = s.state("topped").await["Pid"].as_i64().expect("Pid");
    let (status, v) = s.get(&format!("{BASE}/containers/topped/top")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let titles: Vec<&str> = v["Titles"]
        .as_array()
        .expect("Titles")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(titles.contains(&"PID") && titles.contains(&"CMD"), "{v}");
    let procs = v["Processes"].as_array().expect("Processes");
    assert_eq!(procs.len(), 1);
    let row = procs[0].as_array().expect("row");
    assert_eq!(row.len(), titles.len());
    let col = |t: &str| titles.iter().position(|x| *x == t).expect("title");
    assert_eq!(row[col("PID")], pid.to_string());
    assert_eq!(row[col("CMD")], "sleep infinity");

    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/topped/kill"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = s.get(&format!("{BASE}/containers/topped/top")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, _) = s.get(&format!("{BASE}/containers/nope/top")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stats_have_dockers_shape() {
    let s = TestServer::with_alpine().await;
    let id = s.run("stat", json!({"Cmd": ["sleep", "infinity"]})).await;
    let (status, v) = s
        .get(&format!("{BASE}/containers/stat/stats?stream=false"))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["id"], id);
    assert_eq!(v["name"], "/stat");
    assert!(v["read"].is_string());
    assert!(v["cpu_stats"]["cpu_usage"]["total_usage"].as_u64() > Some(0));
    assert!(v["cpu_stats"]["online_cpus"].as_u64() >= Some(1));
    assert!(v["memory_stats"]["usage"].as_u64() > Some(0));
    assert!(v["memory_stats"]["limit"].as_u64() > v["memory_stats"]["usage"].as_u64());
    assert!(v["pids_stats"]["current"].as_u64() >= Some(1));
    assert!(v["networks"].is_object());
    assert!(v["precpu_stats"].is_object());

    // Streamed: ndjson records until the container stops.
    let stopper = tokio::spawn({
        let req = request(
            http::Method::POST,
            &format!("{BASE}/containers/stat/stop"),
            None,
        );
        let sock = s.socket.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let stream = UnixStream::connect(sock).await.expect("connect");
            send_on(stream, req).await.status
        }
    });
    let r = tokio::time::timeout(
        DEADLINE,
        s.call(
            http::Method::GET,
            &format!("{BASE}/containers/stat/stats?stream=true"),
            None,
        ),
    )
    .await
    .expect("stream ended after stop");
    assert_eq!(r.status, StatusCode::OK);
    let records = r.lines();
    assert!(!records.is_empty());
    assert_eq!(records[0]["id"], id);
    assert_eq!(stopper.await.expect("task"), StatusCode::NO_CONTENT);
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

#[tokio::test]
async fn attach_and_follow_lose_nothing_of_a_burst_of_output() {
    // Far more writes than any internal queue holds, all at once: every
    // attached client and follower still gets every byte, in order.
    let s = TestServer::with_alpine().await;
    let n = 3000;
    let script: Vec<String> = (0..n).map(|i| format!("echo {i}")).collect();
    s.create_alpine("burst", json!({"Cmd": ["sh", "-c", script.join("; ")]}))
        .await;
    let mut attach = s
        .ws(&format!(
            "{BASE}/containers/burst/attach?stdout=1&stderr=1&stream=1"
        ))
        .await;
    let expected: String = (0..n).map(|i| format!("{i}\n")).collect();
    s.start_container("burst").await;
    let got = drain(&mut attach).await;
    assert_eq!(got.close, Some((1000, "0".to_string())));
    assert_eq!(got.stdout.len(), expected.len());
    assert_eq!(got.stdout, expected);

    s.create_alpine(
        "burst2",
        json!({"Cmd": ["sh"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let mut writer = s.ws(&attach_path("burst2")).await;
    s.start_container("burst2").await;
    writer
        .send(Message::binary(b"echo go\n".to_vec()))
        .await
        .expect("send");
    read_stdout_until(&mut writer, "go\n").await;
    let mut follow = s
        .ws(&format!("{BASE}/containers/burst2/logs/stream?stdout=1"))
        .await;
    let mut script = script.join("\n");
    script.push('\n');
    writer
        .send(Message::binary(script.into_bytes()))
        .await
        .expect("send");
    writer.send(Message::binary(Vec::new())).await.expect("eof");
    let (records, close) = read_log_stream(&mut follow).await;
    assert_eq!(close, Some(1000));
    assert_eq!(data(&records), format!("go\n{expected}"));
}

#[tokio::test]
async fn log_follow_with_until_ends_at_until() {
    let s = TestServer::with_alpine().await;
    s.run(
        "quiet",
        json!({"Cmd": ["sh", "-c", "echo once; sleep infinity"]}),
    )
    .await;
    let at = std::time::SystemTime::now() + Duration::from_millis(100);
    let d = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch");
    let until = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    let before = tokio::time::Instant::now();
    let mut follow = s
        .ws(&format!(
            "{BASE}/containers/quiet/logs/stream?stdout=1&until={until}"
        ))
        .await;
    let (records, close) = read_log_stream(&mut follow).await;
    assert_eq!(close, Some(1000));
    assert_eq!(data(&records), "once\n");
    assert!(before.elapsed() >= Duration::from_millis(50));
    assert_eq!(s.state("quiet").await["Status"], "running");

    // An unknown container is a 404 before the upgrade, for both forms.
    match s
        .try_ws(&format!("{BASE}/containers/ghost/logs/stream?stdout=1"))
        .await
    {
        Err((code, body)) => {
            assert_eq!(code, 404);
            assert!(body.contains("No such container: ghost"), "{body}");
        }
        Ok(_) => panic!("upgraded"),
    }
    let (status, v) = s
        .get(&format!("{BASE}/containers/ghost/logs?stdout=1"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], "No such container: ghost");
}

#[tokio::test]
async fn attach_ends_when_the_container_is_removed() {
    let s = TestServer::with_alpine().await;
    s.create_alpine("doomed", json!({"Cmd": ["sleep", "infinity"]}))
        .await;
    let mut before_start = s
        .ws(&format!(
            "{BASE}/containers/doomed/attach?stdout=1&stream=1"
        ))
        .await;
    let (status, _) = s.delete(&format!("{BASE}/containers/doomed")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let got = drain(&mut before_start).await;
    assert_eq!(got.stdout, "");

    s.run("doomed2", json!({"Cmd": ["sleep", "infinity"]}))
        .await;
    let mut ws = s
        .ws(&format!(
            "{BASE}/containers/doomed2/attach?stdout=1&stream=1"
        ))
        .await;
    let mut follow = s
        .ws(&format!("{BASE}/containers/doomed2/logs/stream?stdout=1"))
        .await;
    let (status, _) = s
        .delete(&format!("{BASE}/containers/doomed2?force=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(drain(&mut ws).await.close, Some((1000, "137".to_string())));
    assert_eq!(read_log_stream(&mut follow).await.1, Some(1000));
}
