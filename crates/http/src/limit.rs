//! [`BodyLimitLayer`]: caps request bodies in size and in time, except on
//! routes that read their body as a stream ([`StreamsBody`]). It sits below a
//! frontend's router and serves [`Routed`] requests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{Either, Ready};
use http::header::CONTENT_LENGTH;
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt, Limited};
use sockerless_core::error::Error;
use tower::{Layer, Service};

use crate::body::too_large;
use crate::routed::Routed;
use crate::{Body, BoxError, Response};

/// How long a client gets to send a whole (non-streamed) request body, by default.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A stack's request-body limits: the size past which a body is 413, and the
/// time within which a non-streamed body must arrive (408 after). One value
/// from the settings through [`crate::ServeOptions`] to each stack's
/// [`BodyLimitLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Largest request body accepted on non-streaming routes.
    pub max_bytes: usize,
    /// How long a request body may take to arrive.
    pub read_timeout: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            max_bytes: crate::DEFAULT_MAX_BODY,
            read_timeout: DEFAULT_BODY_READ_TIMEOUT,
        }
    }
}

/// What [`BodyLimit`] asks of a route: whether it reads its body as a stream
/// (uploads), which it then leaves alone.
pub trait StreamsBody {
    /// The route reads its body as a stream.
    fn streams_body(&self) -> bool;
}

/// Caps request bodies at a size: a `Content-Length` over it is answered 413 at
/// once, and a body that grows past it fails to read (413 too). A body not
/// complete within the read timeout fails to read ([`BodyTimeout`], a 408), so a
/// client that never finishes its body cannot hold a connection slot forever.
/// Requests on routes that stream their body ([`StreamsBody`]) are left alone.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimitLayer {
    limits: BodyLimits,
}

impl BodyLimitLayer {
    /// A limit of `max` bytes, read within [`DEFAULT_BODY_READ_TIMEOUT`].
    pub fn new(max: usize) -> Self {
        BodyLimitLayer {
            limits: BodyLimits {
                max_bytes: max,
                read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            },
        }
    }

    /// The same limit with another read timeout.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.read_timeout = timeout;
        self
    }
}

impl From<BodyLimits> for BodyLimitLayer {
    fn from(limits: BodyLimits) -> Self {
        BodyLimitLayer { limits }
    }
}

impl<S> Layer<S> for BodyLimitLayer {
    type Service = BodyLimit<S>;
    fn layer(&self, inner: S) -> Self::Service {
        BodyLimit {
            inner,
            limits: self.limits,
        }
    }
}

/// The service of [`BodyLimitLayer`].
#[derive(Debug, Clone)]
pub struct BodyLimit<S> {
    inner: S,
    limits: BodyLimits,
}

impl<S, R> Service<Routed<R>> for BodyLimit<S>
where
    S: Service<Routed<R>, Response = Response, Error = Error>,
    R: StreamsBody,
{
    type Response = Response;
    type Error = Error;
    type Future = Either<Ready<Result<Response, Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, routed: Routed<R>) -> Self::Future {
        match capped(self.limits, routed) {
            Ok(routed) => Either::Right(self.inner.call(routed)),
            Err(e) => Either::Left(futures_util::future::ready(Err(e))),
        }
    }
}

/// The request with its body capped by `limits`, or the error that answers
/// it (501 for a transfer coding, 413 for a declared length over the limit).
fn capped<R: StreamsBody>(limits: BodyLimits, routed: Routed<R>) -> Result<Routed<R>, Error> {
    // A body that is already known to be empty (no `Content-Length` or 0,
    // not chunked) can neither grow past the limit nor keep the client
    // waiting, and carries no transfer coding (hyper reads any coding list
    // ending in `chunked` as a chunked body, and answers others 400 itself):
    // wrapping it would cost two boxes and a timer on every GET.
    if http_body::Body::is_end_stream(routed.request.body()) {
        return Ok(routed);
    }
    if let Some(codings) = unsupported_codings(routed.request.headers()) {
        return Err(Error::NotImplemented(format!(
            "unsupported Transfer-Encoding: {codings}"
        )));
    }
    // A streamed upload is left alone.
    if routed.route.streams_body() {
        return Ok(routed);
    }
    let BodyLimits {
        max_bytes: max,
        read_timeout: timeout,
    } = limits;
    let declared = routed
        .request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large(max));
    }
    let Routed { route, request } = routed;
    let request = request
        .map(|b| DeadlineBody::new(Limited::new(b, max).boxed_unsync(), timeout).boxed_unsync());
    Ok(Routed { route, request })
}

/// The request's transfer codings when they are more than `chunked` (RFC 9112
/// §6.1: a server answers a coding it does not understand with 501; hyper
/// would read `gzip, chunked` as chunked and hand on the gzip bytes).
fn unsupported_codings(headers: &http::HeaderMap) -> Option<String> {
    let mut all = Vec::new();
    for v in headers.get_all(http::header::TRANSFER_ENCODING) {
        let text = String::from_utf8_lossy(v.as_bytes());
        all.extend(text.split(',').map(|c| c.trim().to_ascii_lowercase()));
    }
    all.retain(|c| !c.is_empty());
    (!all.is_empty() && all != ["chunked"]).then(|| all.join(", "))
}

/// The error of a body that did not arrive within its read timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "request body not received within {} s",
            self.0.as_secs_f64()
        )
    }
}

impl std::error::Error for BodyTimeout {}

pin_project_lite::pin_project! {
    /// A body that fails with [`BodyTimeout`] once its deadline passes before
    /// it ends.
    struct DeadlineBody {
        #[pin]
        inner: Body,
        #[pin]
        deadline: tokio::time::Sleep,
        timeout: Duration,
    }
}

impl DeadlineBody {
    fn new(inner: Body, timeout: Duration) -> Self {
        DeadlineBody {
            inner,
            deadline: tokio::time::sleep(timeout),
            timeout,
        }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            return Poll::Ready(frame);
        }
        match this.deadline.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout(*this.timeout))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use tower::{service_fn, ServiceExt};

    use crate::body::full_body;

    /// A test route: whether it streams its body.
    #[derive(Debug, Clone, Copy)]
    struct Streams(bool);

    impl StreamsBody for Streams {
        fn streams_body(&self) -> bool {
            self.0
        }
    }

    /// `req` on a route that does not stream its body.
    fn routed(req: http::Request<Body>) -> Routed<Streams> {
        Routed {
            route: Streams(false),
            request: req,
        }
    }

    #[tokio::test]
    async fn body_limit_checks_declared_and_actual_length() {
        let inner = service_fn(|req: Routed<Streams>| async move {
            match req.request.into_body().collect().await {
                Ok(b) => Ok(http::Response::new(full_body(b.to_bytes()))),
                Err(_) => Err(too_large(4)),
            }
        });
        let svc = BodyLimitLayer::new(4).layer(inner);
        let req = http::Request::builder()
            .header(CONTENT_LENGTH, "5")
            .body(full_body(Bytes::from_static(b"12345")))
            .unwrap();
        assert!(matches!(
            svc.clone().oneshot(routed(req)).await,
            Err(Error::PayloadTooLarge(_))
        ));
        let req = http::Request::new(full_body(Bytes::from_static(b"12345")));
        assert!(matches!(
            svc.clone().oneshot(routed(req)).await,
            Err(Error::PayloadTooLarge(_))
        ));
        let req = http::Request::new(full_body(Bytes::from_static(b"1234")));
        assert_eq!(
            svc.clone().oneshot(routed(req)).await.unwrap().status(),
            200
        );
        let req = http::Request::new(full_body(Bytes::from_static(b"123456789")));
        let streamed = Routed {
            route: Streams(true),
            request: req,
        };
        assert_eq!(svc.oneshot(streamed).await.unwrap().status(), 200);
    }

    #[tokio::test]
    async fn transfer_codings_other_than_chunked_are_501() {
        let inner = service_fn(|_req: Routed<Streams>| async move {
            Ok::<_, Error>(http::Response::new(full_body(Bytes::new())))
        });
        let svc = BodyLimitLayer::new(100).layer(inner);
        for te in ["gzip, chunked", "gzip", "chunked, chunked"] {
            let req = http::Request::builder()
                .header(http::header::TRANSFER_ENCODING, te)
                .body(full_body(Bytes::from_static(b"0\r\n\r\n")))
                .unwrap();
            assert_eq!(
                svc.clone().oneshot(routed(req)).await.unwrap_err(),
                Error::NotImplemented(format!("unsupported Transfer-Encoding: {te}")),
            );
        }
        let req = http::Request::builder()
            .header(http::header::TRANSFER_ENCODING, "Chunked")
            .body(full_body(Bytes::from_static(b"0\r\n\r\n")))
            .unwrap();
        assert_eq!(svc.oneshot(routed(req)).await.unwrap().status(), 200);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_never_finishes_fails_at_the_read_timeout() {
        let inner = service_fn(|req: Routed<Streams>| async move {
            crate::body::read_body(req.request.into_body(), 100)
                .await
                .map(|b| http::Response::new(full_body(b)))
        });
        let svc = BodyLimitLayer::new(100)
            .read_timeout(Duration::from_secs(5))
            .layer(inner);
        let first = futures_util::stream::iter([Ok::<_, BoxError>(Frame::data(
            Bytes::from_static(b"{\"partial\":"),
        ))]);
        let never = futures_util::stream::pending();
        let body = http_body_util::StreamBody::new(futures_util::StreamExt::chain(first, never));
        let req = http::Request::new(body.boxed_unsync());
        let started = tokio::time::Instant::now();
        let err = svc.oneshot(routed(req)).await.unwrap_err();
        assert_eq!(
            err,
            Error::RequestTimeout("request body not received within 5 s".into())
        );
        assert_eq!(err.status(), http::StatusCode::REQUEST_TIMEOUT);
        assert_eq!(started.elapsed(), Duration::from_secs(5));
    }
}
