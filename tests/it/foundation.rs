//! Black-box tests of the foundation: capabilities, the layer stack's errors.

use crate::common::*;
use http::{Method, StatusCode};
use serde_json::json;
use sockerless::backend::prelude::*;

fn seed_capabilities() -> serde_json::Value {
    json!({
        "backend": "memory",
        "version": "0.1.0",
        "capabilities": {
            "exec": true,
            "attach": true,
            "logs": true,
            "logs_follow": true,
            "volumes": true,
            "networks": true,
            "health_checks": true,
            "image_pull": true,
            "image_load": true,
            "archive": true,
            "max_timeout_seconds": 0,
            "agent_required": false
        }
    })
}

#[tokio::test]
async fn capabilities_over_unix_socket_and_tcp() {
    let server = TestServer::start().await;
    let r = server
        .call(Method::GET, "/internal/v1/capabilities", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.json(), seed_capabilities());
    let r = server
        .send_tcp(request(Method::GET, "/internal/v1/capabilities", None))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), seed_capabilities());
}

/// A test backend: `info` panics, `version` waits for a signal (a slow
/// in-flight request), everything else is the default 501.
struct TestBackend {
    release: tokio::sync::Notify,
    entered: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl SystemBackend for TestBackend {
    fn capabilities(&self) -> sockerless::api::Capabilities {
        sockerless::api::Capabilities::memory()
    }

    async fn info(&self) -> sockerless::Result<sockerless::api::docker::SystemInfo> {
        panic!("the test backend panics on purpose");
    }

    async fn version(&self) -> sockerless::Result<sockerless::api::docker::SystemVersion> {
        self.entered.notify_one();
        self.release.notified().await;
        Ok(sockerless::api::docker::SystemVersion {
            version: Some("slow".into()),
            ..Default::default()
        })
    }
}
impl ContainerBackend for TestBackend {}
impl ExecBackend for TestBackend {}
impl ImageBackend for TestBackend {}
impl NetworkBackend for TestBackend {}
impl VolumeBackend for TestBackend {}

fn test_backend() -> std::sync::Arc<TestBackend> {
    std::sync::Arc::new(TestBackend {
        release: tokio::sync::Notify::new(),
        entered: tokio::sync::Notify::new(),
    })
}

#[tokio::test]
async fn unknown_paths_are_404_json() {
    let server = TestServer::start().await;
    for path in [
        "/internal/v1/nonexistent",
        "/internal/v1/",
        "/internal/v1/containers/x/frobnicate",
        "/",
        "/v1.44/containers/json",
        "/internal/v2/capabilities",
        "/internal/v1/memory/nothing-here",
    ] {
        let r = server.call(Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.headers["content-type"], "application/json", "{path}");
        assert_eq!(r.json(), json!({"message": "page not found"}), "{path}");
    }
}

#[tokio::test]
async fn wrong_method_is_405_json_naming_allowed_methods() {
    let server = TestServer::start().await;
    let r = server
        .call(Method::DELETE, "/internal/v1/capabilities", None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers["allow"], "GET");
    assert_eq!(
        r.json(),
        json!({"message": "method DELETE not allowed on /internal/v1/capabilities; allowed: GET"})
    );
    let r = server
        .call(Method::PUT, "/internal/v1/containers", None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers["allow"], "GET, POST");
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let options = sockerless::http::ServeOptions {
        body: sockerless::http::limit::BodyLimits {
            max_bytes: 1024,
            ..Default::default()
        },
        ..Default::default()
    };
    let server = TestServer::with_backend(sockerless::MemoryBackend::new(), options).await;
    let big = json!({ "Name": "x".repeat(2048) });
    let (status, body) = server.post("/internal/v1/networks", big.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body,
        json!({"message": "request body too large: the limit is 1024 bytes"})
    );
    // Without a Content-Length (chunked), the limit still holds while reading.
    let chunks = futures_util::stream::iter(vec![Ok::<_, std::convert::Infallible>(
        http_body::Frame::data(bytes::Bytes::from(big.to_string())),
    )]);
    let req = http::Request::post("/internal/v1/networks")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(http_body_util::StreamBody::new(chunks))
        .unwrap();
    let stream = tokio::net::UnixStream::connect(&server.socket)
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn default_body_limit_is_16_mib() {
    let server = TestServer::start().await;
    let req = http::Request::post("/internal/v1/networks")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("content-length", (16 * 1024 * 1024 + 1).to_string())
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    // Declared too large: answered before the body is sent.
    let r = server.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json(),
        json!({"message": "request body too large: the limit is 16777216 bytes"})
    );
}

#[tokio::test]
async fn panicking_handler_is_500_json_and_server_keeps_serving() {
    let server = TestServer::with_backend(test_backend(), Default::default()).await;
    let (status, body) = server.get("/internal/v1/info").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"message": "internal server error: the handler panicked"})
    );
    let (status, body) = server.get("/internal/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, seed_capabilities());
}

#[tokio::test]
async fn unimplemented_operations_are_501_naming_the_operation() {
    let server = TestServer::with_backend(test_backend(), Default::default()).await;
    let (status, body) = server.get("/internal/v1/containers").await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        body,
        json!({"message": "container_list is not implemented"})
    );
    let (status, body) = server.post_empty("/internal/v1/volumes/prune").await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(body, json!({"message": "volume_prune is not implemented"}));
}

#[tokio::test]
async fn bad_json_and_content_type_are_400() {
    let server = TestServer::start().await;
    let raw = |ct: Option<&str>, body: &str| {
        let mut b = http::Request::post("/internal/v1/networks").header("host", "localhost");
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        b.body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap()
    };
    let r = server
        .send(raw(Some("application/json"), "{\"Name\":"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("invalid JSON: "));
    let r = server
        .send(raw(Some("application/json"), "{} trailing"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Go's encoding/json words, as Docker's decoder writes them.
    assert_eq!(
        r.json()["message"],
        "invalid JSON: invalid character 't' after top-level value"
    );
    let r = server.send(raw(Some("text/plain"), "{}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json(),
        json!({"message": "unsupported Content-Type header (text/plain): must be 'application/json'"})
    );
    let r = server.send(raw(None, "{}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json(),
        json!({"message": "malformed Content-Type header (): mime: no media type"})
    );
    let r = server
        .call(Method::GET, "/internal/v1/containers?all=maybe", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json(),
        json!({"message": "invalid boolean value for all: maybe"})
    );
}

#[tokio::test]
async fn websocket_routes_need_an_upgrade() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/internal/v1/events").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"message": "/internal/v1/events is served over WebSocket: upgrade required"})
    );
}

#[tokio::test]
async fn slow_request_completes_during_drain_and_idle_connections_close() {
    let backend = test_backend();
    let server = TestServer::with_backend(backend.clone(), Default::default()).await;
    // An idle keep-alive connection.
    let idle = tokio::net::UnixStream::connect(&server.socket)
        .await
        .unwrap();
    let (mut idle_sender, idle_conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(idle))
            .await
            .unwrap();
    let idle_task = tokio::spawn(idle_conn);
    let r = idle_sender
        .send_request(request(Method::GET, "/internal/v1/capabilities", None))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A slow request in flight.
    let socket = server.socket.clone();
    let slow = tokio::spawn(async move {
        let stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
        send_on(stream, request(Method::GET, "/internal/v1/version", None)).await
    });
    backend.entered.notified().await;
    let socket_path = server.socket.clone();
    let mut server = server;
    let done = server.done.take().unwrap();
    drop(server); // triggers shutdown
                  // The idle connection is closed at once, while the slow request is still held.
    tokio::time::timeout(std::time::Duration::from_secs(5), idle_task)
        .await
        .expect("idle keep-alive connection closed promptly")
        .unwrap()
        .unwrap();
    assert!(!done.is_finished());
    backend.release.notify_one();
    let reply = slow.await.unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["Version"], "slow");
    done.await.unwrap();
    assert!(!socket_path.exists(), "socket removed on a clean exit");
}
