//! Exec routes: create, start (hijacked, or detached without an upgrade:
//! `200` empty), resize (existence check only) and inspect.
//!
//! Framing follows the *start* body's `Tty` (moby `router/container/exec.go`).
//! The exit code is visible in inspect before the stream closes because the
//! backend records it before it yields `AttachEvent::Exit` (the trait's
//! contract), and the pump closes the connection only after that event.

use http::StatusCode;
use serde::Deserialize;
use sockerless_core::api::docker::ExecConfig;
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::hijack::{stdin_channel, Hijack, StreamMode};
use crate::reply;
use crate::request::{parse_json, Query};
use crate::route::DockerRoute;
use crate::stdcopy;

/// The body of `POST /exec/{id}/start`; unknown fields (bollard's
/// `OutputCapacity`) are ignored.
#[derive(Debug, Default, Deserialize)]
struct StartBody {
    #[serde(rename = "Detach", default)]
    detach: Option<bool>,
    #[serde(rename = "Tty", default)]
    tty: Option<bool>,
}

/// Serves the exec routes.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let b = &ctx.backend;
    match route {
        DockerRoute::ExecCreate(r) => {
            let config: ExecConfig = ctx.json(req).await?.unwrap_or_default();
            reply::json(StatusCode::CREATED, &b.exec_create(r, config).await?)
        }
        DockerRoute::ExecStart(id) => start(ctx, id, req).await,
        DockerRoute::ExecResize(id) => {
            let q = Query::parse(req.uri().query())?;
            super::containers::resize_size(&q)?;
            b.exec_inspect(id).await?;
            Ok(reply::empty(StatusCode::OK))
        }
        DockerRoute::ExecInspect(id) => reply::json(StatusCode::OK, &b.exec_inspect(id).await?),
        other => Err(Error::internal(format!(
            "{} routed to the exec handler",
            other.name()
        ))),
    }
}

/// `POST /exec/{id}/start`: detached → `200` empty (never upgraded, pitfall
/// 20); attached → checks and subscription before the `101`.
async fn start(ctx: &Ctx, id: String, mut req: http::Request<Body>) -> Result<Response> {
    let hijack = Hijack::take(&mut req);
    let (parts, body) = req.into_parts();
    let bytes = ctx.body(body).await?;
    let start: StartBody = parse_json(&parts.headers, &bytes)?.unwrap_or_default();
    if start.detach.unwrap_or(false) {
        ctx.before(Operation::ExecStart, Some(&id)).await?;
        drop(ctx.backend.exec_start(id, true, None).await?);
        return Ok(reply::empty(StatusCode::OK));
    }
    ctx.before(Operation::ExecStartStream, Some(&id)).await?;
    let exec = ctx.backend.exec_inspect(id.clone()).await?;
    let (tx, stdin) = stdin_channel(exec.open_stdin && hijack.upgrading());
    let output = ctx.backend.exec_start(id, false, stdin).await?;
    let tty = start.tty.unwrap_or(false);
    let mode = StreamMode {
        tty,
        media_type: stdcopy::media_type(tty, &ctx.api),
    };
    Ok(hijack.respond(mode, output, tx, &ctx.drain))
}
