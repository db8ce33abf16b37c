//! [`RescueLayer`]: errors and panics of the inner service become JSON error
//! responses (`{"message": ...}`, `content-type: application/json`); the
//! resulting service is infallible.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{CatchUnwind, Either, FutureExt, Ready};
use http::header::CONTENT_TYPE;
use sockerless_core::error::Error;
use tower::{Layer, Service};

use crate::body::{error_response, json_message};
use crate::Response;

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

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use tower::{service_fn, ServiceExt};

    use crate::body::{empty_body, full_body};

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
}
