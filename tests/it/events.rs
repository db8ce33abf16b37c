//! Black-box tests of `GET /internal/v1/events` (WebSocket).

use crate::common::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

fn events_path(query: &[(&str, String)]) -> String {
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    if q.is_empty() {
        format!("{BASE}/events")
    } else {
        format!("{BASE}/events?{}", q.join("&"))
    }
}

/// The next event, or a panic when the socket closes or nothing comes in time.
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("an event within the deadline")
            .expect("socket open")
            .expect("no socket error");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("JSON event"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Waits for a normal close, failing on any event before it.
async fn expect_normal_close(ws: &mut Ws) {
    let msg = tokio::time::timeout(DEADLINE, ws.next())
        .await
        .expect("a close within the deadline")
        .expect("socket open")
        .expect("no socket error");
    match msg {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected a normal close, got {other:?}"),
    }
}

/// (Type, Action, Actor.ID) of an event.
fn tai(ev: &Value) -> (String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&ev["Type"]), s(&ev["Action"]), s(&ev["Actor"]["ID"]))
}

/// Every event until the server's normal close.
async fn collect_until_close(ws: &mut Ws) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("a message within the deadline")
            .expect("socket open")
            .expect("no socket error");
        match msg {
            Message::Text(t) => out.push(serde_json::from_str(t.as_str()).expect("JSON event")),
            Message::Close(Some(frame)) => {
                assert_eq!(frame.code, CloseCode::Normal);
                return out;
            }
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// `time`/`timeNano` present, consistent, and in order; `scope` local.
fn check_times(events: &[Value]) {
    let mut last = 0i64;
    for ev in events {
        let nano = ev["timeNano"].as_i64().expect("timeNano");
        let secs = ev["time"].as_i64().expect("time");
        assert_eq!(secs, nano.div_euclid(1_000_000_000), "{ev}");
        assert!(nano >= last, "events out of order: {events:?}");
        assert_eq!(ev["scope"], "local");
        last = nano;
    }
}

/// A `until`/`since` value for an event's own time (unix seconds with nanos).
fn at(ev: &Value) -> String {
    let nano = ev["timeNano"].as_i64().expect("timeNano");
    format!(
        "{}.{:09}",
        nano.div_euclid(1_000_000_000),
        nano.rem_euclid(1_000_000_000)
    )
}

/// Creates n1 and v1, pulls alpine, then removes all three; returns the
/// network ID and the image ID.
async fn scenario(server: &TestServer) -> (String, String) {
    let (st, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name":"n1"}))
        .await;
    assert_eq!(st, 201, "{net}");
    let (st, vol) = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"v1"}))
        .await;
    assert_eq!(st, 201, "{vol}");
    let (st, pull) = server
        .post_empty(&format!("{BASE}/images/pull?fromImage=alpine"))
        .await;
    assert_eq!(st, 200, "{pull}");
    let (_, image) = server.get(&format!("{BASE}/images/alpine")).await;
    let image_id = image["Id"].as_str().expect("image Id").to_string();
    let (st, body) = server.delete(&format!("{BASE}/volumes/v1")).await;
    assert_eq!(st, 204, "{body}");
    let (st, body) = server.delete(&format!("{BASE}/networks/n1")).await;
    assert_eq!(st, 204, "{body}");
    let (st, body) = server.delete(&format!("{BASE}/images/alpine")).await;
    assert_eq!(st, 200, "{body}");
    (net["Id"].as_str().expect("Id").to_string(), image_id)
}

/// What [`scenario`] emits, as (Type, Action, Actor.ID, Actor.Attributes).
fn scenario_events(net: &str, image: &str) -> Vec<(String, String, String, Value)> {
    let e = |t: &str, a: &str, id: &str, attrs: Value| (t.into(), a.into(), id.into(), attrs);
    vec![
        e(
            "network",
            "create",
            net,
            json!({"name":"n1","type":"bridge"}),
        ),
        e("volume", "create", "v1", json!({"driver":"local"})),
        e("image", "pull", "alpine:latest", json!({"name":"alpine"})),
        e("volume", "destroy", "v1", json!({"driver":"local"})),
        e(
            "network",
            "destroy",
            net,
            json!({"name":"n1","type":"bridge"}),
        ),
        e("image", "untag", image, json!({"name": image})),
        e("image", "delete", image, json!({"name": image})),
    ]
}

fn shape(events: &[Value]) -> Vec<(String, String, String, Value)> {
    events
        .iter()
        .map(|ev| {
            let (t, a, id) = tai(ev);
            (t, a, id, ev["Actor"]["Attributes"].clone())
        })
        .collect()
}

/// The first `n` events since 0 (the whole history of a fresh server).
async fn first(server: &TestServer, n: usize) -> Vec<Value> {
    let mut ws = server.ws(&events_path(&[("since", "0".into())])).await;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(next_event(&mut ws).await);
    }
    out
}

async fn history(server: &TestServer, query: &[(&str, String)]) -> Vec<Value> {
    let mut ws = server.ws(&events_path(query)).await;
    collect_until_close(&mut ws).await
}

#[tokio::test]
async fn live_events_arrive_in_order() {
    let server = TestServer::start().await;
    // The subscription is taken before the upgrade is answered, so it is live
    // once `ws` returns.
    let mut ws = server.ws(&events_path(&[])).await;
    let (net, image) = scenario(&server).await;
    let want = scenario_events(&net, &image);
    let mut got = Vec::new();
    for _ in 0..want.len() {
        got.push(next_event(&mut ws).await);
    }
    assert_eq!(shape(&got), want);
    check_times(&got);
    // Nothing else: the next event is the next action's.
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"after"}))
        .await;
    assert_eq!(
        tai(&next_event(&mut ws).await),
        ("volume".into(), "create".into(), "after".into())
    );
}

#[tokio::test]
async fn without_since_history_is_not_replayed() {
    let server = TestServer::start().await;
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"old"}))
        .await;
    let mut ws = server.ws(&events_path(&[])).await;
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"new"}))
        .await;
    assert_eq!(tai(&next_event(&mut ws).await).2, "new");
}

#[tokio::test]
async fn since_replays_history_then_streams_live() {
    let server = TestServer::start().await;
    let (net, image) = scenario(&server).await;
    let want = scenario_events(&net, &image);
    let mut ws = server.ws(&events_path(&[("since", "0".into())])).await;
    let mut got = Vec::new();
    for _ in 0..want.len() {
        got.push(next_event(&mut ws).await);
    }
    assert_eq!(shape(&got), want);
    check_times(&got);
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"live"}))
        .await;
    assert_eq!(
        tai(&next_event(&mut ws).await),
        ("volume".into(), "create".into(), "live".into())
    );

    // `since` is inclusive, and RFC 3339 and durations work too.
    let mut ws = server.ws(&events_path(&[("since", at(&got[3]))])).await;
    assert_eq!(shape(&[next_event(&mut ws).await]), want[3..4]);
    let mut ws = server.ws(&events_path(&[("since", "1h".into())])).await;
    assert_eq!(shape(&[next_event(&mut ws).await]), want[..1]);
    let mut ws = server
        .ws(&events_path(&[("since", "2000-01-01T00:00:00Z".into())]))
        .await;
    assert_eq!(shape(&[next_event(&mut ws).await]), want[..1]);
}

#[tokio::test]
async fn until_in_the_past_ends_after_the_history() {
    let server = TestServer::start().await;
    let (net, image) = scenario(&server).await;
    let want = scenario_events(&net, &image);
    let all = history(&server, &[("since", "0".into()), ("until", "0.5".into())]).await;
    assert!(all.is_empty(), "{all:?}");

    let all = first(&server, want.len()).await;
    let end = at(&all[6]);
    let replayed = history(&server, &[("since", "0".into()), ("until", end.clone())]).await;
    assert_eq!(shape(&replayed), want);
    check_times(&replayed);
    // Docker replays the history for `until` alone as well.
    let alone = history(&server, &[("until", at(&all[6]))]).await;
    assert_eq!(shape(&alone), want);
    // Both bounds are inclusive.
    let window = history(&server, &[("since", at(&all[1])), ("until", at(&all[4]))]).await;
    assert_eq!(shape(&window), want[1..5]);
    // `since` equal to `until` is fine.
    let one = history(&server, &[("since", at(&all[2])), ("until", at(&all[2]))]).await;
    assert_eq!(shape(&one), want[2..3]);
}

#[tokio::test]
async fn until_in_the_future_streams_live_then_closes() {
    let server = TestServer::start().await;
    // No event at all: the stream still ends when `until` is reached.
    let mut ws = server.ws(&events_path(&[("until", "-300ms".into())])).await;
    expect_normal_close(&mut ws).await;

    let mut ws = server.ws(&events_path(&[("until", "-1s".into())])).await;
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"soon"}))
        .await;
    assert_eq!(tai(&next_event(&mut ws).await).2, "soon");
    expect_normal_close(&mut ws).await;
}

/// A query with `filters` plus `extra`.
fn filtered(filters: Value, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut q = vec![("filters", filters.to_string())];
    q.extend_from_slice(extra);
    q
}

#[tokio::test]
async fn filters_select_events_as_docker() {
    let server = TestServer::start().await;
    let (net, image) = scenario(&server).await;
    let want = scenario_events(&net, &image);
    let all = first(&server, want.len()).await;
    let bounds = [("since", "0".to_string()), ("until", at(&all[6]))];
    let pick = |idx: &[usize]| idx.iter().map(|&i| want[i].clone()).collect::<Vec<_>>();
    let cases: Vec<(Value, Vec<usize>)> = vec![
        (json!({"type":["volume"]}), vec![1, 3]),
        (json!({"type":["volume","network"]}), vec![0, 1, 3, 4]),
        (json!({"type":{"image":true}}), vec![2, 5, 6]),
        (json!({"type":["container"]}), vec![]),
        (json!({"event":["destroy"]}), vec![3, 4]),
        (json!({"event":["create","delete"]}), vec![0, 1, 6]),
        // Across keys: AND.
        (json!({"type":["network"],"event":["create"]}), vec![0]),
        (json!({"network":["n1"]}), vec![0, 4]),
        (json!({"network":[&net[..12]]}), vec![0, 4]),
        (json!({"volume":["v1"]}), vec![1, 3]),
        (json!({"volume":["n1"]}), vec![]),
        // Names match their own type only.
        (json!({"container":["n1"]}), vec![]),
        (json!({"image":["alpine"]}), vec![2]),
        (json!({"image":["alpine:latest"]}), vec![2]),
        (
            json!({"image":["docker.io/library/alpine:latest"]}),
            vec![2],
        ),
        (json!({"image":[&image]}), vec![5, 6]),
        (json!({"label":["driver=local"]}), vec![1, 3]),
        (json!({"label":["type"]}), vec![0, 4]),
        (json!({"scope":["local"]}), vec![0, 1, 2, 3, 4, 5, 6]),
        (json!({"scope":["swarm"]}), vec![]),
        // A key with no values restricts nothing.
        (json!({"volume":null}), vec![0, 1, 2, 3, 4, 5, 6]),
    ];
    for (f, idx) in cases {
        let got = history(&server, &filtered(f.clone(), &bounds)).await;
        assert_eq!(shape(&got), pick(&idx), "filters {f}");
    }

    // Live events are filtered too.
    let mut ws = server
        .ws(&events_path(&filtered(json!({"type":["volume"]}), &[])))
        .await;
    let _ = server
        .post(&format!("{BASE}/networks"), json!({"Name":"skipped"}))
        .await;
    let _ = server
        .post(&format!("{BASE}/volumes"), json!({"Name":"seen"}))
        .await;
    assert_eq!(
        tai(&next_event(&mut ws).await),
        ("volume".into(), "create".into(), "seen".into())
    );
}

#[tokio::test]
async fn bad_parameters_are_refused_before_the_upgrade() {
    let server = TestServer::start().await;
    let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
        (
            vec![("since", "x".into())],
            "strconv.ParseInt: parsing \"x\": invalid syntax",
        ),
        (
            vec![("until", "yesterday".into())],
            "strconv.ParseInt: parsing \"yesterday\": invalid syntax",
        ),
        (
            vec![("since", "200".into()), ("until", "100".into())],
            "`since` time (200) cannot be after `until` time (100)",
        ),
    ];
    for (query, message) in cases {
        let path = events_path(&query);
        let err = server.try_ws(&path).await.expect_err("refused");
        assert_eq!(err.0, 400, "{path}");
        let body: Value = serde_json::from_str(&err.1).expect("JSON error body");
        assert_eq!(body, json!({ "message": message }), "{path}");
    }
    let err = server
        .try_ws(&format!("{BASE}/events?filters=%7Bnot-json"))
        .await
        .expect_err("refused");
    assert_eq!(err.0, 400);

    let (status, body) = server.get(&format!("{BASE}/events")).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("upgrade required")),
        "{body}"
    );
}

/// Reads text messages until `n` events arrived (with a deadline).
async fn next_events(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::UnixStream>,
    n: usize,
) -> Vec<serde_json::Value> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    while out.len() < n {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("an event within the deadline")
            .expect("stream open")
            .expect("message");
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            out.push(serde_json::from_str(t.as_str()).expect("json event"));
        }
    }
    out
}

#[tokio::test]
async fn a_full_container_lifecycle_emits_docker_events_in_order() {
    let server = TestServer::start().await;
    let r = server
        .call(
            http::Method::POST,
            "/internal/v1/images/pull?fromImage=alpine",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let mut ws = server
        .ws("/internal/v1/events?filters=%7B%22type%22%3A%5B%22container%22%2C%22network%22%5D%7D")
        .await;
    let (status, body) = server
        .post(
            "/internal/v1/containers?name=life",
            serde_json::json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "Labels": {"team": "a"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["Id"].as_str().unwrap().to_string();
    for step in [
        "/start",
        "/pause",
        "/unpause",
        "/rename?name=life2",
        "/stop?t=5",
    ] {
        let (status, body) = server
            .post_empty(&format!("/internal/v1/containers/{id}{step}"))
            .await;
        assert_eq!(status, 204, "{step}: {body}");
    }
    let (status, _) = server
        .delete(&format!("/internal/v1/containers/{id}"))
        .await;
    assert_eq!(status, 204);
    let events = next_events(&mut ws, 10).await;
    let seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["Type"].as_str().unwrap_or("").to_string(),
                e["Action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("container", "create"),
        ("network", "connect"),
        ("container", "start"),
        ("container", "pause"),
        ("container", "unpause"),
        ("container", "rename"),
        ("container", "kill"),
        ("container", "die"),
        ("network", "disconnect"),
        ("container", "stop"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(seen, want);
    let last = next_events(&mut ws, 1).await;
    assert_eq!(last[0]["Action"], "destroy");
    for e in events.iter().chain(last.iter()) {
        if e["Type"] == "container" {
            assert_eq!(e["Actor"]["ID"], id.as_str());
            assert_eq!(e["Actor"]["Attributes"]["image"], "alpine");
            assert_eq!(e["Actor"]["Attributes"]["team"], "a");
        } else {
            assert_eq!(e["Actor"]["Attributes"]["container"], id.as_str());
            assert_eq!(e["Actor"]["Attributes"]["name"], "bridge");
        }
        assert!(e["time"].as_i64().unwrap() > 0);
        assert!(e["timeNano"].as_i64().unwrap() / 1_000_000_000 == e["time"].as_i64().unwrap());
    }
    assert_eq!(events[6]["Actor"]["Attributes"]["signal"], "15");
    assert_eq!(events[7]["Actor"]["Attributes"]["exitCode"], "143");
    assert_eq!(events[5]["Actor"]["Attributes"]["oldName"], "/life");
    assert_eq!(events[5]["Actor"]["Attributes"]["name"], "life2");
}

#[tokio::test]
async fn volumes_are_mounted_at_start_and_unmounted_at_stop() {
    let server = TestServer::start().await;
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/images/pull?fromImage=alpine"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let (status, body) = server
        .post(
            &format!("{BASE}/containers?name=vm"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"Binds": ["data:/data:ro"]}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["Id"].as_str().unwrap().to_string();
    let mut ws = server
        .ws(&events_path(&[(
            "filters",
            r#"{"type":["volume"]}"#.to_string(),
        )]))
        .await;
    assert_eq!(
        server
            .post_empty(&format!("{BASE}/containers/vm/start"))
            .await
            .0,
        204
    );
    assert_eq!(
        server
            .post_empty(&format!("{BASE}/containers/vm/stop?t=1"))
            .await
            .0,
        204
    );
    let events = next_events(&mut ws, 2).await;
    assert_eq!(events[0]["Action"], "mount");
    assert_eq!(events[0]["Actor"]["ID"], "data");
    assert_eq!(events[0]["Actor"]["Attributes"]["container"], id.as_str());
    assert_eq!(events[0]["Actor"]["Attributes"]["destination"], "/data");
    assert_eq!(events[0]["Actor"]["Attributes"]["read/write"], "false");
    assert_eq!(events[1]["Action"], "unmount");
    assert_eq!(events[1]["Actor"]["ID"], "data");
}
