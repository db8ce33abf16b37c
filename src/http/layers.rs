//! The stack's own layers: rescue (errors and panics → JSON), routing, body limit.
//!
//! ```
//! use sockerless::http::layers::error_response;
//! let res = error_response(&sockerless::Error::not_found("page not found"));
//! assert_eq!(res.status(), 404);
//! assert_eq!(res.headers()["content-type"], "application/json");
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::{CatchUnwind, Either, FutureExt, Ready};
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::HeaderValue;
use http_body_util::{BodyExt, Full, Limited};
use tower::{Layer, Service};

use super::route::Route;
use super::{Body, Response};
use crate::error::Error;

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
    if let Error::MethodNotAllowed { allow, .. } = err {
        if let Ok(v) = HeaderValue::from_str(allow) {
            res.headers_mut().insert(ALLOW, v);
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

/// An empty body.
pub fn empty_body() -> Body {
    Full::new(Bytes::new())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A body of these bytes.
pub fn full_body(bytes: Bytes) -> Body {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Turns every `Err` and every panic of the inner service into a JSON error
/// response, and makes sure every other response of status ≥ 400 is JSON too.
/// The resulting service never fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct RescueLayer;

impl<S> Layer<S> for RescueLayer {
    type Service = Rescue<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Rescue { inner }
    }
}

/// The service of [`RescueLayer`].
#[derive(Debug, Clone)]
pub struct Rescue<S> {
    inner: S,
}

type RescueInner<F> =
    Either<Ready<std::thread::Result<Result<Response, Error>>>, CatchUnwind<AssertUnwindSafe<F>>>;

impl<S, R> Service<R> for Rescue<S>
where
    S: Service<R, Response = Response, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RescueFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match self.inner.poll_ready(cx) {
            Poll::Ready(_) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn call(&mut self, req: R) -> Self::Future {
        let inner = &mut self.inner;
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(req))) {
            Ok(fut) => Either::Right(AssertUnwindSafe(fut).catch_unwind()),
            Err(payload) => Either::Left(futures_util::future::ready(Err(payload))),
        };
        RescueFuture { inner: fut }
    }
}

fn panicked() -> Error {
    Error::internal("internal server error: the handler panicked")
}

pin_project_lite::pin_project! {
    /// The future of [`Rescue`].
    pub struct RescueFuture<F> {
        #[pin]
        inner: RescueInner<F>,
    }
}

impl<F> Future for RescueFuture<F>
where
    F: Future<Output = Result<Response, Error>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let out = match self.project().inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(r)) => r,
            Poll::Ready(Err(_panic)) => Err(panicked()),
        };
        let res = match out {
            Ok(res) if res.status().as_u16() >= 400 && !is_json(&res) => {
                let status = res.status();
                json_message(status, status.canonical_reason().unwrap_or("error"))
            }
            Ok(res) => res,
            Err(err) => error_response(&err),
        };
        Poll::Ready(Ok(res))
    }
}

/// Parses the route and stores it in the request's extensions; unknown paths and
/// wrong methods end here as errors (404, 405).
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteLayer;

impl<S> Layer<S> for RouteLayer {
    type Service = RouteService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RouteService { inner }
    }
}

/// The service of [`RouteLayer`].
#[derive(Debug, Clone)]
pub struct RouteService<S> {
    inner: S,
}

impl<S, B> Service<http::Request<B>> for RouteService<S>
where
    S: Service<http::Request<B>, Response = Response, Error = Error>,
{
    type Response = Response;
    type Error = Error;
    type Future = Either<Ready<Result<Response, Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        match Route::parse(req.method(), req.uri().path()) {
            Ok(route) => {
                req.extensions_mut().insert(route);
                Either::Right(self.inner.call(req))
            }
            Err(e) => Either::Left(futures_util::future::ready(Err(e))),
        }
    }
}

/// Caps request bodies at a size: a `Content-Length` over it is answered 413 at
/// once, and a body that grows past it fails to read (413 too). Routes whose
/// [`Route::streams_body`] is true are left alone.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimitLayer {
    max: usize,
}

impl BodyLimitLayer {
    /// A limit of `max` bytes.
    pub fn new(max: usize) -> Self {
        BodyLimitLayer { max }
    }
}

impl<S> Layer<S> for BodyLimitLayer {
    type Service = BodyLimit<S>;
    fn layer(&self, inner: S) -> Self::Service {
        BodyLimit {
            inner,
            max: self.max,
        }
    }
}

/// The service of [`BodyLimitLayer`].
#[derive(Debug, Clone)]
pub struct BodyLimit<S> {
    inner: S,
    max: usize,
}

/// The message of a 413.
pub fn too_large(max: usize) -> Error {
    Error::PayloadTooLarge(format!("request body too large: the limit is {max} bytes"))
}

impl<S> Service<http::Request<Body>> for BodyLimit<S>
where
    S: Service<http::Request<Body>, Response = Response, Error = Error>,
{
    type Response = Response;
    type Error = Error;
    type Future = Either<Ready<Result<Response, Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let streams = req
            .extensions()
            .get::<Route>()
            .is_some_and(Route::streams_body);
        if streams {
            return Either::Right(self.inner.call(req));
        }
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max as u64) {
            return Either::Left(futures_util::future::ready(Err(too_large(self.max))));
        }
        let max = self.max;
        let req = req.map(|b| Limited::new(b, max).boxed_unsync());
        Either::Right(self.inner.call(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{service_fn, ServiceExt};

    async fn body_json(res: Response) -> serde_json::Value {
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn rescue_maps_errors_and_panics() {
        let svc = RescueLayer.layer(service_fn(|code: u16| async move {
            match code {
                0 => panic!("boom"),
                1 => Err(Error::conflict("busy")),
                2 => {
                    let mut res = http::Response::new(full_body(Bytes::from_static(b"plain")));
                    *res.status_mut() = http::StatusCode::BAD_GATEWAY;
                    Ok(res)
                }
                _ => Ok(http::Response::new(empty_body())),
            }
        }));
        let res = svc.clone().oneshot(0).await.unwrap();
        assert_eq!(res.status(), 500);
        assert_eq!(
            body_json(res).await["message"],
            "internal server error: the handler panicked"
        );
        let res = svc.clone().oneshot(1).await.unwrap();
        assert_eq!(res.status(), 409);
        assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(body_json(res).await["message"], "busy");
        let res = svc.clone().oneshot(2).await.unwrap();
        assert_eq!(res.status(), 502);
        assert_eq!(body_json(res).await["message"], "Bad Gateway");
        let res = svc.oneshot(3).await.unwrap();
        assert_eq!(res.status(), 200);
    }

    #[tokio::test]
    async fn body_limit_checks_declared_and_actual_length() {
        let inner = service_fn(|req: http::Request<Body>| async move {
            match req.into_body().collect().await {
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
            svc.clone().oneshot(req).await,
            Err(Error::PayloadTooLarge(_))
        ));
        let req = http::Request::new(full_body(Bytes::from_static(b"12345")));
        assert!(matches!(
            svc.clone().oneshot(req).await,
            Err(Error::PayloadTooLarge(_))
        ));
        let req = http::Request::new(full_body(Bytes::from_static(b"1234")));
        assert_eq!(svc.clone().oneshot(req).await.unwrap().status(), 200);
        let mut req = http::Request::new(full_body(Bytes::from_static(b"123456789")));
        req.extensions_mut().insert(Route::ImageLoad);
        assert_eq!(svc.oneshot(req).await.unwrap().status(), 200);
    }

    #[tokio::test]
    async fn route_layer_rejects_unknown_paths() {
        let inner = service_fn(|req: http::Request<()>| async move {
            let name = req
                .extensions()
                .get::<Route>()
                .map(Route::name)
                .unwrap_or("");
            Ok::<_, Error>(http::Response::new(full_body(Bytes::from(name))))
        });
        let svc = RouteLayer.layer(inner);
        let req = http::Request::get("/internal/v1/capabilities")
            .body(())
            .unwrap();
        let res = svc.clone().oneshot(req).await.unwrap();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"capabilities");
        let req = http::Request::get("/nope").body(()).unwrap();
        assert_eq!(
            svc.oneshot(req).await.unwrap_err(),
            Error::not_found("page not found")
        );
    }
}
