//! Seed and clock controls: byte-identical replays, the frozen clock, config.

use super::*;

/// A request sequence touching every generated value: IDs (container, network,
/// exec, volume, endpoint), names, PIDs, IPs and host ports.
async fn sequence(s: &TestServer) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |r: Reply| out.push(format!("{} {}", r.status, r.text()));
    let c = |m: Method, p: &str, b: Option<Value>| {
        let p = p.to_string();
        async move { s.call(m, &p, b).await }
    };
    push(
        c(
            Method::POST,
            &format!("{BASE}/images/pull?fromImage=alpine"),
            None,
        )
        .await,
    );
    push(
        c(
            Method::POST,
            &format!("{BASE}/networks"),
            Some(json!({"Name": "app"})),
        )
        .await,
    );
    push(c(Method::POST, &format!("{BASE}/volumes"), Some(json!({}))).await);
    push(
        c(
            Method::POST,
            &format!("{BASE}/containers?name=db"),
            Some(json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
                        "HostConfig": {"NetworkMode": "app", "PortBindings": {"5432/tcp": [{"HostPort": ""}]}}})),
        )
        .await,
    );
    push(
        c(
            Method::POST,
            &format!("{BASE}/containers"),
            Some(json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]})),
        )
        .await,
    );
    push(c(Method::POST, &format!("{BASE}/containers/db/start"), None).await);
    push(c(Method::GET, &format!("{BASE}/containers/db"), None).await);
    let (_, list) = s.get(&format!("{BASE}/containers?all=1")).await;
    push(c(Method::GET, &format!("{BASE}/containers?all=1"), None).await);
    let unnamed = list[1]["Id"].as_str().unwrap_or_default().to_string();
    push(
        c(
            Method::POST,
            &format!("{BASE}/containers/{unnamed}/start"),
            None,
        )
        .await,
    );
    push(c(Method::GET, &format!("{BASE}/containers/{unnamed}"), None).await);
    let r = c(
        Method::POST,
        &format!("{BASE}/containers/db/exec"),
        Some(json!({"Cmd": ["true"]})),
    )
    .await;
    let exec: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    push(r);
    let exec_id = exec["Id"].as_str().unwrap_or_default().to_string();
    push(c(Method::GET, &format!("{BASE}/exec/{exec_id}"), None).await);
    push(c(Method::GET, &format!("{BASE}/networks/app"), None).await);
    push(c(Method::GET, &format!("{BASE}/volumes"), None).await);
    push(c(Method::GET, &format!("{BASE}/containers/db/top"), None).await);
    out
}

#[tokio::test]
async fn a_seed_and_a_clock_start_make_replays_byte_identical() {
    let options = || MemoryOptions {
        seed: Some(42),
        clock_start: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        ..Default::default()
    };
    let a = sequence(&TestServer::with_options(options()).await).await;
    let b = sequence(&TestServer::with_options(options()).await).await;
    assert_eq!(a, b);
    // Created is the clock's start.
    assert!(
        a[6].contains("\"Created\":\"2023-11-14T22:13:20Z\""),
        "{}",
        a[6]
    );
    // Another seed gives other IDs.
    let c = sequence(
        &TestServer::with_options(MemoryOptions {
            seed: Some(43),
            ..options()
        })
        .await,
    )
    .await;
    assert_ne!(a[3], c[3]);
}

/// Blanks RFC 3339 timestamps and unix-seconds `Created` fields.
fn without_timestamps(s: &str) -> String {
    let re = regex::Regex::new(
        r#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)|"Created":\d+|Up [^"]*|ago|"\d\d:\d\d""#,
    )
    .unwrap();
    re.replace_all(s, "<T>").into_owned()
}

#[tokio::test]
async fn a_seed_alone_makes_replays_identical_apart_from_timestamps() {
    async fn run(seed_at_start: bool) -> Vec<String> {
        let s = if seed_at_start {
            TestServer::with_options(MemoryOptions {
                seed: Some(5),
                ..Default::default()
            })
            .await
        } else {
            let s = TestServer::start().await;
            let (st, _) = s.post(&format!("{MEM}/seed"), json!({"seed": 5})).await;
            assert_eq!(st, StatusCode::OK);
            // The predefined networks were drawn before the seed: a reset draws
            // them again, from the seed.
            let r = s.call(Method::POST, &format!("{MEM}/reset"), None).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT);
            s
        };
        sequence(&s)
            .await
            .iter()
            .map(|r| without_timestamps(r))
            .collect()
    }
    assert_eq!(run(true).await, run(true).await);
    // Seeding at run time is reproducible too.
    assert_eq!(run(false).await, run(false).await);
}

#[tokio::test]
async fn the_frozen_clock_moves_only_when_told() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let s = TestServer::with_options(MemoryOptions {
        clock_start: Some(start),
        ..Default::default()
    })
    .await;
    let (st, v) = s.get(&format!("{MEM}/clock")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v, json!({"now": "2023-11-14T22:13:20Z", "frozen": true}));
    let (st, v) = s
        .post(&format!("{MEM}/clock"), json!({"advance": "90s"}))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["now"], "2023-11-14T22:14:50Z");
    let (st, v) = s
        .post(
            &format!("{MEM}/clock"),
            json!({"set": "2024-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["now"], "2024-01-01T00:00:00Z");
    s.pull("alpine").await;
    s.create_ok(Some("tt"), json!({"Image": "alpine"})).await;
    let (_, c) = s.get(&format!("{BASE}/containers/tt")).await;
    assert_eq!(c["Created"], "2024-01-01T00:00:00Z");
    let (st, _) = s
        .post(&format!("{MEM}/clock"), json!({"advance": "soon"}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = s.post(&format!("{MEM}/seed"), json!({"seed": "x"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn config_shows_the_effective_settings() {
    let s = TestServer::with_options(MemoryOptions {
        seed: Some(3),
        profile: Profile::Ecs,
        faults: vec![FaultSpec {
            operation: "info".into(),
            reference: None,
            status: Some(503),
            message: None,
            probability: None,
            after: 0,
            times: Some(1),
            latency: None,
        }],
        ..Default::default()
    })
    .await;
    let (st, v) = s.get(&format!("{MEM}/config")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["seed"], 3);
    assert_eq!(v["profile"], "ecs");
    assert_eq!(v["log_limit"], 1024 * 1024);
    assert_eq!(v["rules"], json!({"scripts": 0, "faults": 1}));
    assert_eq!(v["clock"]["frozen"], false);
    assert_eq!(v["state_file"], Value::Null);
    let (st, _) = s.get(&format!("{MEM}/nothing")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
