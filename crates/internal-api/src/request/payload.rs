//! [`Payload`]: what a route takes from the connection besides its path and
//! query — a whole JSON body, a body left unread to stream, or a WebSocket
//! upgrade — with Docker's 400s for a wrong content type or invalid JSON.

use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use sockerless_core::api::ByteStream;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::{empty_body, read_body};
use sockerless_http::json::{parse_json_value, typed};
use sockerless_http::Body;

use crate::route::Route;

/// A request's body as its route wants it.
pub(crate) struct Payload {
    /// The body, read whole and parsed (`None` when empty or left unread).
    json: Option<serde_json::Value>,
    /// What is left of the body: all of it when it streams, nothing once read.
    unread: Body,
    /// A raw body (a tar), read whole.
    raw: bytes::Bytes,
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
            crate::ws::check_upgrade(head)?;
            return Ok(Payload::unread(body));
        }
        if route.streams_body() {
            return Ok(Payload::unread(body));
        }
        let bytes = read_body(body, max).await?;
        if route.raw_body() {
            return Ok(Payload {
                json: None,
                unread: empty_body(),
                raw: bytes,
            });
        }
        Ok(Payload {
            json: parse_json_value(head.headers(), &bytes)?,
            unread: empty_body(),
            raw: bytes::Bytes::new(),
        })
    }

    fn unread(body: Body) -> Payload {
        Payload {
            json: None,
            unread: body,
            raw: bytes::Bytes::new(),
        }
    }

    /// The raw body (routes whose body is a tar).
    pub(crate) fn raw(self) -> bytes::Bytes {
        self.raw
    }

    /// The JSON body, untyped (`None` when empty).
    pub(crate) fn json(self) -> Option<serde_json::Value> {
        self.json
    }

    /// The JSON body as a `T`: `None` when empty; 400 naming what was wrong.
    pub(crate) fn typed<T: DeserializeOwned>(self) -> Result<Option<T>> {
        self.json.map(typed).transpose()
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
