//! `capabilities`, `info`, `version`, `events` (WebSocket), `auth` and the
//! backend's extension routes.

use std::cell::RefCell;

use bytes::Bytes;
use http::StatusCode;
use sockerless_core::api::Capabilities;
use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::SystemRequest;
use crate::ws::Pump;

pub(super) async fn apply(backend: &dyn Backend, request: SystemRequest) -> Result<Reply> {
    match request {
        SystemRequest::Capabilities => capabilities(backend.capabilities()),
        SystemRequest::Info => Reply::ok(&backend.info().await?),
        SystemRequest::Version => Reply::ok(&backend.version().await?),
        SystemRequest::Events(options) => {
            Ok(Reply::Upgrade(Pump::json(backend.events(options).await?)))
        }
        SystemRequest::Auth(config) => Reply::ok(&backend.auth(config).await?),
        SystemRequest::Extension(request) => {
            let res = backend.extension(request).await?;
            match res.body {
                Some(body) => Reply::json(res.status, &body),
                None => Ok(Reply::Empty(res.status)),
            }
        }
    }
}

thread_local! {
    /// The last capabilities this thread answered, with their JSON.
    static CAPABILITIES: RefCell<Option<(Capabilities, Bytes)>> = const { RefCell::new(None) };
}

/// The capabilities' JSON, serialised again only when they differ from what
/// this thread answered last (a profile change): the answer is the same
/// every time, and serialising it cost more than the rest of the request.
fn capabilities(current: Capabilities) -> Result<Reply> {
    let cached = CAPABILITIES.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(caps, _)| *caps == current)
            .map(|(_, json)| json.clone())
    });
    if let Some(json) = cached {
        return Ok(Reply::Json(StatusCode::OK, json));
    }
    let reply = Reply::ok(&current)?;
    if let Reply::Json(_, json) = &reply {
        CAPABILITIES.with(|c| *c.borrow_mut() = Some((current, json.clone())));
    }
    Ok(reply)
}
