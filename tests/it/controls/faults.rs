//! Fault rules: counts, failed creates, validation, latency and seeded probability.

use super::*;

#[tokio::test]
async fn a_fault_fires_exactly_times_after_after_calls() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    let id = s.create_ok(Some("web"), json!({"Image": "alpine"})).await;
    let (st, rule) = s
        .post(
            &format!("{MEM}/faults"),
            json!({"operation": "container_inspect", "reference": "web", "status": 503,
                   "message": "try later", "after": 2, "times": 3}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rule}");
    let mut statuses = Vec::new();
    for i in 0..7 {
        // By name and by ID: the rule's reference names the container.
        let r = if i % 2 == 0 {
            "web".to_string()
        } else {
            id.clone()
        };
        let (st, v) = s.get(&format!("{BASE}/containers/{r}")).await;
        if st == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(v, json!({"message": "try later"}));
        }
        statuses.push(st.as_u16());
    }
    assert_eq!(statuses, [200, 200, 503, 503, 503, 200, 200]);
    // Other operations and other containers are untouched.
    let (st, _) = s.get(&format!("{BASE}/containers?all=1")).await;
    assert_eq!(st, StatusCode::OK);
    let rule_id = rule["id"].as_u64().unwrap();
    let (_, r) = s.get(&format!("{MEM}/faults/{rule_id}")).await;
    assert_eq!(
        (r["calls"].clone(), r["fired"].clone()),
        (json!(7), json!(3))
    );
    let r = s
        .call(Method::DELETE, &format!("{MEM}/faults/{rule_id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let (st, _) = s.get(&format!("{MEM}/faults/{rule_id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_faulted_create_leaves_no_state() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    let (st, _) = s
        .post(
            &format!("{MEM}/faults"),
            json!({"operation": "container_create", "status": 500, "times": 1}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, v) = s
        .post(
            &format!("{BASE}/containers?name=xx"),
            json!({"Image": "alpine", "HostConfig": {"Binds": ["vol1:/data"]}}),
        )
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(v, json!({"message": "injected fault"}));
    let (_, list) = s.get(&format!("{BASE}/containers?all=1")).await;
    assert_eq!(list, json!([]));
    let (_, vols) = s.get(&format!("{BASE}/volumes")).await;
    assert_eq!(vols["Volumes"], json!([]));
    // One-shot: the next create works and the name was never taken.
    s.create_ok(Some("xx"), json!({"Image": "alpine"})).await;
}

#[tokio::test]
async fn fault_rules_that_do_not_validate_are_400() {
    let s = TestServer::start().await;
    for bad in [
        json!({"operation": "container_frobnicate", "status": 500}),
        json!({"operation": "capabilities", "status": 500}),
        json!({"operation": "container_start"}),
        json!({"operation": "container_start", "status": 200}),
        json!({"operation": "container_start", "status": 500, "probability": 2}),
        json!({"operation": "container_start", "latency": "later"}),
        json!({"operation": "container_start", "status": 500, "colour": "red"}),
    ] {
        let (st, v) = s.post(&format!("{MEM}/faults"), bad.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    let (_, list) = s.get(&format!("{MEM}/faults")).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn latency_rules_delay_the_operation() {
    // A cloud backend's slow container start, shortened.
    let s = TestServer::with_options(MemoryOptions {
        faults: vec![FaultSpec {
            operation: "container_start".into(),
            reference: None,
            status: None,
            message: None,
            probability: None,
            after: 0,
            times: None,
            latency: Some("150ms".into()),
        }],
        ..Default::default()
    })
    .await;
    s.pull("alpine").await;
    s.create_ok(
        Some("slow"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
    )
    .await;
    let before = tokio::time::Instant::now();
    s.start_container("slow").await;
    assert!(before.elapsed() >= Duration::from_millis(150));
    assert_eq!(s.state("slow").await["Status"], "running");
}

#[tokio::test]
async fn probability_draws_come_from_the_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let s = TestServer::with_options(MemoryOptions {
            seed: Some(seed),
            ..Default::default()
        })
        .await;
        let (st, _) = s
            .post(
                &format!("{MEM}/faults"),
                json!({"operation": "info", "status": 500, "probability": 0.5}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let mut out = Vec::new();
        for _ in 0..32 {
            out.push(s.get(&format!("{BASE}/info")).await.0.as_u16());
        }
        out
    }
    let a = pattern(11).await;
    assert_eq!(a, pattern(11).await);
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
}
