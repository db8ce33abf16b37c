//! A keep-alive HTTP/1 connection to a Unix socket, for the soaks: one
//! request at a time, any 5xx or transport error fails the test.

use std::path::Path;

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One keep-alive connection; every path is sent behind `prefix`.
pub struct KeepAlive {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    prefix: &'static str,
}

impl KeepAlive {
    /// Connects to `socket`; paths are sent as `{prefix}{path}`.
    pub async fn open(socket: &Path, prefix: &'static str) -> KeepAlive {
        let stream = tokio::net::UnixStream::connect(socket)
            .await
            .expect("connect");
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        KeepAlive { sender, prefix }
    }

    /// One request; the status and body. A transport error or a 5xx fails.
    pub async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Bytes) {
        let req = super::request(method, &format!("{}{path}", self.prefix), body);
        self.sender.ready().await.expect("connection ready");
        let res = self
            .sender
            .send_request(req)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = res.status().as_u16();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        assert!(
            status < 500,
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        (status, body)
    }
}
