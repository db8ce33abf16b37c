//! The innermost service: one `match` from [`DockerRoute`] to the handler of
//! its resource (one file per resource, `handle(ctx, route, req)` each). The
//! routes the frontend answers alone (`OPTIONS`, swarm, unsupported) end here.
//!
//! Before a route's backend call the backend's `before` hook runs with the
//! route's [`Operation`] (fault rules and profiles see Docker traffic too);
//! logs and exec start call it themselves, once they know whether they follow
//! or attach.

pub mod containers;
pub mod events;
pub mod exec;
pub mod files;
pub mod images;
pub mod networks;
pub mod system;
pub mod volumes;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::StatusCode;
use serde::de::DeserializeOwned;
use sockerless_core::error::{Error, Result};
use sockerless_core::{Backend, Operation};
use sockerless_http::outlined::Outlined;
use sockerless_http::routed::Routed;
use sockerless_http::{Body, Drain, Response};
use tower::Service;

use crate::layer::{routed_path, RouteInfo};
use crate::reply;
use crate::request::parse_json;
use crate::route::{unsupported_message, DockerRoute, NOT_A_SWARM_MANAGER};
use crate::version::ApiVersion;

/// What every handler gets: the frontend's [`Shared`] parts (reached through
/// `Deref`: `ctx.backend`) and the request's API version.
#[derive(Clone)]
pub struct Ctx {
    /// One reference count per request, not one per `Arc` inside.
    shared: Arc<Shared>,
    /// The request's API version (`/v1.41/…` → 1.41; unversioned → 1.44).
    pub api: ApiVersion,
}

/// The parts of a [`Ctx`] every request of a frontend shares.
pub struct Shared {
    /// The backend every route calls.
    pub backend: Arc<dyn Backend>,
    /// Upgraded (hijacked) connections register their pump task here.
    pub drain: Drain,
    /// Largest request body on non-streaming routes.
    pub max_body: usize,
}

impl std::ops::Deref for Ctx {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl Ctx {
    /// A context over `shared`, at the current API version until a request
    /// sets its own.
    pub fn new(shared: Shared) -> Self {
        Ctx {
            shared: Arc::new(shared),
            api: ApiVersion::current(),
        }
    }

    /// Reads a whole (size-limited) request body.
    pub async fn body(&self, body: Body) -> Result<Bytes> {
        sockerless_http::body::read_body(body, self.max_body).await
    }

    /// Reads a JSON body by Docker's rules (see [`parse_json`]): `None` when
    /// empty, 400 for a wrong content type or bad JSON.
    pub async fn json<T: DeserializeOwned>(&self, req: http::Request<Body>) -> Result<Option<T>> {
        let (parts, body) = req.into_parts();
        let bytes = self.body(body).await?;
        parse_json(&parts.headers, &bytes)
    }

    /// The backend's `before` hook for `operation` on `reference`.
    pub async fn before(&self, operation: Operation, reference: Option<&str>) -> Result<()> {
        self.backend.before(operation, reference).await
    }
}

/// The dispatching service at the bottom of the stack.
#[derive(Clone)]
pub struct Dispatch {
    ctx: Ctx,
}

impl Dispatch {
    /// A dispatcher over this context (its `api` is replaced per request).
    pub fn new(ctx: Ctx) -> Self {
        Dispatch { ctx }
    }
}

impl Service<Routed<RouteInfo>> for Dispatch {
    type Response = Response;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Routed<RouteInfo>) -> Self::Future {
        let ctx = self.ctx.clone();
        sockerless_http::boxed::pin_in_place(|| handle(ctx, req))
    }
}

/// The operation whose `before` hook runs ahead of a route; `None` for routes
/// the frontend answers itself or composes, and for logs and exec start, whose
/// handlers pick the operation (`…_stream` when following or attached).
pub fn operation(route: &DockerRoute) -> Option<Operation> {
    use DockerRoute::*;
    let op = match route {
        Version => Operation::Version,
        Info => Operation::Info,
        Events => Operation::Events,
        Auth => Operation::Auth,
        ContainerCreate => Operation::ContainerCreate,
        ContainerList => Operation::ContainerList,
        ContainerPrune => Operation::ContainerPrune,
        ContainerInspect(_) => Operation::ContainerInspect,
        ContainerTop(_) => Operation::ContainerTop,
        ContainerStats(_) => Operation::ContainerStats,
        ContainerStart(_) => Operation::ContainerStart,
        ContainerStop(_) => Operation::ContainerStop,
        ContainerRestart(_) => Operation::ContainerRestart,
        ContainerKill(_) => Operation::ContainerKill,
        ContainerPause(_) => Operation::ContainerPause,
        ContainerUnpause(_) => Operation::ContainerUnpause,
        ContainerRename(_) => Operation::ContainerRename,
        ContainerAttach(_) => Operation::ContainerAttach,
        ContainerWait(_) => Operation::ContainerWait,
        ContainerRemove(_) => Operation::ContainerRemove,
        ExecCreate(_) => Operation::ExecCreate,
        ExecInspect(_) => Operation::ExecInspect,
        ImageCreate => Operation::ImagePull,
        ImageList => Operation::ImageList,
        ImageLoad => Operation::ImageLoad,
        ImagePrune => Operation::ImagePrune,
        ImageInspect(_) => Operation::ImageInspect,
        ImageTag(_) => Operation::ImageTag,
        ImageRemove(_) => Operation::ImageRemove,
        ContainerArchiveStat(_) => Operation::ContainerArchiveStat,
        ContainerArchiveGet(_) => Operation::ContainerArchiveGet,
        ContainerArchivePut(_) => Operation::ContainerArchivePut,
        ContainerExport(_) => Operation::ContainerExport,
        ContainerChanges(_) => Operation::ContainerChanges,
        Commit => Operation::ContainerCommit,
        ImageSaveMany | ImageSave(_) => Operation::ImageSave,
        NetworkCreate => Operation::NetworkCreate,
        NetworkList => Operation::NetworkList,
        NetworkPrune => Operation::NetworkPrune,
        NetworkInspect(_) => Operation::NetworkInspect,
        NetworkConnect(_) => Operation::NetworkConnect,
        NetworkDisconnect(_) => Operation::NetworkDisconnect,
        NetworkRemove(_) => Operation::NetworkRemove,
        VolumeCreate => Operation::VolumeCreate,
        VolumeList => Operation::VolumeList,
        VolumePrune => Operation::VolumePrune,
        VolumeInspect(_) => Operation::VolumeInspect,
        VolumeRemove(_) => Operation::VolumeRemove,
        Ping | SystemDf | BuildPrune | ContainerLogs(_) | ContainerResize(_)
        | ContainerUpdate(_) | ExecStart(_) | ExecResize(_) | ImageHistory(_) | Options | Swarm
        | Unsupported => return None,
    };
    Some(op)
}

async fn handle(mut ctx: Ctx, routed: Routed<RouteInfo>) -> Result<Response> {
    use DockerRoute::*;
    let Routed {
        route: info,
        request: req,
    } = routed;
    ctx.api = info.api;
    let route = info.route;
    match route {
        Options => return Ok(reply::empty(StatusCode::OK)),
        Swarm => return Err(Error::Unavailable(NOT_A_SWARM_MANAGER.into())),
        Unsupported => {
            return Err(Error::NotImplemented(unsupported_message(
                req.method(),
                &routed_path(req.uri().path()),
            )))
        }
        _ => {}
    }
    if let Some(op) = operation(&route) {
        ctx.before(op, route.reference()).await?;
    }
    // Each resource's handler polled in a frame of its own (`Outlined`:
    // this one's was 10.5 KB with them inlined).
    match route {
        Ping | Version | Info | Auth | BuildPrune => {
            Outlined::new(system::handle(&ctx, route, req)).await
        }
        Events | SystemDf => Outlined::new(events::handle(&ctx, route, req)).await,
        ContainerCreate | ContainerList | ContainerPrune | ContainerInspect(_)
        | ContainerTop(_) | ContainerLogs(_) | ContainerStats(_) | ContainerResize(_)
        | ContainerStart(_) | ContainerStop(_) | ContainerRestart(_) | ContainerKill(_)
        | ContainerPause(_) | ContainerUnpause(_) | ContainerRename(_) | ContainerUpdate(_)
        | ContainerAttach(_) | ContainerWait(_) | ContainerRemove(_) => {
            Outlined::new(containers::handle(&ctx, route, req)).await
        }
        ExecCreate(_) | ExecStart(_) | ExecResize(_) | ExecInspect(_) => {
            Outlined::new(exec::handle(&ctx, route, req)).await
        }
        ContainerArchiveStat(_)
        | ContainerArchiveGet(_)
        | ContainerArchivePut(_)
        | ContainerExport(_)
        | ContainerChanges(_)
        | Commit
        | ImageSaveMany
        | ImageSave(_) => Outlined::new(files::handle(&ctx, route, req)).await,
        ImageCreate | ImageList | ImageLoad | ImagePrune | ImageInspect(_) | ImageHistory(_)
        | ImageTag(_) | ImageRemove(_) => Outlined::new(images::handle(&ctx, route, req)).await,
        NetworkCreate | NetworkList | NetworkPrune | NetworkInspect(_) | NetworkConnect(_)
        | NetworkDisconnect(_) | NetworkRemove(_) => {
            Outlined::new(networks::handle(&ctx, route, req)).await
        }
        VolumeCreate | VolumeList | VolumePrune | VolumeInspect(_) | VolumeRemove(_) => {
            Outlined::new(volumes::handle(&ctx, route, req)).await
        }
        Options | Swarm | Unsupported => Err(Error::internal("answered above")),
    }
}
