//! The innermost service: [`Dispatch`] runs the backend's `before` hook, types
//! the request ([`Request::parse`]), hands it to its resource's file — one
//! exhaustive `match` each — and turns the [`Reply`](crate::reply::Reply)
//! into a response (JSON, empty, ndjson stream or WebSocket upgrade).

mod containers;
mod exec;
mod images;
mod networks;
mod system;
mod volumes;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::Service;

use sockerless_core::error::{Error, Result};
use sockerless_http::outlined::Outlined;
use sockerless_http::routed::Routed;
use sockerless_http::Response;

use crate::query::Query;
use crate::request::{Payload, Request};
use crate::route::Route;
use crate::AppState;

/// The dispatching service at the bottom of the stack.
#[derive(Clone)]
pub(crate) struct Dispatch {
    /// Shared: a request's future holds one reference count, not one per
    /// `Arc` inside the state.
    state: Arc<AppState>,
}

impl Dispatch {
    /// A dispatcher over this state.
    pub(crate) fn new(state: AppState) -> Self {
        Dispatch {
            state: Arc::new(state),
        }
    }
}

impl Service<Routed<Route>> for Dispatch {
    type Response = Response;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Routed<Route>) -> Self::Future {
        let state = self.state.clone();
        sockerless_http::boxed::pin_in_place(|| handle(state, req))
    }
}

/// One request, in the order its errors surface: a bad query string (400), the
/// backend's `before` hook (faults, latency), the upgrade check or the body
/// (400, 413), the route's own parameters (400), then the operation.
///
/// The request is taken apart before the future is made: an async fn keeps
/// its arguments for its whole life beside what it makes of them, and this
/// future is boxed for every request (kept under 1 KiB, mimalloc's small
/// blocks, it takes the allocator's fast path).
fn handle(state: Arc<AppState>, routed: Routed<Route>) -> impl Future<Output = Result<Response>> {
    let Routed {
        route,
        request: req,
    } = routed;
    let (parts, body) = req.into_parts();
    let mut head = http::Request::from_parts(parts, ());
    let query = Query::parse(head.uri().query());
    async move {
        let query = query?;
        if let Some(operation) = route.operation() {
            state.backend.before(operation, route.reference()).await?;
        }
        let max = state.options.body.max_bytes;
        let payload = Payload::take(&route, &head, body, max).await?;
        let request = Request::parse(route, &query, &head, payload)?;
        let backend = state.backend.as_ref();
        // Each resource's future awaited here, not inside another async fn
        // that would keep its own copy of the request, and polled in a frame
        // of its own (`Outlined`: this one's was 13.5 KB with them inlined).
        let reply = match request {
            Request::System(r) => Outlined::new(system::apply(backend, r)).await,
            Request::Container(r) => Outlined::new(containers::apply(backend, r)).await,
            Request::Exec(r) => Outlined::new(exec::apply(backend, r)).await,
            Request::Image(r) => Outlined::new(images::apply(backend, r)).await,
            Request::Network(r) => Outlined::new(networks::apply(backend, r)).await,
            Request::Volume(r) => Outlined::new(volumes::apply(backend, r)).await,
        }?;
        reply.into_response(&mut head, &state.options.drain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of what `f` returns, without calling it.
    fn returned_size<A, B, F>(_: fn(A, B) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    #[test]
    fn a_requests_future_fits_a_small_allocator_block() {
        // mimalloc's small blocks end at 1 KiB; past it every request's
        // box takes the allocator's slow path (see `handle`).
        let size = returned_size(handle);
        assert!(size <= 1024, "the request future is {size} bytes");
    }
}
