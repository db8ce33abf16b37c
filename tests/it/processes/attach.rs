//! Attach: stdin, output from the first byte, several clients, logs replay, stdin-once.

use super::*;

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
