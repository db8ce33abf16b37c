//! `capabilities`, `info`, `version`, `events` (WebSocket), `auth` and the
//! backend's extension routes.

use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::SystemRequest;
use crate::ws::Pump;

pub(super) async fn apply(backend: &dyn Backend, request: SystemRequest) -> Result<Reply> {
    match request {
        SystemRequest::Capabilities => Reply::ok(&backend.capabilities()),
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
