//! Profiles, and label filters across remove, reset and snapshot load.

use super::*;

#[tokio::test]
async fn a_faas_profile_reports_its_capabilities_and_refuses_what_it_lacks() {
    let s = TestServer::with_options(MemoryOptions {
        profile: Profile::Lambda,
        ..Default::default()
    })
    .await;
    let (_, caps) = s.get(&format!("{BASE}/capabilities")).await;
    assert_eq!(
        caps["capabilities"],
        json!({"exec": false, "attach": false, "logs": true, "logs_follow": false,
               "volumes": false, "networks": false, "health_checks": false,
               "image_pull": true, "image_load": false, "archive": false,
               "max_timeout_seconds": 900, "agent_required": false})
    );
    assert_eq!(caps["backend"], "lambda");
    s.pull("alpine").await;
    s.create_ok(
        Some("fn"),
        json!({"Image": "alpine", "Cmd": ["echo", "hi"]}),
    )
    .await;
    let (st, v) = s
        .post(
            &format!("{BASE}/containers/fn/exec"),
            json!({"Cmd": ["ls"]}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(v["message"], "This backend (lambda) does not support exec");
    let (st, v) = s.get(&format!("{BASE}/networks")).await;
    assert_eq!(st, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        v["message"],
        "This backend (lambda) does not support networks"
    );
    let (st, _) = s
        .post(&format!("{BASE}/volumes"), json!({"Name": "v1"}))
        .await;
    assert_eq!(st, StatusCode::NOT_IMPLEMENTED);
    let err = s
        .try_ws(&format!("{BASE}/containers/fn/attach?stream=1&stdout=1"))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 501, "{}", err.1);
    let err = s
        .try_ws(&format!("{BASE}/containers/fn/logs/stream?stdout=1"))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 501);
    assert!(err.1.contains("does not support logs_follow"), "{}", err.1);
    // What it has works.
    s.start_container("fn").await;
    let r = s
        .call(
            Method::GET,
            &format!("{BASE}/containers/fn/logs?stdout=1"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn container_and_docker_profiles() {
    for (profile, agent) in [
        (Profile::Ecs, true),
        (Profile::CloudRun, true),
        (Profile::Aca, true),
        (Profile::Docker, false),
    ] {
        let s = TestServer::with_options(MemoryOptions {
            profile,
            ..Default::default()
        })
        .await;
        let (_, caps) = s.get(&format!("{BASE}/capabilities")).await;
        assert_eq!(caps["backend"], profile.name());
        let c = &caps["capabilities"];
        assert_eq!(c["agent_required"], agent, "{caps}");
        assert_eq!(c["exec"], true);
        assert_eq!(c["max_timeout_seconds"], 0);
        let (st, _) = s.get(&format!("{BASE}/networks")).await;
        assert_eq!(st, StatusCode::OK);
    }
    for (profile, max) in [(Profile::Gcf, 3600), (Profile::Azf, 600)] {
        let caps = profile.capabilities();
        assert_eq!(caps.capabilities.max_timeout_seconds, max);
        assert!(!caps.capabilities.exec && !caps.capabilities.agent_required);
    }
    // The default stays the seed's capabilities.
    let s = TestServer::start().await;
    let (_, caps) = s.get(&format!("{BASE}/capabilities")).await;
    assert_eq!(caps["backend"], "memory");
    assert_eq!(caps["capabilities"]["agent_required"], false);
}

#[tokio::test]
async fn a_stop_in_flight_ends_with_the_reset() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    s.create_ok(
        Some("stubborn"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.ignore-sigterm": "true"}}),
    )
    .await;
    s.start_container("stubborn").await;
    let mut events = s
        .ws(&format!(
            "{BASE}/events?filters=%7B%22event%22%3A%5B%22kill%22%5D%7D"
        ))
        .await;
    let stop = {
        let req = request(
            Method::POST,
            &format!("{BASE}/containers/stubborn/stop?t=60"),
            None,
        );
        let socket = s.socket.clone();
        tokio::spawn(async move {
            let stream = tokio::net::UnixStream::connect(socket).await.unwrap();
            send_on(stream, req).await.status
        })
    };
    // The stop has sent its SIGTERM (and now waits 60 s to kill).
    let kill = wait_message(&mut events).await;
    assert_eq!(kill["Action"], "kill", "{kill}");
    let r = s.call(Method::POST, &format!("{MEM}/reset"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let status = tokio::time::timeout(DEADLINE, stop)
        .await
        .expect("the stop ends with the reset")
        .unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test(start_paused = true)]
async fn profile_latency_delays_container_start_under_the_paused_clock() {
    let b = MemoryBackend::with_options(MemoryOptions {
        profile: Profile::Ecs,
        profile_latency: true,
        ..Default::default()
    });
    let t0 = tokio::time::Instant::now();
    b.before(sockerless::Operation::ContainerStart, Some("x"))
        .await
        .expect("no fault");
    assert!(
        t0.elapsed() >= Duration::from_secs(30),
        "{:?}",
        t0.elapsed()
    );
    let t1 = tokio::time::Instant::now();
    b.before(sockerless::Operation::ContainerInspect, Some("x"))
        .await
        .expect("no fault");
    assert_eq!(t1.elapsed(), Duration::ZERO);
    // Without the flag the profile adds nothing.
    let b = MemoryBackend::with_options(MemoryOptions {
        profile: Profile::Ecs,
        ..Default::default()
    });
    let t2 = tokio::time::Instant::now();
    b.before(sockerless::Operation::ContainerStart, None)
        .await
        .expect("no fault");
    assert_eq!(t2.elapsed(), Duration::ZERO);
}

/// Names of the containers a label filter lists (all states).
async fn labelled(s: &TestServer, filter: &str) -> Vec<String> {
    let q = percent_encode(&json!({ "label": [filter] }).to_string());
    let (status, list) = s.get(&format!("{BASE}/containers?all=1&filters={q}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut names: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["Names"][0].as_str().unwrap_or("").to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn label_filters_follow_remove_reset_and_snapshot_load() {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    s.create_ok(
        Some("l1"),
        json!({"Image": "alpine", "Labels": {"job": "1", "team": "a"}}),
    )
    .await;
    s.create_ok(
        Some("l2"),
        json!({"Image": "alpine", "Labels": {"job": "2", "team": "a"}}),
    )
    .await;
    assert_eq!(labelled(&s, "team=a").await, vec!["/l1", "/l2"]);
    assert_eq!(labelled(&s, "job").await, vec!["/l1", "/l2"]);
    assert_eq!(labelled(&s, "job=2").await, vec!["/l2"]);
    assert_eq!(
        s.delete(&format!("{BASE}/containers/l2")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(labelled(&s, "team=a").await, vec!["/l1"]);
    assert!(labelled(&s, "job=2").await.is_empty());

    // A snapshot loaded into a fresh server is found by its labels there.
    let fresh = s.copy_to_fresh_server().await;
    assert_eq!(labelled(&fresh, "team=a").await, vec!["/l1"]);

    // After a reset nothing is found.
    assert_eq!(
        s.post_empty(&format!("{BASE}/memory/reset")).await.0,
        StatusCode::NO_CONTENT
    );
    assert!(labelled(&s, "team=a").await.is_empty());
    assert!(labelled(&s, "job").await.is_empty());
}
