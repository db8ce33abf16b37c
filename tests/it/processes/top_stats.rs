//! The top and stats routes.

use super::*;

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

    // A container that is not running has no pids: Docker writes `{}`.
    let (_, v) = s
        .get(&format!("{BASE}/containers/stat/stats?stream=false"))
        .await;
    assert_eq!(v["pids_stats"], json!({}), "{v}");
}
