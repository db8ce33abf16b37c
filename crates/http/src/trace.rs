//! Request logging: one info line per request — method, path (never the query or
//! headers, which may carry credentials), status and latency.
//!
//! The line is a `tracing` event with those four fields, target
//! `sockerless::request`, at `info`. No span is opened and the response body
//! is not wrapped. A daemon that installed [`crate::request_line`] gets the
//! event's exact bytes formatted straight into its log sink, without
//! `tracing`'s dispatch and field visitors (at the default level they cost
//! more than serving a small request did); otherwise it is an ordinary
//! event. When `info` is off for that target the layer does nothing but
//! forward the request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Method, Uri};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::clock;
use crate::request_line::{self, RequestFields};

/// The target of the request lines, for filters such as
/// `sockerless::request=warn`.
pub const REQUEST_TARGET: &str = "sockerless::request";

/// The request-logging layer every frontend puts outermost.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLogLayer;

/// The request-logging layer: one line per response.
pub fn request_log_layer() -> RequestLogLayer {
    RequestLogLayer
}

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> RequestLog<S> {
        RequestLog { inner }
    }
}

/// The service [`RequestLogLayer`] wraps around a stack.
#[derive(Debug, Clone)]
pub struct RequestLog<S> {
    inner: S,
}

/// What the line needs of the request, kept until the response.
struct Started {
    method: Method,
    /// The whole URI is cheap to keep (shared bytes); only its path is logged.
    uri: Uri,
    /// [`clock::monotonic_nanos`] at the call.
    at: u64,
}

impl<S, B, R> Service<http::Request<B>> for RequestLog<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = RequestLogFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let started = request_line::enabled().then(|| Started {
            method: req.method().clone(),
            uri: req.uri().clone(),
            at: clock::monotonic_nanos(),
        });
        RequestLogFuture {
            inner: self.inner.call(req),
            started,
        }
    }
}

pin_project! {
    /// The response future of [`RequestLog`]: logs the line when the response
    /// head is ready.
    pub struct RequestLogFuture<F> {
        #[pin]
        inner: F,
        started: Option<Started>,
    }
}

impl<F, R, E> Future for RequestLogFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let out = std::task::ready!(this.inner.poll(cx));
        if let (Some(s), Ok(res)) = (this.started.take(), &out) {
            let fields = RequestFields {
                method: &s.method,
                path: s.uri.path(),
                status: res.status().as_u16(),
                latency_us: clock::monotonic_nanos().saturating_sub(s.at) / 1_000,
            };
            if !request_line::write(fields) {
                request_line::event(fields);
            }
        }
        Poll::Ready(out)
    }
}
