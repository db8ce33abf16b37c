//! Building responses: JSON, empty, JSON-lines streams (flushed per line, head
//! at once) and chunked byte streams.
//!
//! hyper writes a response's head as soon as the service returns it and
//! flushes whenever the body has nothing ready, so a streamed body whose first
//! item is pending still gets its head to the client at once (wait, events,
//! logs with follow), and each line goes out as it is produced.

use std::sync::LazyLock;

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use http_body_util::{BodyExt, StreamBody};
use serde::Serialize;
use sockerless_core::api::BoxStream;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::{empty_body, full_body};
use sockerless_http::{BoxError, Response};

use crate::keys;
use crate::version::with_docker_headers;

/// `application/json`, exactly (the Go client compares the whole value).
pub const APPLICATION_JSON: &str = "application/json";

/// `Content-Type: application/json` and Docker's headers, made once.
static JSON_HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
    with_docker_headers(Some((
        CONTENT_TYPE,
        HeaderValue::from_static(APPLICATION_JSON),
    )))
});

/// A response with a JSON body and `Content-Type: application/json`, with
/// Docker's key sets ([`keys`]), and Docker's headers already on it (a copy
/// of a map made once; see [`add_docker_headers`]).
///
/// [`add_docker_headers`]: crate::version::add_docker_headers
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Result<Response> {
    let body = keys::to_body_vec(value)
        .map_err(|e| Error::internal(format!("serialising the response: {e}")))?;
    let mut res = http::Response::new(full_body(Bytes::from(body)));
    *res.status_mut() = status;
    *res.headers_mut() = JSON_HEADERS.clone();
    Ok(res)
}

/// A response with no body (204, 201, 200 empty, 304).
pub fn empty(status: StatusCode) -> Response {
    let mut res = http::Response::new(empty_body());
    *res.status_mut() = status;
    res
}

/// One JSON value (with Docker's key sets) and its line end, as bytes. Serialising a `Value` or a
/// derived type cannot fail; if it ever does, the line carries the error in
/// Docker's in-band shape.
pub fn json_line<T: Serialize>(value: &T, line_end: &[u8]) -> Bytes {
    let mut line = keys::to_vec(value).unwrap_or_else(|e| {
        let msg = format!("serialising the response: {e}");
        serde_json::to_vec(&serde_json::json!({"errorDetail": {"message": msg}, "error": msg}))
            .unwrap_or_default()
    });
    line.extend_from_slice(line_end);
    Bytes::from(line)
}

/// A streamed `application/json` response: one JSON value per line ending in
/// `\n` (events, stats), each flushed as the stream yields it.
pub fn json_lines<T: Serialize + Send + 'static>(stream: BoxStream<T>) -> Response {
    json_lines_with(stream, b"\n")
}

/// [`json_lines`] with another line end: progress streams (pull, load) use
/// `\r\n` as moby's `streamformatter` does.
pub fn json_lines_with<T: Serialize + Send + 'static>(
    stream: BoxStream<T>,
    line_end: &'static [u8],
) -> Response {
    let lines = stream.map(move |item| json_line(&item, line_end));
    byte_stream(Box::pin(lines), APPLICATION_JSON)
}

/// A chunked response of these bytes, each chunk written as it comes.
pub fn byte_stream(stream: BoxStream<Bytes>, content_type: &'static str) -> Response {
    let frames = stream
        .filter(|b| futures_util::future::ready(!b.is_empty()))
        .map(|b| Ok::<_, BoxError>(http_body::Frame::data(b)));
    let mut res = http::Response::new(StreamBody::new(frames).boxed_unsync());
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(res: Response) -> Bytes {
        res.into_body()
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn json_has_the_exact_content_type() {
        let res = json(StatusCode::CREATED, &serde_json::json!({"Id": "x"})).unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(&body(res).await[..], br#"{"Id":"x"}"#);
    }

    #[tokio::test]
    async fn json_lines_end_each_value() {
        let items = futures_util::stream::iter([serde_json::json!({"a":1}), serde_json::json!(2)]);
        let res = json_lines(Box::pin(items));
        assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(&body(res).await[..], b"{\"a\":1}\n2\n");
        let items = futures_util::stream::iter([serde_json::json!({"status":"x"})]);
        let res = json_lines_with(Box::pin(items), b"\r\n");
        assert_eq!(&body(res).await[..], b"{\"status\":\"x\"}\r\n");
    }

    #[tokio::test]
    async fn byte_streams_skip_empty_chunks() {
        let items = futures_util::stream::iter([
            Bytes::from_static(b"a"),
            Bytes::new(),
            Bytes::from_static(b"b"),
        ]);
        let res = byte_stream(Box::pin(items), "application/x-tar");
        assert_eq!(&body(res).await[..], b"ab");
    }
}
