//! Bodies and the small response builders every frontend uses: empty and full
//! bodies, JSON replies, `{"message": ...}` errors, and reading a request body
//! under a limit.
//!
//! ```
//! use sockerless_http::body::error_response;
//! let res = error_response(&sockerless_core::Error::not_found("page not found"));
//! assert_eq!(res.status(), 404);
//! assert_eq!(res.headers()["content-type"], "application/json");
//! ```

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, SEC_WEBSOCKET_VERSION};
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use serde::Serialize;
use sockerless_core::error::{Error, Result};

use crate::{Body, BoxError, Response};

/// A response with body `{"message": ...}`; 304 and other bodiless statuses get no
/// body.
pub fn error_response(err: &Error) -> Response {
    let status = err.status();
    if status == http::StatusCode::NOT_MODIFIED {
        let mut res = http::Response::new(empty_body());
        *res.status_mut() = status;
        return res;
    }
    let mut res = json_message(status, &err.to_string());
    let extra = match err {
        Error::MethodNotAllowed { allow, .. } => Some((ALLOW, allow)),
        Error::UpgradeRequired { versions, .. } => Some((SEC_WEBSOCKET_VERSION, versions)),
        _ => None,
    };
    if let Some((name, value)) = extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

/// `{"message": message}` with `content-type: application/json`.
pub fn json_message(status: http::StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut res = http::Response::new(full_body(Bytes::from(body)));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// An empty body. `Empty` is zero-sized, so boxing it allocates nothing (a
/// boxed empty `Full` was an allocation per body-less request and response).
pub fn empty_body() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// A request's body as the stacks carry it. A body already known to be
/// empty (no `Content-Length` or 0, not chunked: every GET, most POSTs of
/// the lifecycle) becomes [`empty_body`], which allocates nothing; any
/// other is boxed.
pub fn request_body<B>(body: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if body.is_end_stream() {
        return empty_body();
    }
    body.map_err(Into::into).boxed_unsync()
}

/// A body of these bytes.
pub fn full_body(bytes: Bytes) -> Body {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A response with a JSON body.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response> {
    let body = sockerless_core::json_write::to_body_vec(value)
        .map_err(|e| Error::internal(format!("serialising the response: {e}")))?;
    let mut res = http::Response::new(full_body(Bytes::from(body)));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

/// An empty response with this status.
pub fn empty(status: StatusCode) -> Response {
    let mut res = http::Response::new(empty_body());
    *res.status_mut() = status;
    res
}

/// The message of a 413.
pub fn too_large(max: usize) -> Error {
    Error::PayloadTooLarge(format!("request body too large: the limit is {max} bytes"))
}

/// Reads a whole request body that [`crate::limit::BodyLimitLayer`] already
/// caps at `max` bytes (a body past it is a 413).
pub async fn read_body(body: Body, max: usize) -> Result<Bytes> {
    // Most requests have no body at all: no collecting it then.
    if http_body::Body::is_end_stream(&body) {
        return Ok(Bytes::new());
    }
    match body.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large(max)),
        Err(e) if e.is::<crate::limit::BodyTimeout>() => Err(Error::RequestTimeout(e.to_string())),
        Err(e) => Err(Error::bad_request(format!("reading the request body: {e}"))),
    }
}
