//! [`BodyLimitLayer`]: caps request bodies, except on requests a router marked
//! with [`StreamsBody`] (uploads read as a stream).

use std::task::{Context, Poll};

use futures_util::future::{Either, Ready};
use http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, Limited};
use sockerless_core::error::Error;
use tower::{Layer, Service};

use crate::body::too_large;
use crate::{Body, Response};

/// A request extension a router inserts on routes that read their body as a
/// stream: [`BodyLimit`] leaves such requests alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamsBody;

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
        let streams = req.extensions().get::<StreamsBody>().is_some();
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
    use bytes::Bytes;
    use tower::{service_fn, ServiceExt};

    use crate::body::full_body;

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
        req.extensions_mut().insert(StreamsBody);
        assert_eq!(svc.oneshot(req).await.unwrap().status(), 200);
    }
}
