//! [`Reply`]: what dispatch answers, turned into a response in one place.

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use serde::Serialize;

use sockerless_core::api::BoxStream;
use sockerless_core::error::{Error, Result};
use sockerless_core::json_write;
use sockerless_http::body::{empty, full_body};
use sockerless_http::{BoxError, Drain, Response};

use crate::ws::{self, Pump};

/// The answer of one operation.
pub(crate) enum Reply {
    /// `application/json` with this status; the body is serialised already.
    Json(StatusCode, Bytes),
    /// No body.
    Empty(StatusCode),
    /// 200 `application/x-ndjson`: one JSON value per line, each written (and
    /// flushed) as the stream yields it.
    JsonLines(BoxStream<Bytes>),
    /// A WebSocket upgrade, then this stream.
    Upgrade(Pump),
    /// 200 with these bytes (a tar), this content type and extra headers.
    Bytes {
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
}

impl Reply {
    /// A JSON reply; a value that cannot be serialised is a 500.
    pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Reply> {
        let body = json_write::to_body_vec(value)
            .map_err(|e| Error::internal(format!("serialising the response: {e}")))?;
        Ok(Reply::Json(status, Bytes::from(body)))
    }

    /// A 200 JSON reply.
    pub(crate) fn ok<T: Serialize>(value: &T) -> Result<Reply> {
        Reply::json(StatusCode::OK, value)
    }

    /// A 201 JSON reply.
    pub(crate) fn created<T: Serialize>(value: &T) -> Result<Reply> {
        Reply::json(StatusCode::CREATED, value)
    }

    /// An ndjson reply; an item that cannot be serialised becomes an
    /// `{"error": ...}` line.
    pub(crate) fn json_lines<T, S>(items: S) -> Reply
    where
        T: Serialize + Send + 'static,
        S: futures_util::Stream<Item = T> + Send + 'static,
    {
        Reply::JsonLines(Box::pin(items.map(|item| {
            let mut line = json_write::to_vec(&item).unwrap_or_else(|e| {
                serde_json::to_vec(&serde_json::json!({ "error": e.to_string() }))
                    .unwrap_or_default()
            });
            line.push(b'\n');
            Bytes::from(line)
        })))
    }

    /// The response. `head` is the request without its body (an upgrade
    /// answers it); `drain` tracks the WebSocket task.
    pub(crate) fn into_response(
        self,
        head: &mut http::Request<()>,
        drain: &Drain,
    ) -> Result<Response> {
        Ok(match self {
            Reply::Json(status, body) => {
                let mut res = http::Response::new(full_body(body));
                *res.status_mut() = status;
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
            Reply::Empty(status) => empty(status),
            Reply::JsonLines(lines) => {
                let frames = lines.map(|line| Ok::<_, BoxError>(http_body::Frame::data(line)));
                let mut res = http::Response::new(StreamBody::new(frames).boxed_unsync());
                res.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-ndjson"),
                );
                res
            }
            Reply::Upgrade(pump) => return ws::upgrade(head, pump, drain),
            Reply::Bytes {
                content_type,
                headers,
                body,
            } => {
                let mut res = http::Response::new(full_body(body));
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                for (name, value) in headers {
                    let value = HeaderValue::from_str(&value)
                        .map_err(|e| Error::internal(format!("header {name}: {e}")))?;
                    res.headers_mut().insert(name, value);
                }
                res
            }
        })
    }
}
