//! [`RouteLayer`]: parses the internal-API route and hands the request on
//! with it, as a [`Routed`] request.

use std::task::{Context, Poll};

use futures_util::future::{Either, Ready};
use sockerless_core::error::Error;
use sockerless_http::routed::Routed;
use sockerless_http::Response;
use tower::{Layer, Service};

use crate::route::Route;

/// Parses the route and hands the request on with it; unknown paths and wrong
/// methods end here as errors (404, 405).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RouteLayer;

impl<S> Layer<S> for RouteLayer {
    type Service = RouteService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RouteService { inner }
    }
}

/// The service of [`RouteLayer`].
#[derive(Debug, Clone)]
pub(crate) struct RouteService<S> {
    inner: S,
}

impl<S, B> Service<http::Request<B>> for RouteService<S>
where
    S: Service<Routed<Route, B>, Response = Response, Error = Error>,
{
    type Response = Response;
    type Error = Error;
    type Future = Either<Ready<Result<Response, Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        match Route::parse(req.method(), req.uri().path()) {
            Ok(route) => Either::Right(self.inner.call(Routed {
                route,
                request: req,
            })),
            Err(e) => Either::Left(futures_util::future::ready(Err(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use sockerless_http::body::full_body;
    use tower::{service_fn, ServiceExt};

    #[tokio::test]
    async fn route_layer_rejects_unknown_paths() {
        let inner = service_fn(|req: Routed<Route, ()>| async move {
            let name = req.route.name();
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
