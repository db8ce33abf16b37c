//! The wire under [`super::RemoteBackend`]: a backend address (Unix socket or
//! TCP), a pooled HTTP/1.1 client over it (hyper-util's), timeouts, and the
//! mapping of answers to [`Error`]s — the backend's own status and message
//! pass through unchanged; transport failures are 503 (cannot reach the
//! backend) or 502 (it answered something broken), naming the address.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, HOST};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sockerless_core::error::{Error, Result};
use sockerless_http::{Body, BoxError};

use crate::route::Route;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};

/// Where a backend daemon listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `unix:///path/to.sock`.
    Unix(PathBuf),
    /// `tcp://127.0.0.1:PORT`.
    Tcp(SocketAddr),
}

impl Address {
    /// Parses `unix:///path` or `tcp://IP:PORT` (`localhost:PORT` too).
    pub fn parse(url: &str) -> std::result::Result<Address, String> {
        if let Some(path) = url.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(format!(
                    "backend {url:?}: a Unix socket URL needs an absolute path (unix:///path.sock)"
                ));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        if let Some(addr) = url.strip_prefix("tcp://") {
            let addr = addr.trim_end_matches('/');
            let parsed = match addr.strip_prefix("localhost:") {
                Some(port) => port
                    .parse::<u16>()
                    .ok()
                    .map(|p| SocketAddr::from(([127, 0, 0, 1], p))),
                None => addr.parse().ok(),
            };
            return parsed.map(Address::Tcp).ok_or_else(|| {
                format!("backend {url:?}: expected tcp://IP:PORT, e.g. tcp://127.0.0.1:9100")
            });
        }
        Err(format!(
            "backend {url:?}: expected embedded, unix:///path.sock or tcp://IP:PORT"
        ))
    }

    async fn connect(&self) -> io::Result<Stream> {
        match self {
            Address::Unix(path) => UnixStream::connect(path).await.map(Stream::Unix),
            Address::Tcp(addr) => {
                let s = TcpStream::connect(addr).await?;
                let _ = s.set_nodelay(true);
                Ok(Stream::Tcp(s))
            }
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix://{}", p.display()),
            Address::Tcp(a) => write!(f, "tcp://{a}"),
        }
    }
}

/// A connection to the backend, Unix or TCP.
#[derive(Debug)]
pub(crate) enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// The connector of the pooled client: every URI goes to the one address.
#[derive(Debug, Clone)]
struct Connector {
    address: Address,
    timeout: Duration,
}

impl tower::Service<http::Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn std::future::Future<Output = io::Result<TokioIo<Stream>>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        let (address, timeout) = (self.address.clone(), self.timeout);
        Box::pin(async move {
            match tokio::time::timeout(timeout, address.connect()).await {
                Ok(r) => r.map(TokioIo::new),
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            }
        })
    }
}

/// Timeouts of the calls to a backend.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connecting (every call).
    pub connect: Duration,
    /// A whole non-streaming call: request, answer and body.
    pub request: Duration,
    /// The head of a streaming call (the stream itself is unbounded).
    pub stream_head: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(60),
            stream_head: Duration::from_secs(60),
        }
    }
}

/// Largest non-streamed answer read from a backend.
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// The HTTP side of a backend connection.
#[derive(Clone)]
pub(crate) struct Transport {
    address: Address,
    client: Client<Connector, Body>,
    timeouts: Timeouts,
}

impl Transport {
    pub(crate) fn new(address: Address, timeouts: Timeouts) -> Self {
        let connector = Connector {
            address: address.clone(),
            timeout: timeouts.connect,
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(20))
            .build(connector);
        Transport {
            address,
            client,
            timeouts,
        }
    }

    pub(crate) fn address(&self) -> &Address {
        &self.address
    }

    pub(crate) fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// A 503 naming the backend: it could not be reached.
    pub(crate) fn unreachable(&self, detail: impl fmt::Display) -> Error {
        Error::Unavailable(format!("backend {} is unreachable: {detail}", self.address))
    }

    /// A 502 naming the backend: it answered something broken.
    pub(crate) fn broken(&self, detail: impl fmt::Display) -> Error {
        Error::BadGateway(format!("backend {}: {detail}", self.address))
    }

    /// Sends a request for `path_and_query` (from the prefix on, as
    /// [`Route::path`] gives it; a body with its content type); the answer's
    /// head within `head_timeout`. Statuses ≥ 300 are returned as the backend's own
    /// error.
    pub(crate) async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(Body, &'static str)>,
        headers: &[(&'static str, String)],
        head_timeout: Duration,
    ) -> Result<http::Response<Incoming>> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("http://sockerless{path_and_query}"))
            .header(HOST, "sockerless");
        let body = match body {
            Some((b, content_type)) => {
                builder = builder.header(CONTENT_TYPE, content_type);
                b
            }
            None => Full::new(Bytes::new())
                .map_err(|never| match never {})
                .boxed_unsync(),
        };
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        let req = builder
            .body(body)
            .map_err(|e| Error::internal(format!("building a backend request: {e}")))?;
        let res = match tokio::time::timeout(head_timeout, self.client.request(req)).await {
            Ok(Ok(res)) => res,
            Ok(Err(e)) if e.is_connect() => return Err(self.unreachable(source_chain(&e))),
            Ok(Err(e)) => return Err(self.broken(source_chain(&e))),
            Err(_) => {
                return Err(
                    self.unreachable(format!("no answer within {} s", head_timeout.as_secs_f64()))
                )
            }
        };
        if res.status().as_u16() >= 300 {
            return Err(self.error_of(res).await);
        }
        Ok(res)
    }

    /// The error an answer of status ≥ 300 stands for (its `{"message"}`).
    async fn error_of(&self, res: http::Response<Incoming>) -> Error {
        let status = res.status();
        let allow = res
            .headers()
            .get(ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match tokio::time::timeout(self.timeouts.request, read_limited(res.into_body()))
            .await
        {
            Ok(Ok(b)) => b,
            _ => Bytes::new(),
        };
        let message = error_message(status, &body);
        Error::from_status(status, message, allow)
    }

    /// A non-streaming call of `route` (with `query`, `?…` or empty) with an
    /// optional JSON body; the whole answer body.
    pub(crate) async fn call(
        &self,
        route: Route,
        query: &str,
        json: Option<&impl Serialize>,
    ) -> Result<Bytes> {
        let (method, path_and_query) = target(&route, query)?;
        let path_and_query = path_and_query.as_str();
        let body = json
            .map(to_body)
            .transpose()?
            .map(|b| (b, "application/json"));
        let deadline = self.timeouts.request;
        let fut = async {
            let res = self
                .send(method, path_and_query, body, &[], deadline)
                .await?;
            read_limited(res.into_body())
                .await
                .map_err(|e| self.broken(format!("reading the answer: {e}")))
        };
        match tokio::time::timeout(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(self.unreachable(format!(
                "no complete answer within {} s",
                deadline.as_secs_f64()
            ))),
        }
    }

    /// A non-streaming call with a raw body (a tar) or none: the answer's
    /// headers and whole body.
    pub(crate) async fn raw(
        &self,
        route: Route,
        query: &str,
        body: Option<(Bytes, &'static str)>,
    ) -> Result<(http::HeaderMap, Bytes)> {
        let (method, path_and_query) = target(&route, query)?;
        let path_and_query = path_and_query.as_str();
        let body = body.map(|(b, content_type)| {
            (
                Full::new(b).map_err(|never| match never {}).boxed_unsync(),
                content_type,
            )
        });
        let deadline = self.timeouts.request;
        let fut = async {
            let res = self
                .send(method, path_and_query, body, &[], deadline)
                .await?;
            let headers = res.headers().clone();
            let bytes = read_limited(res.into_body())
                .await
                .map_err(|e| self.broken(format!("reading the answer: {e}")))?;
            Ok((headers, bytes))
        };
        match tokio::time::timeout(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(self.unreachable(format!(
                "no complete answer within {} s",
                deadline.as_secs_f64()
            ))),
        }
    }

    /// A streaming call of `route` (with `query`): the head within the
    /// stream-head timeout, the body as JSON lines for as long as the backend
    /// sends them.
    pub(crate) async fn json_lines<T: DeserializeOwned + Send + 'static>(
        &self,
        route: Route,
        query: &str,
        body: Option<(Body, &'static str)>,
        headers: &[(&'static str, String)],
    ) -> Result<sockerless_core::api::BoxStream<T>> {
        let (method, path_and_query) = target(&route, query)?;
        let res = self
            .send(
                method,
                &path_and_query,
                body,
                headers,
                self.timeouts.stream_head,
            )
            .await?;
        Ok(super::lines::values(
            res.into_body(),
            self.address.to_string(),
        ))
    }

    /// A non-streaming call of `route` (with `query`) whose answer is JSON of
    /// type `T`.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        route: Route,
        query: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T> {
        let bytes = self.call(route, query, body).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.broken(format!("an answer that is not the expected JSON: {e}")))
    }
}

/// The method and path-and-query of a call of `route` with `query`: the
/// router's own (see [`Route::path`]).
pub(crate) fn target(route: &Route, query: &str) -> Result<(Method, String)> {
    let method = route.method().ok_or_else(|| {
        Error::internal(format!("route {} has no method of its own", route.name()))
    })?;
    Ok((method, format!("{}{query}", route.path())))
}

/// Serialises a JSON request body.
pub(crate) fn to_body(value: &impl Serialize) -> Result<Body> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| Error::internal(format!("serialising a backend request: {e}")))?;
    Ok(Full::new(Bytes::from(bytes))
        .map_err(|never| match never {})
        .boxed_unsync())
}

/// Reads a whole answer body, at most [`MAX_ANSWER`] bytes.
async fn read_limited(body: Incoming) -> std::result::Result<Bytes, BoxError> {
    let collected = http_body_util::Limited::new(body, MAX_ANSWER)
        .collect()
        .await?;
    Ok(collected.to_bytes())
}

/// The `message` of an error body, or the status's reason when there is none.
pub(crate) fn error_message(status: StatusCode, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    match serde_json::from_slice::<Message>(body) {
        Ok(m) => m.message,
        Err(_) if body.is_empty() => status.canonical_reason().unwrap_or("error").to_string(),
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    }
}

/// An error with its sources, the innermost last (`connection refused`).
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        out.push_str(": ");
        out.push_str(&s.to_string());
        next = s.source();
    }
    out
}

/// Opens a fresh connection for a WebSocket (never pooled).
pub(crate) async fn connect_raw(address: &Address, timeout: Duration) -> io::Result<Stream> {
    match tokio::time::timeout(timeout, address.connect()).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            Address::parse("unix:///tmp/b.sock"),
            Ok(Address::Unix("/tmp/b.sock".into()))
        );
        assert_eq!(
            Address::parse("tcp://127.0.0.1:9100"),
            Ok(Address::Tcp("127.0.0.1:9100".parse().unwrap()))
        );
        assert_eq!(
            Address::parse("tcp://localhost:9100").unwrap().to_string(),
            "tcp://127.0.0.1:9100"
        );
        assert!(Address::parse("unix://relative.sock").is_err());
        assert!(Address::parse("http://x").is_err());
        assert!(Address::parse("tcp://nowhere").is_err());
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            error_message(
                StatusCode::NOT_FOUND,
                br#"{"message":"No such container: x"}"#
            ),
            "No such container: x"
        );
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, b""), "Bad Gateway");
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, b"oops\n"), "oops");
    }
}
