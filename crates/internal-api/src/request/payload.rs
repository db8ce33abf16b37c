//! [`Payload`]: what a route takes from the connection besides its path and
//! query — a whole JSON body, a body left unread to stream, or a WebSocket
//! upgrade — with Docker's 400s for a wrong content type or invalid JSON.

use futures_util::StreamExt;
use http::header::CONTENT_TYPE;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use sockerless_core::api::ByteStream;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::{empty_body, read_body};
use sockerless_http::Body;

use crate::route::Route;

/// A request's body as its route wants it.
pub(crate) struct Payload {
    /// The body, read whole and parsed (`None` when empty or left unread).
    json: Option<serde_json::Value>,
    /// What is left of the body: all of it when it streams, nothing once read.
    unread: Body,
}

impl Payload {
    /// Takes what `route` needs from the request: WebSocket routes must be an
    /// upgrade and read no body; a streaming route (image load) leaves its body
    /// unread; every other route reads its body whole (413 past `max`) and checks
    /// that a non-empty one is JSON, even when it ignores it, as Docker does.
    pub(crate) async fn take(
        route: &Route,
        head: &http::Request<()>,
        body: Body,
        max: usize,
    ) -> Result<Payload> {
        if route.is_websocket() {
            if !hyper_tungstenite::is_upgrade_request(head) {
                return Err(Error::bad_request(format!(
                    "{} is served over WebSocket: upgrade required",
                    head.uri().path()
                )));
            }
            return Ok(Payload::unread(body));
        }
        if route.streams_body() {
            return Ok(Payload::unread(body));
        }
        let bytes = read_body(body, max).await?;
        Ok(Payload {
            json: parse_json_value(head.headers(), &bytes)?,
            unread: empty_body(),
        })
    }

    fn unread(body: Body) -> Payload {
        Payload {
            json: None,
            unread: body,
        }
    }

    /// The JSON body, untyped (`None` when empty).
    pub(crate) fn json(self) -> Option<serde_json::Value> {
        self.json
    }

    /// The JSON body as a `T`: `None` when empty; 400 naming what was wrong.
    pub(crate) fn typed<T: DeserializeOwned>(self) -> Result<Option<T>> {
        self.json
            .map(|mut v| {
                normalise_str_slices(&mut v);
                serde_json::from_value(v)
                    .map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
            })
            .transpose()
    }

    /// The JSON body as a `T`; an empty body is 400 `missing`.
    pub(crate) fn required<T: DeserializeOwned>(self, missing: &str) -> Result<T> {
        self.typed()?.ok_or_else(|| Error::bad_request(missing))
    }

    /// The unread body as a stream of bytes; a read error ends it with a 400.
    pub(crate) fn stream(self) -> ByteStream {
        Box::pin(
            self.unread.into_data_stream().map(|r| {
                r.map_err(|e| Error::bad_request(format!("reading the request body: {e}")))
            }),
        )
    }
}

/// Checks a non-empty body's content type, as Docker does.
fn check_json_content_type(headers: &http::HeaderMap) -> Result<()> {
    let ct = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let media = ct.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "unsupported Content-Type header ({ct}): must be 'application/json'"
        )))
    }
}

/// Parses a body into a JSON value: `None` when empty; 400 for a wrong content
/// type, invalid JSON or trailing content.
fn parse_json_value(headers: &http::HeaderMap, bytes: &[u8]) -> Result<Option<serde_json::Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    check_json_content_type(headers)?;
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
}

/// Docker accepts `Cmd`, `Entrypoint` and `Shell` as a string or an array.
fn normalise_str_slices(v: &mut serde_json::Value) {
    if let Some(obj) = v.as_object_mut() {
        for key in ["Cmd", "Entrypoint", "Shell"] {
            if let Some(slot) = obj.get_mut(key) {
                if let serde_json::Value::String(s) = slot {
                    *slot = serde_json::Value::Array(vec![serde_json::Value::String(
                        std::mem::take(s),
                    )]);
                }
            }
        }
    }
}
