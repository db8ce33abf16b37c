//! The HTTP side: [`app`] composes the whole tower layer stack around any
//! `Arc<dyn Backend>` — the one place the layer order lives — so every backend,
//! memory or cloud, is served by the same code.
//!
//! Outermost first:
//! 1. request logging (`TraceLayer`): one info line per request — method, path,
//!    status, latency;
//! 2. [`layers::RescueLayer`]: any handler error or panic becomes a response with
//!    body `{"message": "..."}` and `content-type: application/json`; every other
//!    response of status ≥ 400 is checked to carry such a body; the stack is
//!    infallible;
//! 3. [`layers::RouteLayer`]: parses the request into a [`route::Route`] (404
//!    `page not found` fallback, 405 with `Allow`);
//! 4. [`layers::BodyLimitLayer`]: 413 past the body limit, except on routes that
//!    read their body as a stream (image load);
//! 5. [`handlers::Dispatch`]: query and body parsing, the backend call, the
//!    response (JSON, ndjson stream or WebSocket upgrade).
//!
//! No request timeout is applied: streaming and WebSocket routes live as long as
//! the client wants.

pub mod handlers;
pub mod layers;
pub mod query;
pub mod route;
mod ws;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use crate::backend::Backend;

/// Boxed error of bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type used inside the stack, for requests and responses.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// The response type the stack answers with.
pub type Response = http::Response<Body>;

/// The stack as one type-erased, cloneable, infallible service.
pub type App<B> = BoxCloneService<http::Request<B>, Response, Infallible>;

/// Default request-body limit: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// What the stack needs besides the backend.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Largest request body accepted on non-streaming routes (413 beyond).
    pub max_body_bytes: usize,
    /// Cancelled at shutdown: open WebSocket streams close normally.
    pub shutdown: CancellationToken,
    /// Tracks WebSocket tasks so the server can wait for them while draining.
    pub tasks: TaskTracker,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            max_body_bytes: DEFAULT_MAX_BODY,
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The backend every route calls.
    pub backend: Arc<dyn Backend>,
    /// The options the stack was built with.
    pub options: AppOptions,
}

/// Builds the whole stack around `backend`. Generic over the incoming body so it
/// serves hyper's `Incoming` and test bodies alike.
pub fn app<B>(backend: Arc<dyn Backend>, options: AppOptions) -> App<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let max = options.max_body_bytes;
    let state = AppState { backend, options };
    let svc = ServiceBuilder::new()
        .map_response(|res: http::Response<_>| res.map(BodyExt::boxed_unsync))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_request(())
                .on_response(LogResponse)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(layers::RescueLayer)
        .map_request(|req: http::Request<B>| req.map(|b| b.map_err(Into::into).boxed_unsync()))
        .layer(layers::RouteLayer)
        .layer(layers::BodyLimitLayer::new(max))
        .service(handlers::Dispatch::new(state));
    BoxCloneService::new(svc.map_err(|e: Infallible| match e {}))
}

/// The span of one request: method and path (never the query or headers, which
/// may carry credentials).
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &http::Request<B>) -> Span {
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
    }
}

/// Logs the one line per request: status and latency, inside the request span.
#[derive(Debug, Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, res: &http::Response<B>, latency: Duration, span: &Span) {
        let _enter = span.enter();
        tracing::info!(
            status = res.status().as_u16(),
            latency_us = latency.as_micros() as u64,
            "request"
        );
    }
}
