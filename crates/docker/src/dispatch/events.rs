//! `/events` (json-lines, head flushed at once, deprecated `status`/`id`/`from` added) and `/system/df` (composed from three lists).
//!
//! Owned by F2 (see /work/notes/frontend-interface.md). Until it is filled, every
//! route here answers 501 with the route's name.

use sockerless_core::error::{Error, Result};
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::route::DockerRoute;

/// Serves Events, SystemDf.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let _ = (ctx, req);
    Err(Error::not_implemented(route.name()))
}
