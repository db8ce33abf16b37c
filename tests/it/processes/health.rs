//! Health checks: starting to healthy, unhealthy retries, image config and none.

use super::*;

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
