//! # sockerless-docker
//!
//! The Docker Engine API frontend: Docker's REST API (v1.44, minimum 1.24) in
//! front of any `Arc<dyn Backend>`, so the `docker` CLI, docker-py and bollard
//! talk to sockerless as to a Docker daemon. It depends only on
//! `sockerless-core` (types, trait, errors) and `sockerless-http` (serving
//! plumbing); the contract is `shared/design/docker-frontend.md`.
//!
//! [`app`] builds the whole stack — the one place the layer order lives —
//! outermost first:
//! 1. `/internal/v1/...` goes to the internal-API app when one is given
//!    ([`DockerOptions::internal`]), so test-double controls stay reachable on
//!    the Docker socket; everything else continues below;
//! 2. request logging (one info line per request, never query or headers);
//! 3. Docker's headers on every response, errors included (`Api-Version`,
//!    `Ostype`, `Docker-Experimental`, `Server`);
//! 4. rescue: panics become a JSON 500; the stack is infallible;
//! 5. [`layer::docker_error`]: errors become `{"message":"…"}\n` with
//!    `Content-Type: application/json` exactly;
//! 6. [`layer::DockerRouteLayer`]: version prefix, percent-decoding, routing
//!    (404 `page not found` for unknown paths and wrong methods), negotiation
//!    (400 too old / too new);
//! 7. the body limit (413), except for routes that stream their body;
//! 8. [`dispatch::Dispatch`]: one handler file per resource.
//!
//! No request timeout: wait, attach, logs, events and stats live as long as
//! the client wants.
#![warn(missing_docs)]

pub mod dispatch;
pub mod gojson;
pub mod hijack;
pub mod keys;
pub mod layer;
pub mod reply;
pub mod request;
pub mod route;
pub mod stdcopy;
pub mod version;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::Either;
use sockerless_core::Backend;
use sockerless_http::body::request_body;
use sockerless_http::credentials::CredentialsLayer;
use sockerless_http::limit::{BodyLimitLayer, BodyLimits};
use sockerless_http::ready;
use sockerless_http::rescue::RescueLayer;
use sockerless_http::trace::request_log_layer;
use sockerless_http::{Body, BoxError, Drain, Response, Stack};
use tower::util::BoxCloneService;
use tower::{service_fn, ServiceBuilder};

pub use dispatch::Ctx;
pub use route::DockerRoute;
pub use version::ApiVersion;

/// The Docker stack as one type-erased, cloneable, infallible service.
pub type DockerApp<B> = BoxCloneService<http::Request<B>, Response, Infallible>;

/// The internal-API app served beside Docker's routes under `/internal/v1`
/// (`sockerless_internal_api::app::<sockerless_http::Body>(…)`).
pub type InternalApp = BoxCloneService<http::Request<Body>, Response, Infallible>;

/// The path prefix handed to [`DockerOptions::internal`].
pub const INTERNAL_PREFIX: &str = "/internal/v1";

/// What the stack needs besides the backend.
#[derive(Clone)]
pub struct DockerOptions {
    /// Request bodies: 413 past the size on non-streaming routes, 408 past
    /// the read time.
    pub body: BodyLimits,
    /// Shutdown signal and task tracker of hijacked streams.
    pub drain: Drain,
    /// When set, requests under `/internal/v1` go to this service.
    pub internal: Option<InternalApp>,
}

impl Default for DockerOptions {
    fn default() -> Self {
        DockerOptions {
            body: BodyLimits::default(),
            drain: Drain::new(),
            internal: None,
        }
    }
}

impl std::fmt::Debug for DockerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerOptions")
            .field("body", &self.body)
            .field("internal", &self.internal.is_some())
            .finish_non_exhaustive()
    }
}

fn is_internal(path: &str) -> bool {
    path.strip_prefix(INTERNAL_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Builds the Docker stack around `backend` (see the crate docs for the
/// order). Generic over the incoming body so it serves hyper's `Incoming` and
/// test bodies alike.
pub fn app<B>(backend: Arc<dyn Backend>, options: DockerOptions) -> DockerApp<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    BoxCloneService::new(stack(backend, options))
}

/// [`app`] without the type erasure: what the daemon serves, so that a
/// request neither clones a boxed service nor boxes its future (the internal
/// API beside it stays boxed: it is an option of the stack).
pub fn stack<B>(backend: Arc<dyn Backend>, options: DockerOptions) -> impl Stack<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let ctx = Ctx::new(dispatch::Shared {
        backend,
        drain: options.drain.clone(),
        max_body: options.body.max_bytes,
    });
    let mut docker = ServiceBuilder::new()
        .layer(CredentialsLayer::default())
        .layer(request_log_layer())
        .map_response(version::add_docker_headers)
        .layer(RescueLayer)
        .map_result(layer::docker_error)
        .layer(layer::DockerRouteLayer)
        .layer(BodyLimitLayer::from(options.body))
        .service(dispatch::Dispatch::new(ctx));
    let mut internal = options.internal;
    // Called in place, not cloned per request: the server gives each
    // connection its own clone of this stack.
    service_fn(move |req: http::Request<B>| {
        let req = req.map(request_body);
        match &mut internal {
            Some(i) if is_internal(req.uri().path()) => Either::Left(ready::call(i, req)),
            _ => Either::Right(ready::call(&mut docker, req)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_prefix() {
        assert!(is_internal("/internal/v1"));
        assert!(is_internal("/internal/v1/memory/reset"));
        assert!(!is_internal("/internal/v10"));
        assert!(!is_internal("/v1.44/internal/v1"));
    }
}
