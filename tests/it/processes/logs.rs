//! Container logs: tail, timestamps, since/until, follow and the log bound.

use super::*;

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
