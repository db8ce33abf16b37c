//! Round two, defects 4 and 5: a refused WebSocket upgrade does nothing (no
//! exec starts, no stdin closes), and client messages are bounded: small on
//! stdin routes, smaller where input is ignored.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

/// A WebSocket handshake on `path` with these `Sec-WebSocket-*` headers.
fn handshake(path: &str, key: Option<&str>, version: Option<&str>) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("host", "localhost")
        .header("connection", "Upgrade")
        .header("upgrade", "websocket");
    if let Some(key) = key {
        b = b.header("sec-websocket-key", key);
    }
    if let Some(version) = version {
        b = b.header("sec-websocket-version", version);
    }
    b.body(Full::new(Bytes::new())).expect("request")
}

/// Every kind of bad handshake, each refused with a JSON message: 400, or
/// for a version we do not speak 426 with `Sec-WebSocket-Version: 13` (RFC
/// 6455 §4.4: the versions the server does speak).
async fn refuse_bad_handshakes(s: &TestServer, path: &str) {
    let key = Some("dGhlIHNhbXBsZSBub25jZQ==");
    let upgrade = StatusCode::UPGRADE_REQUIRED;
    for (key, version, status, says) in [
        (
            key,
            Some("12"),
            upgrade,
            "unsupported Sec-WebSocket-Version 12",
        ),
        (
            key,
            None,
            StatusCode::BAD_REQUEST,
            "missing Sec-WebSocket-Version",
        ),
        (
            None,
            Some("13"),
            StatusCode::BAD_REQUEST,
            "missing Sec-WebSocket-Key",
        ),
    ] {
        let reply = s.send(handshake(path, key, version)).await;
        assert_eq!(reply.status, status, "{path} {version:?}");
        let offered = reply.headers.get("sec-websocket-version");
        let expected = (status == upgrade).then_some("13");
        assert_eq!(offered.and_then(|v| v.to_str().ok()), expected, "{path}");
        let body: Value = reply.json();
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(says), "{message}");
    }
}

#[tokio::test]
async fn a_refused_exec_upgrade_does_not_start_the_exec() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let (status, body) = s
        .post(
            &format!("{BASE}/containers/box/exec"),
            json!({"Cmd": ["echo", "ran"], "AttachStdout": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["Id"].as_str().expect("Id");
    refuse_bad_handshakes(&s, &format!("{BASE}/exec/{id}/start")).await;
    let (_, exec) = s.get(&format!("{BASE}/exec/{id}")).await;
    assert_eq!(
        (&exec["Running"], &exec["ExitCode"]),
        (&json!(false), &Value::Null)
    );
    // The exec can still start, once.
    let mut ws = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "ran\n");
}

#[tokio::test]
async fn a_refused_attach_upgrade_keeps_the_stdin_of_a_stdin_once_container() {
    let s = TestServer::with_alpine().await;
    s.run(
        "cat",
        json!({"Cmd": ["cat"], "OpenStdin": true, "StdinOnce": true}),
    )
    .await;
    let path = format!("{BASE}/containers/cat/attach?stdin=1&stdout=1&stderr=1&stream=1");
    refuse_bad_handshakes(&s, &path).await;
    assert_eq!(s.state("cat").await["Running"], true);
    let mut ws = s.ws(&path).await;
    ws.send(Message::binary(b"still open\n".to_vec()))
        .await
        .expect("send");
    ws.send(Message::binary(Vec::new())).await.expect("eof");
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "still open\n");
}

/// Sends one binary message of `size` bytes; returns the close code the
/// server answers with, or `None` when it keeps the socket open.
async fn close_after(ws: &mut Ws, size: usize) -> Option<u16> {
    ws.send(Message::binary(vec![b'x'; size]))
        .await
        .expect("send");
    loop {
        match tokio::time::timeout(DEADLINE, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            Ok(other) => panic!("socket ended without a close: {other:?}"),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn client_messages_over_the_limit_close_the_socket_with_1009() {
    let s = TestServer::with_alpine().await;
    // Routes that ignore input: 4 KiB.
    let mut ws = s.ws(&format!("{BASE}/events")).await;
    assert_eq!(close_after(&mut ws, (4 << 10) + 1).await, Some(1009));
    // Stdin routes: 64 KiB; a message at the limit is taken.
    s.run("cat", json!({"Cmd": ["cat"], "OpenStdin": true}))
        .await;
    let path = format!("{BASE}/containers/cat/attach?stdin=1&stdout=1&stream=1");
    let mut ws = s.ws(&path).await;
    ws.send(Message::binary(vec![b'y'; 64 << 10]))
        .await
        .expect("send");
    let mut echoed = 0;
    while echoed < 64 << 10 {
        match tokio::time::timeout(DEADLINE, ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => echoed += b.len() - 1,
            other => panic!("no echo: {other:?}"),
        }
    }
    assert_eq!(close_after(&mut ws, (64 << 10) + 1).await, Some(1009));
}
