//! Shared black-box test harness: a real server on a temporary Unix socket and
//! TCP port 0, small HTTP/WebSocket clients that speak to it, and (in `api`)
//! typed helpers on the server for the calls the tests make over and over.
#![allow(dead_code)]

mod api;
pub mod daemon;
mod diff;
pub mod keepalive;

pub use diff::json_diff;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sockerless::http::{Listeners, ServeOptions};
use sockerless::internal_api::serve;
use sockerless::{Backend, MemoryBackend};
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::oneshot;
use tokio_tungstenite::WebSocketStream;

/// The internal API's prefix.
pub const BASE: &str = "/internal/v1";

/// How long a test waits for something that should happen promptly.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A WebSocket client over the Unix socket.
pub type Ws = WebSocketStream<UnixStream>;

/// Docker's error body.
pub fn message(m: &str) -> Value {
    serde_json::json!({ "message": m })
}

/// Percent-encodes everything but unreserved characters (for path segments and
/// query values).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What an attach (or exec) socket delivered until its close.
#[derive(Debug, Default)]
pub struct Attached {
    /// Bytes of stream 1.
    pub stdout: String,
    /// Bytes of stream 2.
    pub stderr: String,
    /// Close code and reason.
    pub close: Option<(u16, String)>,
}

/// Reads an attach-framed socket until it closes (within [`DEADLINE`]).
pub async fn drain(ws: &mut Ws) -> Attached {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut got = Attached::default();
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("socket closed in time");
        match msg {
            Some(Ok(Message::Binary(b))) => {
                let (stream, payload) = b.split_first().expect("stream byte");
                let text = String::from_utf8_lossy(payload);
                match stream {
                    1 => got.stdout.push_str(&text),
                    2 => got.stderr.push_str(&text),
                    other => panic!("unknown stream byte {other}"),
                }
            }
            Some(Ok(Message::Close(frame))) => {
                got.close = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                return got;
            }
            Some(Ok(other)) => panic!("unexpected message {other:?}"),
            Some(Err(_)) | None => return got,
        }
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (`Null` when empty, a string when not JSON).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as ndjson lines.
    pub fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("ndjson line"))
            .collect()
    }
}

/// A server owned by one test; shut down on drop.
pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    pub tcp: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    pub done: Option<tokio::task::JoinHandle<()>>,
    /// In remote mode, the backend's own server behind the one under test.
    inner: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

/// Whether the suite runs in remote mode: `SOCKERLESS_TEST_REMOTE=1` puts a
/// `RemoteBackend` between the server under test and the backend, which then
/// serves the internal API on a socket of its own (test server → RemoteBackend
/// → internal API → backend); the Docker client suites put a backend daemon
/// behind `sockerless` (see `docker::common`). One switch for both.
pub use crate::docker::common::remote_mode;

impl TestServer {
    /// A memory backend with default options.
    pub async fn start() -> TestServer {
        Self::with_backend(MemoryBackend::new(), ServeOptions::default()).await
    }

    /// Any backend, any options.
    pub async fn with_backend(backend: Arc<dyn Backend>, options: ServeOptions) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let (backend, inner) = if remote_mode() {
            let inner_socket = dir.path().join("inner.sock");
            let listeners = Listeners::bind_to(Some(&inner_socket), None)
                .await
                .expect("bind inner");
            let (tx, rx) = oneshot::channel::<()>();
            let done = tokio::spawn(serve(listeners, backend, options.clone(), async {
                let _ = rx.await;
            }));
            let address = sockerless::internal_api::client::Address::Unix(inner_socket);
            let remote = sockerless::internal_api::client::RemoteBackend::connect(
                address,
                Default::default(),
            )
            .await
            .expect("connect the remote backend");
            let remote: Arc<dyn Backend> = Arc::new(remote);
            (remote, Some((tx, done)))
        } else {
            (backend, None)
        };
        let socket = dir.path().join("backend.sock");
        let listeners = Listeners::bind_to(Some(&socket), Some("127.0.0.1:0".parse().unwrap()))
            .await
            .expect("bind");
        let tcp = listeners.tcp_addr().expect("tcp addr");
        let (tx, rx) = oneshot::channel::<()>();
        let done = tokio::spawn(serve(listeners, backend, options, async {
            let _ = rx.await;
        }));
        TestServer {
            dir,
            socket,
            tcp,
            shutdown: Some(tx),
            done: Some(done),
            inner,
        }
    }

    /// Triggers shutdown and waits for the server to finish draining.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(done) = self.done.take() {
            done.await.expect("server task");
        }
        if let Some((tx, done)) = self.inner.take() {
            let _ = tx.send(());
            done.await.expect("inner server task");
        }
    }

    /// Sends one request over a fresh Unix-socket connection.
    pub async fn send(&self, req: Request<Full<Bytes>>) -> Reply {
        let stream = UnixStream::connect(&self.socket)
            .await
            .expect("connect unix");
        send_on(stream, req).await
    }

    /// Sends one request over a fresh TCP connection.
    pub async fn send_tcp(&self, req: Request<Full<Bytes>>) -> Reply {
        let stream = TcpStream::connect(self.tcp).await.expect("connect tcp");
        send_on(stream, req).await
    }

    /// A request with an optional JSON body (content type set).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(request(method, path, body)).await
    }

    /// GET → (status, JSON).
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::GET, path, None).await;
        (r.status, r.json())
    }

    /// POST with a JSON body → (status, JSON).
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.call(Method::POST, path, Some(body)).await;
        (r.status, r.json())
    }

    /// POST without a body → (status, JSON).
    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::POST, path, None).await;
        (r.status, r.json())
    }

    /// DELETE → (status, JSON).
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::DELETE, path, None).await;
        (r.status, r.json())
    }

    /// Opens a WebSocket on `path` over the Unix socket.
    pub async fn ws(&self, path: &str) -> WebSocketStream<UnixStream> {
        self.try_ws(path).await.expect("websocket upgrade")
    }

    /// Opens a WebSocket, or returns the refusal (status and body).
    pub async fn try_ws(&self, path: &str) -> Result<WebSocketStream<UnixStream>, (u16, String)> {
        let stream = UnixStream::connect(&self.socket)
            .await
            .expect("connect unix");
        let url = format!("ws://localhost{path}");
        match tokio_tungstenite::client_async(url, stream).await {
            Ok((ws, _)) => Ok(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                let status = res.status().as_u16();
                let body = res
                    .body()
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                Err((status, body))
            }
            Err(e) => panic!("websocket: {e}"),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((tx, _)) = self.inner.take() {
            let _ = tx.send(());
        }
    }
}

/// Builds a request; a JSON body gets `content-type: application/json`.
pub fn request(method: Method, path: &str, body: Option<Value>) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost");
    let bytes = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    b.body(Full::new(bytes)).expect("request")
}

/// Sends `req` on an open stream and reads the whole response.
pub async fn send_on<S>(stream: S, req: Request<Full<Bytes>>) -> Reply
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let res = sender.send_request(req).await.expect("send");
    let (parts, body) = res.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Polls `check` until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("condition not met within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
