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
use std::time::Instant;

use http::header::{HeaderName, AUTHORIZATION, PROXY_AUTHORIZATION};
use http::{Method, Uri};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

use crate::request_line::{self, RequestFields};

/// The target of the request lines, for filters such as
/// `sockerless::request=warn`.
pub const REQUEST_TARGET: &str = "sockerless::request";

/// Request headers that carry credentials: Docker's registry auth (base64
/// JSON with a password) and HTTP authorization.
const CREDENTIAL_HEADERS: [HeaderName; 4] = [
    HeaderName::from_static("x-registry-auth"),
    HeaderName::from_static("x-registry-config"),
    AUTHORIZATION,
    PROXY_AUTHORIZATION,
];

/// Marks the credential headers sensitive (`HeaderValue::set_sensitive`), so
/// whatever formats a request's headers — a debug log, a panic message —
/// prints `Sensitive` instead of the secret. Every frontend puts it outermost,
/// before anything can log a request.
pub fn sensitive_headers_layer() -> SetSensitiveRequestHeadersLayer {
    SetSensitiveRequestHeadersLayer::from_shared(CREDENTIAL_HEADERS.into())
}

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
    at: Instant,
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
        let started =
            tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO).then(|| Started {
                method: req.method().clone(),
                uri: req.uri().clone(),
                at: Instant::now(),
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
                latency_us: s.at.elapsed().as_micros() as u64,
            };
            if !request_line::write(fields) {
                request_line::event(fields);
            }
        }
        Poll::Ready(out)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{service_fn, ServiceBuilder, ServiceExt};

    use super::*;

    #[tokio::test]
    async fn credential_headers_reach_the_stack_marked_sensitive() {
        let svc = ServiceBuilder::new()
            .layer(sensitive_headers_layer())
            .service(service_fn(|req: http::Request<()>| async move {
                let sensitive: Vec<(String, bool)> = req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.is_sensitive()))
                    .collect();
                Ok::<_, Infallible>(http::Response::new(sensitive))
            }));
        let req = http::Request::builder()
            .header("X-Registry-Auth", "eyJwYXNzd29yZCI6InMzY3IzdCJ9")
            .header("Authorization", "Basic dTpw")
            .header("Content-Type", "application/json")
            .body(())
            .unwrap();
        let res = svc.oneshot(req).await.unwrap();
        assert_eq!(
            res.into_body(),
            vec![
                ("x-registry-auth".to_string(), true),
                ("authorization".to_string(), true),
                ("content-type".to_string(), false),
            ]
        );
    }
}
