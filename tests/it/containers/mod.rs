//! Black-box tests of the container routes: create, inspect, the lifecycle,
//! list and its filters, rename, remove, prune, wait, and how containers hold
//! names, networks and volumes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use serde_json::{json, Value};
use sockerless::http::ServeOptions;
use sockerless::MemoryBackend;
use tokio::net::UnixStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

mod create;
mod failures;
mod lifecycle;
mod list;
mod networks;
mod remove;
mod volumes;
mod wait;

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
const T: Duration = Duration::from_secs(10);

/// Creates an alpine container running `sleep infinity`; returns its ID.
async fn create_sleeper(server: &TestServer, name: Option<&str>) -> String {
    server
        .create_ok(
            name,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
        )
        .await
}

async fn run_sleeper(server: &TestServer, name: Option<&str>) -> String {
    let id = create_sleeper(server, name).await;
    server.start_container(&id).await;
    id
}

async fn op(server: &TestServer, r: &str, verb: &str) -> (StatusCode, Value) {
    server
        .post_empty(&format!("{BASE}/containers/{r}/{verb}"))
        .await
}

async fn remove(server: &TestServer, r: &str, query: &str) -> (StatusCode, Value) {
    server
        .delete(&format!("{BASE}/containers/{r}{query}"))
        .await
}

async fn list(server: &TestServer, query: &str) -> Vec<Value> {
    let (status, body) = server.get(&format!("{BASE}/containers{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("array").clone()
}

async fn list_filtered(server: &TestServer, all: bool, filters: Value) -> (StatusCode, Value) {
    let all = if all { "all=1&" } else { "" };
    server
        .get(&format!(
            "{BASE}/containers?{all}filters={}",
            percent_encode(&filters.to_string())
        ))
        .await
}

async fn ids_filtered(server: &TestServer, filters: Value) -> Vec<String> {
    let (status, body) = list_filtered(server, true, filters.clone()).await;
    assert_eq!(status, StatusCode::OK, "{filters}: {body}");
    ids(&body)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|c| c["Id"].as_str().expect("Id").to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Asserts the State fields every transition must keep consistent.
fn assert_state(c: &Value, status: &str, exit_code: i64) {
    let s = &c["State"];
    assert_eq!(s["Status"], status, "{s}");
    let running = matches!(status, "running" | "paused");
    assert_eq!(s["Running"], running, "{s}");
    assert_eq!(s["Paused"], status == "paused", "{s}");
    assert_eq!(s["Restarting"], false, "{s}");
    assert_eq!(s["Dead"], false, "{s}");
    assert_eq!(s["ExitCode"], exit_code, "{s}");
    let pid = s["Pid"].as_i64().expect("Pid");
    if running {
        assert!(pid > 0, "{s}");
    } else {
        assert_eq!(pid, 0, "{s}");
    }
    match status {
        "created" => {
            assert_eq!(s["StartedAt"], ZERO_TIME);
            assert_eq!(s["FinishedAt"], ZERO_TIME);
        }
        "running" | "paused" => assert_ne!(s["StartedAt"], ZERO_TIME),
        _ => {
            assert_ne!(s["StartedAt"], ZERO_TIME);
            assert_ne!(s["FinishedAt"], ZERO_TIME);
        }
    }
}

async fn wait_ws(server: &TestServer, r: &str, condition: &str) -> WebSocketStream<UnixStream> {
    server
        .ws(&format!("{BASE}/containers/{r}/wait?condition={condition}"))
        .await
}

/// Reads the one wait message, then expects a normal close.
async fn wait_result(ws: &mut WebSocketStream<UnixStream>) -> Value {
    let msg = tokio::time::timeout(T, ws.next())
        .await
        .expect("wait message in time")
        .expect("a message")
        .expect("no error");
    let Message::Text(text) = msg else {
        panic!("expected text, got {msg:?}");
    };
    let v: Value = serde_json::from_str(text.as_str()).expect("json");
    let next = tokio::time::timeout(T, ws.next())
        .await
        .expect("close in time");
    match next {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 1000)
        }
        other => panic!("expected a normal close, got {other:?}"),
    }
    v
}

/// Asserts that nothing has arrived on the socket yet (without waiting long:
/// the state change it would report has not happened).
async fn assert_pending(ws: &mut WebSocketStream<UnixStream>) {
    let got = tokio::time::timeout(Duration::from_millis(50), ws.next()).await;
    assert!(got.is_err(), "unexpected message {got:?}");
}

async fn network(server: &TestServer, name: &str) -> Value {
    let (status, body) = server.get(&format!("{BASE}/networks/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The network's Containers map and the container's NetworkSettings agree:
/// a container is configured for the network, and listed by it (with its
/// address) only while it runs, as Docker has endpoints only then.
async fn assert_membership(server: &TestServer, net: &str, id: &str, ip: Option<&str>) {
    let n = network(server, net).await;
    let c = server.inspect_container(id).await;
    let member = &n["Containers"][id];
    let settings = &c["NetworkSettings"]["Networks"][net];
    assert!(settings.is_object(), "{id} lacks {net}: {c}");
    if c["State"]["Running"] != true {
        assert!(
            member.is_null(),
            "{net} lists {id}, which is not running: {n}"
        );
        assert_eq!(settings["IPAddress"], "");
        assert_eq!(ip, None, "{id} is not running: {c}");
        return;
    }
    assert!(member.is_object(), "{net} lacks {id}: {n}");
    assert_eq!(
        member["Name"],
        c["Name"].as_str().unwrap().trim_start_matches('/')
    );
    if c["State"]["StartedAt"] == "0001-01-01T00:00:00Z" {
        // Docker fills the endpoint when the container first starts.
        assert_eq!(settings["EndpointID"], "");
        assert_eq!(settings["NetworkID"], "");
    } else {
        assert_eq!(member["EndpointID"], settings["EndpointID"]);
        assert_eq!(settings["NetworkID"], n["Id"]);
    }
    assert_eq!(member["MacAddress"], settings["MacAddress"]);
    match ip {
        Some(ip) => {
            assert_eq!(settings["IPAddress"], ip);
            let prefix = settings["IPPrefixLen"].as_i64().unwrap();
            assert_eq!(member["IPv4Address"], format!("{ip}/{prefix}"));
            let gw = n["IPAM"]["Config"][0]["Gateway"].clone();
            assert_eq!(settings["Gateway"], gw);
            assert_ne!(settings["MacAddress"], "");
        }
        None => {
            assert_eq!(settings["IPAddress"], "");
            assert_eq!(member["IPv4Address"], "");
        }
    }
}

async fn assert_not_member(server: &TestServer, net: &str, id: &str) {
    let n = network(server, net).await;
    assert!(n["Containers"].get(id).is_none(), "{n}");
    if let Some(c) = server
        .get(&format!("{BASE}/containers/{id}"))
        .await
        .1
        .get("NetworkSettings")
    {
        assert!(c["Networks"].get(net).is_none(), "{c}");
    }
}
