//! # sockerless-http
//!
//! Serving plumbing that every sockerless frontend reuses, whatever API it speaks
//! (the internal API today, Docker's API next):
//! - [`body`]: body types and response builders (JSON, empty, `{"message"}` errors);
//! - [`boxed::pin_in_place`]: a frontend's large request future boxed without
//!   a copy;
//! - [`outlined::Outlined`]: a future polled in a stack frame of its own (a
//!   dispatcher's branches, each only as large as it needs);
//! - [`clock`]: the request path's clock reads as plain nanoseconds;
//! - [`rescue::RescueLayer`]: errors and panics become JSON error responses;
//! - [`limit::BodyLimitLayer`]: 413 past the request-body limit, except on
//!   routes that stream their body ([`limit::StreamsBody`]); it serves the
//!   [`routed::Routed`] requests a frontend's router hands on;
//! - [`credentials::CredentialsLayer`]: credential headers marked sensitive
//!   before anything can log them;
//! - [`trace`]: one info line per request (method, path, status, latency);
//! - [`log_writer`]: the log sink (per-thread buffers, one writer thread);
//! - [`ready::call`]: a stack called in place when ready, not cloned per
//!   request;
//! - [`request_line`]: the request line formatted straight into that sink;
//! - [`log_time`]: the log lines' timestamp (the second's text cached);
//! - [`server`]: Unix and TCP listeners (socket mode and group, stale-socket
//!   handling), the accept loop with a connection cap, graceful drain — serving
//!   any infallible tower `Service`;
//! - [`head_deadline`]: the header-read timeout, one deadline per connection
//!   armed after each response and one sweeper thread per server, instead of
//!   hyper's timer (a boxed sleep and a poll-loop round per request);
//! - [`error_body`]: a JSON body for the 400/414/431 hyper answers by itself;
//! - [`drain::Drain`]: what streaming and upgraded connections register with so
//!   shutdown can close them normally.
//!
//! It knows no route and no backend: a frontend composes these layers around
//! its own router.
#![warn(missing_docs)]

pub mod body;
pub mod boxed;
pub mod clock;
pub mod conn;
mod connection_service;
pub mod credentials;
pub mod drain;
pub mod error_body;
pub mod head_deadline;
pub mod json;
pub mod limit;
pub mod log_time;
pub mod log_writer;
pub mod outlined;
pub mod ready;
pub mod request_line;
pub mod rescue;
pub mod routed;
pub mod server;
pub mod trace;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;

/// Boxed error of bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type used inside the stacks, for requests and responses.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// The response type the stacks answer with.
pub type Response = http::Response<Body>;

/// What a frontend's whole stack is: an infallible, cloneable service of
/// requests with a sendable future, as [`serve`] runs it. A frontend returns
/// `impl Stack<B>` so the server runs the concrete type (no boxed clone and
/// no boxed future per request). The future is `Unpin` (a frontend's large
/// future is boxed, [`boxed::pin_in_place`], and the layers' futures around
/// it are `Unpin` when it is): the server polls it once where it was made,
/// then moves it to hyper if it is not finished.
pub trait Stack<B>:
    tower::Service<
        http::Request<B>,
        Response = Response,
        Error = std::convert::Infallible,
        Future: Send + Unpin + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<B, S> Stack<B> for S where
    S: tower::Service<
            http::Request<B>,
            Response = Response,
            Error = std::convert::Infallible,
            Future: Send + Unpin + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// Default request-body limit: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

pub use drain::Drain;
pub use server::{serve, ListenConfig, Listeners, ServeOptions, ServerError};
