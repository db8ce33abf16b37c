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

// ---------------------------------------------------------------- lifecycle

#[tokio::test]
async fn whole_lifecycle_with_inspect_after_each_step() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("life")).await;
    let c = server.inspect_container(&id).await;
    assert_state(&c, "created", 0);
    assert_eq!(c["Id"], id);
    assert_eq!(c["Name"], "/life");
    assert_eq!(c["Path"], "sleep");
    assert_eq!(c["Args"], json!(["infinity"]));
    assert_eq!(c["RestartCount"], 0);
    assert_eq!(c["Platform"], "linux");
    assert!(c["Image"].as_str().unwrap().starts_with("sha256:"));
    let (_, image) = server.get(&format!("{BASE}/images/alpine")).await;
    assert_eq!(c["Image"], image["Id"]);

    server.start_container("life").await;
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    let pid = c["State"]["Pid"].clone();

    let (status, _) = op(&server, "life", "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "paused", 0);
    assert_eq!(c["State"]["Pid"], pid);

    let (status, _) = op(&server, "life", "unpause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    assert_eq!(c["State"]["Pid"], pid);

    let (status, _) = op(&server, "life", "stop").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "exited", 143);
    let finished = c["State"]["FinishedAt"].clone();

    server.start_container("life").await;
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);
    assert_eq!(
        c["State"]["FinishedAt"], finished,
        "FinishedAt keeps the last exit"
    );

    let (status, _) = op(&server, "life", "kill").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "exited", 137);

    let (status, _) = op(&server, "life", "restart").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life").await;
    assert_state(&c, "running", 0);

    let (status, _) = op(&server, "life", "restart?t=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c2 = server.inspect_container("life").await;
    assert_state(&c2, "running", 0);
    assert_ne!(c2["State"]["StartedAt"], c["State"]["StartedAt"]);

    let (status, _) = op(&server, "life", "rename?name=life2").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container("life2").await;
    assert_eq!(c["Name"], "/life2");
    let (status, body) = server.get(&format!("{BASE}/containers/life")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("No such container: life"));

    let (status, body) = remove(&server, "life2", "?force=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = server.get(&format!("{BASE}/containers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message(&format!("No such container: {id}")));
    // The name is free again.
    create_sleeper(&server, Some("life")).await;
    create_sleeper(&server, Some("life2")).await;
}

#[tokio::test]
async fn restart_from_created_and_stop_of_paused() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let (status, _) = op(&server, &id, "restart").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = op(&server, &id, "stop").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container(&id).await;
    assert_eq!(c["State"]["Status"], "exited");
    assert_eq!(c["State"]["Paused"], false);
    assert_eq!(c["State"]["Pid"], 0);
}

#[tokio::test]
async fn simulated_exit_codes() {
    let server = TestServer::with_alpine().await;
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"]}),
        )
        .await;
    let mut ws = wait_ws(&server, &id, "next-exit").await;
    server.start_container(&id).await;
    assert_eq!(
        wait_result(&mut ws).await,
        json!({"StatusCode": 3, "Error": null})
    );
    assert_state(&server.inspect_container(&id).await, "exited", 3);
    // An exited container: start again, it exits again.
    let mut ws = wait_ws(&server, &id, "next-exit").await;
    server.start_container(&id).await;
    assert_eq!(wait_result(&mut ws).await["StatusCode"], 3);
    // An unknown command keeps running.
    let nginx = server
        .create_ok(None, json!({"Image": "alpine", "Cmd": ["nginx"]}))
        .await;
    server.start_container(&nginx).await;
    assert_state(&server.inspect_container(&nginx).await, "running", 0);
}

#[tokio::test]
async fn no_op_statuses_have_no_body() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/containers/{id}/stop"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    server.start_container(&id).await;
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/containers/{id}/start"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = op(&server, &id, "stop").await;
    assert_eq!((status, body), (StatusCode::NOT_MODIFIED, Value::Null));
}

#[tokio::test]
async fn lifecycle_errors_in_dockers_words() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("errs")).await;

    let (status, body) = op(&server, "errs", "kill").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(&format!(
            "Cannot kill container: errs: container {id} is not running"
        ))
    );
    let (status, body) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("container {id} is not running")));
    let (status, body) = op(&server, "errs", "unpause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Container {id} is not paused")));

    server.start_container("errs").await;
    let (status, body) = op(&server, "errs", "kill?signal=FOO").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("Invalid signal: FOO"));
    let (status, body) = op(&server, "errs", "stop?signal=NOPE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("Invalid signal: NOPE"));
    assert_state(&server.inspect_container("errs").await, "running", 0);
    let (status, body) = remove(&server, "errs", "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("cannot remove container \"/errs\": container is running: stop the container before removing or force remove")
    );

    let (status, _) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = op(&server, "errs", "pause").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Container {id} is already paused")));
    let (status, body) = op(&server, "errs", "start").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("cannot start a paused container, try unpause instead")
    );
    let (status, body) = remove(&server, "errs", "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(
            "cannot remove container \"/errs\": container is paused and must be unpaused first"
        )
    );
    assert_state(&server.inspect_container("errs").await, "paused", 0);
    let (status, _) = remove(&server, "errs", "?force=true").await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Every route: 404 for an unknown container.
    for verb in [
        "start",
        "stop",
        "restart",
        "kill",
        "pause",
        "unpause",
        "rename?name=x1",
    ] {
        let (status, body) = op(&server, "nope", verb).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{verb}");
        assert_eq!(body, message("No such container: nope"), "{verb}");
    }
    let (status, body) = remove(&server, "nope", "").await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
    let (status, body) = server.get(&format!("{BASE}/containers/nope")).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
}

#[tokio::test]
async fn kill_signals_and_exit_codes() {
    let server = TestServer::with_alpine().await;
    for (signal, code) in [
        ("", 137),
        ("SIGKILL", 137),
        ("KILL", 137),
        ("9", 137),
        ("SIGTERM", 143),
        ("TERM", 143),
        ("SIGINT", 130),
        ("SIGHUP", 129),
        ("SIGQUIT", 131),
        ("15", 143),
    ] {
        let id = run_sleeper(&server, None).await;
        let query = if signal.is_empty() {
            String::new()
        } else {
            format!("?signal={signal}")
        };
        let (status, body) = op(&server, &id, &format!("kill{query}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{signal}: {body}");
        let c = server.inspect_container(&id).await;
        assert_state(&c, "exited", code);
    }
    for signal in ["SIGUSR1", "USR2", "SIGWINCH", "10"] {
        let id = run_sleeper(&server, None).await;
        let (status, _) = op(&server, &id, &format!("kill?signal={signal}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{signal}");
        assert_state(&server.inspect_container(&id).await, "running", 0);
    }
    let id = run_sleeper(&server, None).await;
    let (status, body) = op(&server, &id, "kill?signal=SIGFOO").await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, message("Invalid signal: SIGFOO"))
    );
    let (status, body) = op(&server, &id, "kill?signal=99").await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, message("Invalid signal: 99"))
    );
}

#[tokio::test]
async fn stop_with_signal_and_timeout() {
    let server = TestServer::with_alpine().await;
    let id = run_sleeper(&server, None).await;
    let (status, _) = op(&server, &id, "stop?signal=SIGINT").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 130);
    // A process that ignores SIGTERM is killed after t seconds.
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.ignore-sigterm": "true"}}),
        )
        .await;
    server.start_container(&id).await;
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = server.inspect_container(&id).await;
    assert_eq!(c["State"]["Status"], "exited");
}

// ---------------------------------------------------------------- create

#[tokio::test]
async fn create_errors_in_dockers_words() {
    let server = TestServer::with_alpine().await;
    let (status, body) = server.create_container(None, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("config cannot be empty in order to create a container")
    );
    let r = server
        .call(http::Method::POST, &format!("{BASE}/containers"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json(),
        message("config cannot be empty in order to create a container")
    );
    let (status, body) = server
        .create_container(None, json!({"Cmd": ["true"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("no image specified: \"Image\" is required"));
    for bad in ["a", "-x", "with space", "bad/slash", "ü-x", "_lead"] {
        let (status, body) = server
            .create_container(Some(bad), json!({"Image": "alpine"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            body,
            message(&format!(
                "Invalid container name ({bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )),
            "{bad}"
        );
    }
    let (status, body) = server
        .create_container(None, json!({"Image": "busybox"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("No such image: busybox:latest"));
    let (status, body) = server
        .create_container(
            None,
            json!({"Image": "alpine", "HostConfig": {"NetworkMode": "nonet"}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("network nonet not found"));
    let (status, body) = server
        .create_container(
            None,
            json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"nonet2": {}}}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("network nonet2 not found"));
    let (status, body) = server
        .create_container(None, json!({"Image": "alpine", "WorkingDir": "rel/dir"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("the working directory 'rel/dir' is invalid, it needs to be an absolute path")
    );
    let (status, body) = server.create_container(None,
        json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 3}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Malformed bodies.
    let r = server
        .send(
            http::Request::post(format!("{BASE}/containers"))
                .header("host", "localhost")
                .header("content-type", "application/json")
                .body(http_body_util::Full::new(bytes::Bytes::from_static(
                    b"{\"Image\":",
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON: "),
        "{}",
        r.text()
    );
    let (status, body) = server
        .create_container(None, json!({"Image": "alpine", "Env": "notalist"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Name in use: the message names the holder.
    let holder = create_sleeper(&server, Some("taken")).await;
    for name in ["taken", "/taken"] {
        let (status, body) = server
            .create_container(Some(name), json!({"Image": "alpine"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body, message(&format!("Conflict. The container name \"/taken\" is already in use by container \"{holder}\". You have to remove (or rename) that container to be able to reuse that name.")));
    }
    // Nothing was left behind by any of these.
    let all = list(&server, "?all=1").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["Names"], json!(["/taken"]));
}

#[tokio::test]
async fn create_stores_the_body_and_merges_the_image_config() {
    let server = TestServer::with_alpine().await;
    server.pull("nginx").await;
    let body = json!({
        "Image": "nginx",
        "Env": ["A=1", "NGINX_VERSION=override"],
        "Labels": {"l1": "v1"},
        "User": "101",
        "Tty": true,
        "OpenStdin": true,
        "StdinOnce": true,
        "AttachStdin": true,
        "AttachStdout": true,
        "AttachStderr": true,
        "ExposedPorts": {"8080/tcp": {}},
        "WorkingDir": "/srv",
        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000u64},
        "HostConfig": {
            "Binds": ["/host:/data:ro"],
            "Memory": 1048576,
            "CpuShares": 512,
            "Privileged": true,
            "CapAdd": ["NET_ADMIN"],
            "ExtraHosts": ["h:1.2.3.4"],
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
            "PortBindings": {"80/tcp": [{"HostPort": "8081"}]},
            "LogConfig": {"Type": "json-file", "Config": {}},
        },
    });
    let id = server.create_ok(Some("web"), body).await;
    let c = server.inspect_container("web").await;
    let cfg = &c["Config"];
    let env: Vec<&str> = cfg["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(env.iter().any(|e| e.starts_with("PATH=")), "{env:?}");
    assert!(env.contains(&"A=1"));
    assert!(env.contains(&"NGINX_VERSION=override"));
    assert_eq!(
        env.iter()
            .filter(|e| e.starts_with("NGINX_VERSION="))
            .count(),
        1
    );
    assert_eq!(cfg["Image"], "nginx");
    assert_eq!(cfg["Labels"]["l1"], "v1");
    assert_eq!(cfg["User"], "101");
    assert_eq!(cfg["Tty"], true);
    assert_eq!(cfg["OpenStdin"], true);
    assert_eq!(cfg["StdinOnce"], true);
    assert_eq!(cfg["AttachStdin"], true);
    assert_eq!(cfg["WorkingDir"], "/srv");
    assert!(cfg["ExposedPorts"].get("8080/tcp").is_some());
    assert!(
        cfg["ExposedPorts"].get("80/tcp").is_some(),
        "image ports kept"
    );
    assert_eq!(cfg["Healthcheck"]["Test"], json!(["CMD", "true"]));
    assert_eq!(cfg["Hostname"], &id[..12]);
    assert_eq!(cfg["Entrypoint"], json!(["/docker-entrypoint.sh"]));
    assert_eq!(cfg["Cmd"], json!(["nginx", "-g", "daemon off;"]));
    assert_eq!(c["Path"], "/docker-entrypoint.sh");
    assert_eq!(c["Args"], json!(["nginx", "-g", "daemon off;"]));
    let hc = &c["HostConfig"];
    assert_eq!(hc["Binds"], json!(["/host:/data:ro"]));
    assert_eq!(hc["Memory"], 1048576);
    assert_eq!(hc["CpuShares"], 512);
    assert_eq!(hc["Privileged"], true);
    assert_eq!(hc["CapAdd"], json!(["NET_ADMIN"]));
    assert_eq!(hc["ExtraHosts"], json!(["h:1.2.3.4"]));
    assert_eq!(
        hc["RestartPolicy"],
        json!({"Name": "on-failure", "MaximumRetryCount": 2})
    );
    assert_eq!(hc["NetworkMode"], "bridge");
    assert_eq!(c["State"]["Health"]["Status"], "none");
    assert_eq!(c["Mounts"][0]["Type"], "bind");
    assert_eq!(c["Mounts"][0]["Source"], "/host");
    assert_eq!(c["Mounts"][0]["Destination"], "/data");
    assert_eq!(c["Mounts"][0]["RW"], false);
    // Not running: ports are listed without bindings.
    assert_eq!(c["NetworkSettings"]["Ports"]["80/tcp"], Value::Null);
    server.start_container("web").await;
    let c = server.inspect_container("web").await;
    assert_eq!(
        c["NetworkSettings"]["Ports"]["80/tcp"],
        json!([{"HostIp": "0.0.0.0", "HostPort": "8081"}, {"HostIp": "::", "HostPort": "8081"}])
    );
    assert_eq!(c["State"]["Health"]["Status"], "starting");
    // A container with no healthcheck has no Health.
    let plain = create_sleeper(&server, None).await;
    assert!(server.inspect_container(&plain).await["State"]
        .get("Health")
        .is_none());
}

#[tokio::test]
async fn cmd_and_entrypoint_as_strings_and_nulls() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": "sleep infinity", "Env": null, "Labels": null, "HostConfig": null, "NetworkingConfig": null}),
    )
    .await;
    let c = server.inspect_container(&id).await;
    assert_eq!(c["Config"]["Cmd"], json!(["sleep infinity"]));
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Entrypoint": "/bin/echo", "Cmd": ["hi"]}),
        )
        .await;
    let c = server.inspect_container(&id).await;
    assert_eq!(c["Path"], "/bin/echo");
    assert_eq!(c["Args"], json!(["hi"]));
}

#[tokio::test]
async fn generated_names_are_docker_style() {
    let server = TestServer::with_alpine().await;
    let mut seen = BTreeSet::new();
    for _ in 0..5 {
        let id = server.create_ok(None, json!({"Image": "alpine"})).await;
        let name = server.inspect_container(&id).await["Name"]
            .as_str()
            .unwrap()
            .to_string();
        let bare = name.strip_prefix('/').expect("leading /");
        let (left, right) = bare.split_once('_').expect("adjective_surname");
        assert!(
            !left.is_empty() && left.chars().all(|c| c.is_ascii_lowercase()),
            "{bare}"
        );
        assert!(
            !right.is_empty()
                && right
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{bare}"
        );
        assert!(seen.insert(bare.to_string()));
        // The generated name resolves.
        assert_eq!(server.inspect_container(bare).await["Id"], id);
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_name_one_wins() {
    let server = Arc::new(TestServer::with_alpine().await);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            server
                .create_container(Some("race"), json!({"Image": "alpine"}))
                .await
        }));
    }
    let mut created = Vec::new();
    let mut conflicts = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body["Id"].as_str().unwrap().to_string()),
            StatusCode::CONFLICT => conflicts.push(body),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1);
    assert_eq!(conflicts.len(), 15);
    let winner = &created[0];
    for body in conflicts {
        assert_eq!(body, message(&format!("Conflict. The container name \"/race\" is already in use by container \"{winner}\". You have to remove (or rename) that container to be able to reuse that name.")));
    }
    assert_eq!(list(&server, "?all=1").await.len(), 1);
    assert_eq!(server.inspect_container("race").await["Id"], *winner);
}

// ---------------------------------------------------------------- references

#[tokio::test]
async fn references_by_id_prefix_and_name() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("refme")).await;
    for r in [
        id.clone(),
        id[..12].to_string(),
        id[..3].to_string(),
        "refme".into(),
        "%2Frefme".into(),
    ] {
        assert_eq!(server.inspect_container(&r).await["Id"], id, "{r}");
    }
    // Create until two IDs share a first hex character.
    let mut ids = vec![id];
    let prefix = loop {
        let new = create_sleeper(&server, None).await;
        if let Some(other) = ids.iter().find(|i| i[..1] == new[..1]) {
            let _ = other;
            break new[..1].to_string();
        }
        ids.push(new);
    };
    let (status, body) = server.get(&format!("{BASE}/containers/{prefix}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "multiple IDs found with provided prefix: {prefix}"
        ))
    );
    let (status, body) = op(&server, &prefix, "start").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "multiple IDs found with provided prefix: {prefix}"
        ))
    );
    // A name that looks like a prefix wins over the prefix.
    let named = create_sleeper(&server, Some(&format!("{prefix}{prefix}"))).await;
    assert_eq!(
        server.inspect_container(&format!("{prefix}{prefix}")).await["Id"],
        named
    );
}

// ---------------------------------------------------------------- rename

#[tokio::test]
async fn rename_errors() {
    let server = TestServer::with_alpine().await;
    let a = create_sleeper(&server, Some("aa")).await;
    create_sleeper(&server, Some("bb")).await;
    let (status, body) = op(&server, "aa", "rename?name=bb").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Conflict. The container name \"/bb\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.", server.inspect_container("bb").await["Id"].as_str().unwrap())));
    let (status, body) = op(&server, "aa", "rename?name=aa").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("Renaming a container with the same name as its current name")
    );
    let (status, body) = op(&server, "aa", "rename?name=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("Neither old nor new names may be empty"));
    let (status, body) = op(&server, "aa", "rename?name=b%20d").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("Invalid container name (b d), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    );
    assert_eq!(server.inspect_container("aa").await["Id"], a);
    // Rename updates the network's view of the container.
    server.start_container("aa").await;
    let (status, _) = op(&server, "aa", "rename?name=%2Fcc").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, bridge) = server.get(&format!("{BASE}/networks/bridge")).await;
    assert_eq!(bridge["Containers"][&a]["Name"], "cc");
    // The old name is free.
    create_sleeper(&server, Some("aa")).await;
}

// ---------------------------------------------------------------- remove & prune

#[tokio::test]
async fn remove_releases_everything() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(Some("rm"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["named:/named"], "PortBindings": {"80/tcp": [{"HostPort": "9090"}]}}}),
    )
    .await;
    server.start_container(&id).await;
    let c = server.inspect_container(&id).await;
    let anon = c["Mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Destination"] == "/anon")
        .expect("anonymous mount")["Name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(anon.len(), 64);
    let (status, exec) = server
        .post(
            &format!("{BASE}/containers/{id}/exec"),
            json!({"Cmd": ["sleep", "infinity"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{exec}");
    let exec_id = exec["Id"].as_str().unwrap().to_string();
    let (status, _) = remove(&server, &id, "?force=1&v=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.get(&format!("{BASE}/exec/{exec_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message(&format!("No such exec instance: {exec_id}")));
    let (status, _) = server.get(&format!("{BASE}/volumes/{anon}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "anonymous volume removed with v"
    );
    let (status, _) = server.get(&format!("{BASE}/volumes/named")).await;
    assert_eq!(status, StatusCode::OK, "named volumes stay");
    let (status, _) = server.delete(&format!("{BASE}/volumes/named")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "no reference left");
    let (_, bridge) = server.get(&format!("{BASE}/networks/bridge")).await;
    assert_eq!(bridge["Containers"], json!({}));
    // Name and host port are free again.
    let again = server
        .create_ok(
            Some("rm"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "9090"}]}}}),
        )
        .await;
    server.start_container(&again).await;
    // Without v the anonymous volume stays (unreferenced).
    let id = server
        .create_ok(None, json!({"Image": "alpine", "Volumes": {"/anon": {}}}))
        .await;
    let anon = server.inspect_container(&id).await["Mounts"][0]["Name"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = remove(&server, &id, "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = server.get(&format!("{BASE}/volumes/{anon}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn prune_removes_stopped_only() {
    let server = TestServer::with_alpine().await;
    let running = run_sleeper(&server, None).await;
    let created = create_sleeper(&server, None).await;
    let exited = run_sleeper(&server, None).await;
    op(&server, &exited, "kill").await;
    let labelled = server
        .create_ok(None, json!({"Image": "alpine", "Labels": {"keep": "yes"}}))
        .await;
    let (status, body) = server
        .post_empty(&format!(
            "{BASE}/containers/prune?filters={}",
            percent_encode(r#"{"label!":["keep"]}"#)
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sorted(
            body["ContainersDeleted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        ),
        sorted(vec![created, exited])
    );
    assert_eq!(body["SpaceReclaimed"], 0);
    assert_eq!(
        sorted(ids(&Value::Array(list(&server, "?all=1").await))),
        sorted(vec![running, labelled.clone()])
    );
    let (status, body) = server.post_empty(&format!("{BASE}/containers/prune")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ContainersDeleted"], json!([labelled]));
    let (status, body) = server
        .post_empty(&format!(
            "{BASE}/containers/prune?filters={}",
            percent_encode(r#"{"bogus":["x"]}"#)
        ))
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, message("invalid filter 'bogus'"))
    );
}

// ---------------------------------------------------------------- list

#[tokio::test]
async fn list_shape_order_and_status_text() {
    let server = TestServer::with_alpine().await;
    let created = server
        .create_ok(
            Some("c1"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "Labels": {"a": "1"}}),
        )
        .await;
    let running = run_sleeper(&server, Some("c2")).await;
    let paused = run_sleeper(&server, Some("c3")).await;
    op(&server, &paused, "pause").await;
    let exited = run_sleeper(&server, Some("c4")).await;
    op(&server, &exited, "kill").await;

    // Running only (paused counts as running), newest first.
    let l = list(&server, "").await;
    assert_eq!(
        ids(&Value::Array(l.clone())),
        vec![paused.clone(), running.clone()]
    );
    let all = list(&server, "?all=true").await;
    assert_eq!(
        ids(&Value::Array(all.clone())),
        vec![
            exited.clone(),
            paused.clone(),
            running.clone(),
            created.clone()
        ]
    );
    let by_id = |id: &str| all.iter().find(|c| c["Id"] == id).unwrap().clone();
    let c = by_id(&created);
    assert_eq!(c["Names"], json!(["/c1"]));
    assert_eq!(c["Image"], "alpine");
    assert!(c["ImageID"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(c["Command"], "sleep infinity");
    assert_eq!(c["State"], "created");
    assert_eq!(c["Status"], "Created");
    assert_eq!(c["Labels"], json!({"a": "1"}));
    assert!(c["Created"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(c["HostConfig"]["NetworkMode"], "bridge");
    assert!(c["NetworkSettings"]["Networks"]["bridge"].is_object());
    assert_eq!(c["Ports"], json!([]));
    assert_eq!(c["Mounts"], json!([]));
    let status_of = |c: &Value| c["Status"].as_str().unwrap().to_string();
    let up = status_of(&by_id(&running));
    assert!(
        up == "Up Less than a second"
            || up == "Up 1 second"
            || up.starts_with("Up ") && up.ends_with(" seconds"),
        "{up}"
    );
    assert_eq!(by_id(&running)["State"], "running");
    let p = status_of(&by_id(&paused));
    assert!(p.starts_with("Up ") && p.ends_with(" (Paused)"), "{p}");
    assert_eq!(by_id(&paused)["State"], "paused");
    let e = status_of(&by_id(&exited));
    assert!(
        e == "Exited (137) Less than a second ago"
            || e == "Exited (137) 1 second ago"
            || e.starts_with("Exited (137) ") && e.ends_with(" seconds ago"),
        "{e}"
    );
    assert_eq!(by_id(&exited)["State"], "exited");
    // limit implies all.
    let l = list(&server, "?limit=2").await;
    assert_eq!(ids(&Value::Array(l)), vec![exited, paused]);
}

#[tokio::test]
async fn list_command_and_ports_as_docker_renders_them() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Entrypoint": ["/bin/sh", "-c"], "Cmd": ["sleep infinity"],
               "ExposedPorts": {"53/udp": {}},
               "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": ""}], "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}}}),
    )
    .await;
    let l = list(&server, "?all=1").await;
    assert_eq!(l[0]["Command"], "/bin/sh -c 'sleep infinity'");
    server.start_container(&id).await;
    let c = server.inspect_container(&id).await;
    let ports = &c["NetworkSettings"]["Ports"];
    let eph: u16 = ports["80/tcp"][0]["HostPort"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((32768..=60999).contains(&eph), "{eph}");
    assert_eq!(
        ports["443/tcp"],
        json!([{"HostIp": "127.0.0.1", "HostPort": "8443"}])
    );
    assert_eq!(ports["53/udp"], Value::Null);
    let l = list(&server, "").await;
    let mut got: Vec<Value> = l[0]["Ports"].as_array().unwrap().clone();
    got.sort_by_key(|p| p.to_string());
    let mut want = vec![
        json!({"PrivatePort": 53, "Type": "udp"}),
        json!({"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": eph, "Type": "tcp"}),
        json!({"IP": "::", "PrivatePort": 80, "PublicPort": eph, "Type": "tcp"}),
        json!({"IP": "127.0.0.1", "PrivatePort": 443, "PublicPort": 8443, "Type": "tcp"}),
    ];
    want.sort_by_key(|p| p.to_string());
    assert_eq!(got, want);
    // Ephemeral ports are unique among running containers; a fixed port in use is a conflict.
    let other = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"80/tcp": [{}]}}}),
    )
    .await;
    server.start_container(&other).await;
    let eph2 = server.inspect_container(&other).await["NetworkSettings"]["Ports"]["80/tcp"][0]
        ["HostPort"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(eph2, eph.to_string());
    let clash = server.create_ok(Some("clash"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}}}),
    )
    .await;
    let (status, body) = op(&server, &clash, "start").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_state(&server.inspect_container(&clash).await, "created", 0);
    // Stopping releases the ports.
    op(&server, &id, "kill").await;
    assert_eq!(
        server.inspect_container(&id).await["NetworkSettings"]["Ports"]["443/tcp"],
        Value::Null
    );
    server.start_container(&clash).await;
}

#[tokio::test]
async fn list_filters_alone_and_combined() {
    let server = TestServer::with_alpine().await;
    server.pull("busybox").await;
    let (_, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "fnet"}))
        .await;
    let net_id = net["Id"].as_str().unwrap().to_string();
    let a = server.create_ok(Some("alpha"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "Labels": {"tier": "web", "x": "1"},
               "HostConfig": {"Binds": ["vol1:/data"]}}),
    )
    .await;
    let b = server
        .create_ok(
            Some("beta"),
            json!({"Image": "busybox", "Cmd": ["sleep", "infinity"], "Labels": {"tier": "db"},
               "HostConfig": {"NetworkMode": "fnet"}}),
        )
        .await;
    let c = server
        .create_ok(
            Some("alphabet"),
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"], "Labels": {"tier": "web"}}),
        )
        .await;
    let d = server
        .create_ok(
            Some("delta"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
        )
        .await;
    server.start_container(&a).await;
    server.start_container(&b).await;
    op(&server, &b, "pause").await;
    let mut ws = wait_ws(&server, &c, "next-exit").await;
    server.start_container(&c).await;
    wait_result(&mut ws).await;

    let cases: Vec<(Value, Vec<&String>)> = vec![
        (json!({"id": [&a[..10]]}), vec![&a]),
        (json!({"name": ["alpha"]}), vec![&c, &a]),
        (json!({"name": ["/beta"]}), vec![&b]),
        (json!({"name": ["^alpha$"]}), vec![&a]),
        (json!({"label": ["tier"]}), vec![&c, &b, &a]),
        (json!({"label": ["tier=web"]}), vec![&c, &a]),
        (json!({"label": ["tier=web", "x"]}), vec![&a]),
        (json!({"label": {"tier=db": true}}), vec![&b]),
        (json!({"status": ["running"]}), vec![&a]),
        (json!({"status": ["paused"]}), vec![&b]),
        (json!({"status": ["created"]}), vec![&d]),
        (json!({"status": ["exited"]}), vec![&c]),
        (json!({"status": ["exited", "created"]}), vec![&d, &c]),
        (json!({"exited": ["3"]}), vec![&c]),
        (json!({"exited": ["0"]}), vec![]),
        (json!({"ancestor": ["busybox"]}), vec![&b]),
        (json!({"ancestor": ["alpine:latest"]}), vec![&d, &c, &a]),
        (json!({"network": ["fnet"]}), vec![&b]),
        (json!({"network": [&net_id]}), vec![&b]),
        (json!({"network": ["bridge"]}), vec![&d, &c, &a]),
        (json!({"volume": ["vol1"]}), vec![&a]),
        (json!({"volume": ["/data"]}), vec![&a]),
        (json!({"before": ["alphabet"]}), vec![&b, &a]),
        (json!({"since": ["beta"]}), vec![&d, &c]),
        (
            json!({"since": ["alpha"], "before": ["delta"]}),
            vec![&c, &b],
        ),
        (
            json!({"label": ["tier=web"], "status": ["running"]}),
            vec![&a],
        ),
        (
            json!({"ancestor": ["alpine"], "name": ["alpha"], "status": ["exited"]}),
            vec![&c],
        ),
        (
            json!({"network": ["bridge"], "label": ["tier"]}),
            vec![&c, &a],
        ),
        (
            json!({"id": [&a[..10], &b[..10]], "label": ["tier=db"]}),
            vec![&b],
        ),
    ];
    for (filters, want) in cases {
        let want: Vec<String> = want.into_iter().cloned().collect();
        assert_eq!(
            ids_filtered(&server, filters.clone()).await,
            want,
            "{filters}"
        );
    }
    // Without all, status/exited filters still see stopped containers.
    let (_, l) = list_filtered(&server, false, json!({"status": ["exited"]})).await;
    assert_eq!(ids(&l), vec![c.clone()]);
    let (_, l) = list_filtered(&server, false, json!({"label": ["tier=web"]})).await;
    assert_eq!(ids(&l), vec![a.clone()]);

    // Errors.
    for (filters, msg) in [
        (json!({"bogus": ["x"]}), "invalid filter 'bogus'"),
        (
            json!({"status": ["sleeping"]}),
            "invalid filter 'status=sleeping'",
        ),
        (json!({"exited": ["x"]}), "invalid filter 'exited=x'"),
    ] {
        let (status, body) = list_filtered(&server, true, filters.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filters}");
        assert_eq!(body, message(msg), "{filters}");
    }
    let (status, body) = server
        .get(&format!(
            "{BASE}/containers?filters={}",
            percent_encode("{not json")
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid filter"));
    let (status, body) = list_filtered(&server, true, json!({"before": ["nope"]})).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
}

// ---------------------------------------------------------------- networks

async fn network(server: &TestServer, name: &str) -> Value {
    let (status, body) = server.get(&format!("{BASE}/networks/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The network's Containers map and the container's NetworkSettings agree.
async fn assert_membership(server: &TestServer, net: &str, id: &str, ip: Option<&str>) {
    let n = network(server, net).await;
    let c = server.inspect_container(id).await;
    let member = &n["Containers"][id];
    let settings = &c["NetworkSettings"]["Networks"][net];
    assert!(member.is_object(), "{net} lacks {id}: {n}");
    assert!(settings.is_object(), "{id} lacks {net}: {c}");
    assert_eq!(
        member["Name"],
        c["Name"].as_str().unwrap().trim_start_matches('/')
    );
    assert_eq!(member["EndpointID"], settings["EndpointID"]);
    assert_eq!(settings["NetworkID"], n["Id"]);
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

#[tokio::test]
async fn bridge_membership_and_ips_follow_the_lifecycle() {
    let server = TestServer::with_alpine().await;
    let a = create_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &a, None).await;
    let c = server.inspect_container(&a).await;
    assert_eq!(c["NetworkSettings"]["IPAddress"], "");
    server.start_container(&a).await;
    assert_membership(&server, "bridge", &a, Some("172.17.0.2")).await;
    let c = server.inspect_container(&a).await;
    assert_eq!(c["NetworkSettings"]["IPAddress"], "172.17.0.2");
    assert_eq!(c["NetworkSettings"]["Gateway"], "172.17.0.1");
    assert_eq!(
        c["NetworkSettings"]["Networks"]["bridge"]["Gateway"],
        "172.17.0.1"
    );
    let b = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &b, Some("172.17.0.3")).await;
    // Stop releases the address, the membership stays.
    op(&server, &a, "stop").await;
    assert_membership(&server, "bridge", &a, None).await;
    // The released address is reused.
    let c3 = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &c3, Some("172.17.0.2")).await;
    server.start_container(&a).await;
    assert_membership(&server, "bridge", &a, Some("172.17.0.4")).await;
    // Remove forgets the membership on both sides.
    remove(&server, &b, "?force=1").await;
    assert_not_member(&server, "bridge", &b).await;
    let d = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &d, Some("172.17.0.3")).await;
    // Disconnect forgets it too.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/disconnect"),
            json!({"Container": d}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_not_member(&server, "bridge", &d).await;
    assert_eq!(
        server.inspect_container(&d).await["NetworkSettings"]["IPAddress"],
        ""
    );
    let e = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &e, Some("172.17.0.3")).await;
}

#[tokio::test]
async fn custom_networks_aliases_and_connect_disconnect() {
    let server = TestServer::with_alpine().await;
    let (status, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "appnet"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let net_id = net["Id"].as_str().unwrap().to_string();
    let (_, other) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "other"}))
        .await;
    let _ = other;
    let id = server.create_ok(Some("svc"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "HostConfig": {"NetworkMode": "appnet"},
               "NetworkingConfig": {"EndpointsConfig": {"appnet": {"Aliases": ["db", "pg"]}, "other": {}}}}),
    )
    .await;
    let c = server.inspect_container("svc").await;
    assert_eq!(c["HostConfig"]["NetworkMode"], "appnet");
    let nets = c["NetworkSettings"]["Networks"].as_object().unwrap();
    assert_eq!(nets.keys().collect::<Vec<_>>(), ["appnet", "other"]);
    assert_eq!(nets["appnet"]["Aliases"], json!(["db", "pg"]));
    assert_eq!(nets["appnet"]["NetworkID"], net_id);
    assert_not_member(&server, "bridge", &id).await;
    server.start_container("svc").await;
    assert_membership(&server, "appnet", &id, Some("172.18.0.2")).await;
    assert_membership(&server, "other", &id, Some("172.19.0.2")).await;
    // Top-level addresses are the default bridge's: none here.
    assert_eq!(
        server.inspect_container("svc").await["NetworkSettings"]["IPAddress"],
        ""
    );

    // Connect a running container: it gets an address at once.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/connect"),
            json!({"Container": "svc", "EndpointConfig": {"Aliases": ["x"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, Value::Null);
    assert_membership(&server, "bridge", &id, Some("172.17.0.2")).await;
    assert_eq!(
        server.inspect_container("svc").await["NetworkSettings"]["IPAddress"],
        "172.17.0.2"
    );
    // Twice is 403.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/connect"),
            json!({"Container": &id[..12]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        message("endpoint with name svc already exists in network bridge")
    );
    // Unknown container / network.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/appnet/connect"),
            json!({"Container": "ghost"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: ghost"))
    );
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/ghostnet/connect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("network ghostnet not found"))
    );
    // A network with a member cannot be removed; after disconnect it can.
    let (status, body) = server.delete(&format!("{BASE}/networks/appnet")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        message(&format!(
            "error while removing network: network appnet id {net_id} has active endpoints"
        ))
    );
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/appnet/disconnect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    assert_not_member(&server, "appnet", &id).await;
    let (status, _) = server
        .post(
            &format!("{BASE}/networks/appnet/disconnect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server.delete(&format!("{BASE}/networks/appnet")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Connect a created container: member without an address until start.
    let created = create_sleeper(&server, Some("later")).await;
    let (status, _) = server
        .post(
            &format!("{BASE}/networks/other/connect"),
            json!({"Container": "later"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_membership(&server, "other", &created, None).await;
    server.start_container("later").await;
    assert_membership(&server, "other", &created, Some("172.19.0.3")).await;
    assert_membership(&server, "bridge", &created, Some("172.17.0.3")).await;
    // list's network filter sees connects.
    assert_eq!(
        sorted(ids_filtered(&server, json!({"network": ["other"]})).await),
        sorted(vec![id.clone(), created.clone()])
    );
    // Remove releases the network so it can go.
    remove(&server, "svc", "?force=1").await;
    remove(&server, "later", "?force=1").await;
    assert_eq!(network(&server, "other").await["Containers"], json!({}));
    let (status, _) = server.delete(&format!("{BASE}/networks/other")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

// ---------------------------------------------------------------- volumes

#[tokio::test]
async fn volume_references_block_removal_until_the_container_is_gone() {
    let server = TestServer::with_alpine().await;
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "HostConfig": {"Binds": ["data:/data"],
               "Mounts": [{"Type": "volume", "Source": "more", "Target": "/more"}]}}),
        )
        .await;
    for v in ["data", "more"] {
        let (status, _) = server.get(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::OK, "{v} created by the container");
        let (status, body) = server.delete(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            body,
            message(&format!("remove {v}: volume is in use - [{id}]"))
        );
    }
    let c = server.inspect_container(&id).await;
    let m = &c["Mounts"][0];
    assert_eq!(m["Type"], "volume");
    assert_eq!(m["Name"], "data");
    assert_eq!(m["Source"], "/var/lib/docker/volumes/data/_data");
    assert_eq!(m["Destination"], "/data");
    assert_eq!(m["Driver"], "local");
    assert_eq!(m["RW"], true);
    // A second container on the same volume.
    let id2 = server
        .create_ok(
            None,
            json!({"Image": "alpine", "HostConfig": {"Binds": ["data:/d:ro"]}}),
        )
        .await;
    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.starts_with("remove data: volume is in use - ["),
        "{msg}"
    );
    assert!(msg.contains(&id) && msg.contains(&id2), "{msg}");
    remove(&server, &id, "").await;
    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(&format!("remove data: volume is in use - [{id2}]"))
    );
    remove(&server, &id2, "").await;
    for v in ["data", "more"] {
        let (status, _) = server.delete(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    }
}

// ---------------------------------------------------------------- failed creates

async fn snapshot(server: &TestServer) -> (Value, Value, Value) {
    let (_, mut containers) = server.get(&format!("{BASE}/containers?all=1")).await;
    // The human status text ("Up 1 second") moves with the clock, not the state.
    for c in containers.as_array_mut().into_iter().flatten() {
        c.as_object_mut().map(|o| o.remove("Status"));
    }
    let (_, volumes) = server.get(&format!("{BASE}/volumes")).await;
    let (_, networks) = server.get(&format!("{BASE}/networks")).await;
    let mut nets: Vec<Value> = networks
        .as_array()
        .unwrap()
        .iter()
        .map(|n| json!({"Name": n["Name"], "Containers": n["Containers"]}))
        .collect();
    nets.sort_by_key(|n| n["Name"].to_string());
    let mut vols: Vec<Value> = volumes["Volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["Name"].clone())
        .collect();
    vols.sort_by_key(|v| v.to_string());
    (containers, Value::Array(vols), Value::Array(nets))
}

#[tokio::test]
async fn a_failed_create_leaves_nothing_behind() {
    let server = TestServer::with_alpine().await;
    let (_, _) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "known"}))
        .await;
    let existing = run_sleeper(&server, Some("keep")).await;
    let _ = existing;
    let before = snapshot(&server).await;
    let attempts = [
        // An unknown network in EndpointsConfig after a valid NetworkMode.
        json!({"Image": "alpine", "HostConfig": {"NetworkMode": "known"},
               "NetworkingConfig": {"EndpointsConfig": {"known": {}, "unknown-net": {}}}}),
        // A valid named volume plus an invalid bind.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "/host:relative"]}}),
        // A valid named volume plus an invalid volume name.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "b@d:/bad"]}}),
        // A valid named volume plus a Mount with an invalid source.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good"],
               "Mounts": [{"Type": "volume", "Source": "x!", "Target": "/x"}]}}),
        // A named volume and a duplicate mount point.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "other:/good"]}}),
        // An unknown image.
        json!({"Image": "never-pulled", "HostConfig": {"Binds": ["goodvol:/good"]}}),
        // Volumes plus a second network for a host-mode container (403 at join).
        json!({"Image": "alpine", "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "host"},
               "NetworkingConfig": {"EndpointsConfig": {"known": {}}}}),
        // Same with the default bridge and none.
        json!({"Image": "alpine", "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "none"},
               "NetworkingConfig": {"EndpointsConfig": {"known": {}}}}),
    ];
    for (i, body) in attempts.into_iter().enumerate() {
        let name = format!("failed{i}");
        let (status, reply) = server.create_container(Some(&name), body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {reply}");
        if i == 2 {
            assert_eq!(reply, message("create b@d: \"b@d\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"));
        }
        assert_eq!(snapshot(&server).await, before, "after {body}");
        // The name was not reserved.
        let id = server
            .create_ok(Some(&name), json!({"Image": "alpine"}))
            .await;
        remove(&server, &id, "").await;
        assert_eq!(snapshot(&server).await, before);
    }
    let (status, body) = server
        .create_container(
            Some("failed-net"),
            json!({"Image": "alpine", "HostConfig": {"NetworkMode": "known"},
               "NetworkingConfig": {"EndpointsConfig": {"unknown-net": {}}}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            message("network unknown-net not found")
        )
    );
    // A name collision does not touch the existing holder or its networks.
    let (status, _) = server.create_container(Some("keep"),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "known"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(snapshot(&server).await, before);
}

// ---------------------------------------------------------------- wait

#[tokio::test]
async fn wait_conditions() {
    let server = TestServer::with_alpine().await;
    // not-running on a created container: at once.
    let id = create_sleeper(&server, None).await;
    let mut ws = wait_ws(&server, &id, "not-running").await;
    assert_eq!(
        wait_result(&mut ws).await,
        json!({"StatusCode": 0, "Error": null})
    );
    // Default condition is not-running.
    let mut ws = server.ws(&format!("{BASE}/containers/{id}/wait")).await;
    assert_eq!(wait_result(&mut ws).await["StatusCode"], 0);
    // next-exit before start waits for the first exit after start.
    let mut next = wait_ws(&server, &id, "next-exit").await;
    assert_pending(&mut next).await;
    server.start_container(&id).await;
    let mut not_running = wait_ws(&server, &id, "not-running").await;
    assert_pending(&mut not_running).await;
    assert_pending(&mut next).await;
    // Pause does not end a not-running wait.
    op(&server, &id, "pause").await;
    op(&server, &id, "unpause").await;
    assert_pending(&mut not_running).await;
    op(&server, &id, "kill?signal=SIGINT").await;
    assert_eq!(
        wait_result(&mut next).await,
        json!({"StatusCode": 130, "Error": null})
    );
    assert_eq!(wait_result(&mut not_running).await["StatusCode"], 130);
    // next-exit on an exited container waits for the next run's exit.
    let mut next = wait_ws(&server, &id, "next-exit").await;
    assert_pending(&mut next).await;
    server.start_container(&id).await;
    assert_pending(&mut next).await;
    op(&server, &id, "stop").await;
    assert_eq!(wait_result(&mut next).await["StatusCode"], 143);
    // removed.
    let mut removed = wait_ws(&server, &id, "removed").await;
    assert_pending(&mut removed).await;
    server.start_container(&id).await;
    op(&server, &id, "kill").await;
    assert_pending(&mut removed).await;
    remove(&server, &id, "").await;
    assert_eq!(
        wait_result(&mut removed).await,
        json!({"StatusCode": 137, "Error": null})
    );
    // removed of a running container, force-removed.
    let id = run_sleeper(&server, None).await;
    let mut removed = wait_ws(&server, &id, "removed").await;
    let mut next = wait_ws(&server, &id, "next-exit").await;
    remove(&server, &id, "?force=1").await;
    assert_eq!(wait_result(&mut removed).await["StatusCode"], 137);
    assert_eq!(wait_result(&mut next).await["StatusCode"], 137);
    // wait by name and prefix.
    let id = server
        .create_ok(
            Some("waitme"),
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 7"]}),
        )
        .await;
    let mut by_name = wait_ws(&server, "waitme", "next-exit").await;
    let mut by_prefix = wait_ws(&server, &id[..8], "next-exit").await;
    server.start_container("waitme").await;
    assert_eq!(wait_result(&mut by_name).await["StatusCode"], 7);
    assert_eq!(wait_result(&mut by_prefix).await["StatusCode"], 7);
}

#[tokio::test]
async fn wait_errors_before_the_upgrade() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, None).await;
    let err = server
        .try_ws(&format!(
            "{BASE}/containers/nope/wait?condition=not-running"
        ))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&err.1).unwrap(),
        message("No such container: nope")
    );
    let err = server
        .try_ws(&format!("{BASE}/containers/{id}/wait?condition=whenever"))
        .await
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(err.0, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&err.1).unwrap(),
        message("invalid condition: \"whenever\"")
    );
    let (status, body) = server
        .get(&format!(
            "{BASE}/containers/{id}/wait?condition=not-running"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "{BASE}/containers/{id}/wait is served over WebSocket: upgrade required"
        ))
    );
}

#[tokio::test]
async fn many_waiters_all_wake() {
    let server = Arc::new(TestServer::with_alpine().await);
    let id = run_sleeper(&server, None).await;
    let mut sockets = Vec::new();
    for i in 0..12 {
        let cond = ["not-running", "next-exit", "removed"][i % 3];
        sockets.push((cond, wait_ws(&server, &id, cond).await));
    }
    for (_, ws) in sockets.iter_mut() {
        assert_pending(ws).await;
    }
    op(&server, &id, "kill?signal=SIGHUP").await;
    let mut removed = Vec::new();
    for (cond, mut ws) in sockets {
        if cond == "removed" {
            removed.push(ws);
        } else {
            assert_eq!(wait_result(&mut ws).await["StatusCode"], 129, "{cond}");
        }
    }
    remove(&server, &id, "").await;
    let results = futures_util::future::join_all(removed.iter_mut().map(wait_result)).await;
    for r in results {
        assert_eq!(r, json!({"StatusCode": 129, "Error": null}));
    }
}

#[tokio::test]
async fn a_waiter_that_hangs_up_leaks_nothing() {
    let backend = MemoryBackend::new();
    let server = TestServer::with_backend(backend.clone(), ServeOptions::default()).await;
    server.pull("alpine").await;
    let id = run_sleeper(&server, None).await;
    let receivers = |b: &Arc<MemoryBackend>| {
        b.runtimes()
            .get(&id)
            .map(|rt| rt.wait.receiver_count())
            .unwrap_or(0)
    };
    let base = receivers(&backend);
    let mut sockets = Vec::new();
    for cond in ["not-running", "next-exit", "removed"] {
        sockets.push(wait_ws(&server, &id, cond).await);
    }
    let b = backend.clone();
    eventually(T, || {
        let n = receivers(&b);
        async move { (n == base + 3).then_some(()) }
    })
    .await;
    // Two clients close politely, one just drops its connection.
    let mut it = sockets.into_iter();
    for mut ws in it.by_ref().take(2) {
        ws.send(Message::Close(None)).await.unwrap();
        while let Some(Ok(_)) = ws.next().await {}
    }
    drop(it);
    let b = backend.clone();
    eventually(T, || {
        let n = receivers(&b);
        async move { (n == base).then_some(()) }
    })
    .await;
    // The container can still be stopped and removed; nothing hangs.
    let stop = tokio::time::timeout(T, op(&server, &id, "stop"))
        .await
        .expect("stop");
    assert_eq!(stop.0, StatusCode::NO_CONTENT);
    let rm = tokio::time::timeout(T, remove(&server, &id, ""))
        .await
        .expect("remove");
    assert_eq!(rm.0, StatusCode::NO_CONTENT);
    assert!(backend.runtimes().get(&id).is_none());
    tokio::time::timeout(T, server.stop())
        .await
        .expect("server drains");
}

// ---------------------------------------------------------------- more

#[tokio::test]
async fn list_size_health_status_and_auto_remove() {
    let server = TestServer::with_alpine().await;
    let id = run_sleeper(&server, None).await;
    let l = list(&server, "?size=1").await;
    assert_eq!(l[0]["SizeRw"], 0);
    let (_, image) = server.get(&format!("{BASE}/images/alpine")).await;
    assert_eq!(l[0]["SizeRootFs"], image["Size"]);
    let l = list(&server, "").await;
    assert!(l[0].get("SizeRw").is_none());
    let _ = id;

    // A healthcheck shows in the Status text.
    let h = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 50_000_000u64}}),
        )
        .await;
    server.start_container(&h).await;
    let status = eventually(T, || {
        let server = &server;
        let h = h.clone();
        async move {
            let l = list(server, "").await;
            let c = l.iter().find(|c| c["Id"] == h.as_str())?.clone();
            let s = c["Status"].as_str()?.to_string();
            s.ends_with("(healthy)").then_some(s)
        }
    })
    .await;
    assert!(status.starts_with("Up "), "{status}");
    assert_eq!(
        server.inspect_container(&h).await["State"]["Health"]["Status"],
        "healthy"
    );

    // AutoRemove: the container goes away when it exits; removed waiters wake.
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"], "HostConfig": {"AutoRemove": true}}),
    )
    .await;
    let mut removed = wait_ws(&server, &id, "removed").await;
    server.start_container(&id).await;
    assert_eq!(
        wait_result(&mut removed).await,
        json!({"StatusCode": 3, "Error": null})
    );
    let (status, _) = server.get(&format!("{BASE}/containers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn kill_and_signals_on_special_states() {
    let server = TestServer::with_alpine().await;
    // A paused container can be killed.
    let id = run_sleeper(&server, None).await;
    op(&server, &id, "pause").await;
    let (status, _) = op(&server, &id, "kill").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 137);
    // A process that ignores SIGTERM survives kill -s TERM, and stop kills it.
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Labels": {"sockerless.memory.ignore-sigterm": "true"}}),
        )
        .await;
    server.start_container(&id).await;
    let (status, _) = op(&server, &id, "kill?signal=SIGTERM").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "stop?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "exited", 137);
    // restart of such a process works too.
    let (status, _) = op(&server, &id, "restart?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
    let (status, _) = op(&server, &id, "restart?t=0").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_state(&server.inspect_container(&id).await, "running", 0);
}

#[tokio::test]
async fn a_failed_start_holds_no_address_or_port() {
    let server = TestServer::with_alpine().await;
    let holder = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "7000"}]}}}),
    )
    .await;
    server.start_container(&holder).await;
    assert_membership(&server, "bridge", &holder, Some("172.17.0.2")).await;
    let loser = server.create_ok(Some("loser"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"81/tcp": [{"HostPort": "7001"}], "80/tcp": [{"HostPort": "7000"}]}}}),
    )
    .await;
    let (status, body) = op(&server, "loser", "start").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("driver failed programming external connectivity on endpoint loser: Bind for 0.0.0.0:7000 failed: port is already allocated")
    );
    assert_state(&server.inspect_container(&loser).await, "created", 0);
    assert_membership(&server, "bridge", &loser, None).await;
    // 7001 was not kept either: another container can take it.
    let other = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"81/tcp": [{"HostPort": "7001"}]}}}),
    )
    .await;
    server.start_container(&other).await;
    assert_membership(&server, "bridge", &other, Some("172.17.0.3")).await;
}
