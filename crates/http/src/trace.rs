//! Request logging: one info line per request — method, path (never the query or
//! headers, which may carry credentials), status and latency.

use std::time::Duration;

use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// The request-logging layer every frontend puts outermost.
pub type RequestLogLayer =
    TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse, (), (), ()>;

/// The request-logging layer: a span per request, one line per response.
pub fn request_log_layer() -> RequestLogLayer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// The span of one request: method and path.
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
