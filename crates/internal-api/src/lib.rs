//! # sockerless-internal-api
//!
//! The internal API (`/internal/v1/...`, HTTP/JSON plus WebSocket for streams)
//! over any `Arc<dyn Backend>`: [`app`] composes the whole tower layer stack —
//! the one place its layer order lives — from the reusable layers of
//! `sockerless-http` and this crate's router ([`route`]) and dispatch, so every
//! backend, memory or cloud, is served by the same code.
//!
//! Outermost first:
//! 1. request logging (`TraceLayer`): one info line per request — method, path,
//!    status, latency;
//! 2. [`sockerless_http::rescue::RescueLayer`]: any handler error or panic becomes a response with
//!    body `{"message": "..."}` and `content-type: application/json`; every other
//!    response of status ≥ 400 is checked to carry such a body; the stack is
//!    infallible;
//! 3. `RouteLayer`: parses the request into a [`route::Route`] (404
//!    `page not found` fallback, 405 with `Allow`);
//! 4. [`sockerless_http::limit::BodyLimitLayer`]: 413 past the body limit, except on routes that
//!    read their body as a stream (image load);
//! 5. `Dispatch`: the backend's `before` hook, the typed request (query and
//!    body parsed once, in `request`), one exhaustive `match` per resource
//!    (`dispatch/{system,containers,exec,images,networks,volumes}.rs`) calling
//!    the backend, and its `Reply` as a response (JSON, empty, ndjson stream or
//!    WebSocket upgrade).
//!
//! No request timeout is applied: streaming and WebSocket routes live as long as
//! the client wants.

pub mod client;
mod dispatch;
mod query;
mod reply;
mod request;
pub mod route;
mod route_layer;
mod ws;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use sockerless_core::Backend;
use sockerless_http::body::request_body;
use sockerless_http::credentials::CredentialsLayer;
use sockerless_http::limit::{BodyLimitLayer, BodyLimits};
use sockerless_http::rescue::RescueLayer;
use sockerless_http::server::{Listeners, ServeOptions};
use sockerless_http::trace::request_log_layer;
use sockerless_http::{BoxError, Drain, Response, Stack};
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};

/// The stack as one type-erased, cloneable, infallible service.
pub type App<B> = BoxCloneService<http::Request<B>, Response, Infallible>;

/// What the stack needs besides the backend.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Request bodies: 413 past the size on non-streaming routes, 408 past
    /// the read time.
    pub body: BodyLimits,
    /// Shutdown signal and task tracker of the WebSocket streams.
    pub drain: Drain,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            body: BodyLimits::default(),
            drain: Drain::new(),
        }
    }
}

/// Shared state of the dispatcher.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The backend every route calls.
    pub(crate) backend: Arc<dyn Backend>,
    /// The options the stack was built with.
    pub(crate) options: AppOptions,
}

/// Builds the whole stack around `backend`. Generic over the incoming body so it
/// serves hyper's `Incoming` and test bodies alike.
pub fn app<B>(backend: Arc<dyn Backend>, options: AppOptions) -> App<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    BoxCloneService::new(stack(backend, options))
}

/// [`app`] without the type erasure: what the server runs, so that serving a
/// request neither clones a boxed service nor boxes its future.
pub fn stack<B>(backend: Arc<dyn Backend>, options: AppOptions) -> impl Stack<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let body_limit = BodyLimitLayer::from(options.body);
    let state = AppState { backend, options };
    let svc = ServiceBuilder::new()
        .layer(CredentialsLayer::default())
        .layer(request_log_layer())
        .layer(RescueLayer)
        .map_request(|req: http::Request<B>| req.map(request_body))
        .layer(route_layer::RouteLayer)
        .layer(body_limit)
        .service(dispatch::Dispatch::new(state));
    svc.map_err(|e: Infallible| match e {})
}

/// Serves the internal API for `backend` on `listeners` until `shutdown`
/// resolves, then drains (see [`sockerless_http::serve`]).
pub async fn serve(
    listeners: Listeners,
    backend: Arc<dyn Backend>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let app_options = AppOptions {
        body: options.body,
        drain: Drain::new(),
    };
    let drain = app_options.drain.clone();
    let svc = stack::<hyper::body::Incoming>(backend, app_options);
    sockerless_http::serve(listeners, svc, drain, options, shutdown).await;
}
