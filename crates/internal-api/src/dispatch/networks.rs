//! `/networks/...`: create, list, prune, inspect, connect, disconnect, remove.

use http::StatusCode;

use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::NetworkRequest as N;

pub(super) async fn apply(backend: &dyn Backend, request: N) -> Result<Reply> {
    match request {
        N::Create(request) => Reply::created(&backend.network_create(*request).await?),
        N::List(filters) => Reply::ok(&backend.network_list(filters).await?),
        N::Prune(filters) => Reply::ok(&backend.network_prune(filters).await?),
        N::Inspect(reference) => Reply::ok(&backend.network_inspect(reference).await?),
        N::Connect { reference, request } => {
            backend.network_connect(reference, *request).await?;
            Ok(Reply::Empty(StatusCode::OK))
        }
        N::Disconnect { reference, request } => {
            backend.network_disconnect(reference, *request).await?;
            Ok(Reply::Empty(StatusCode::OK))
        }
        N::Remove(reference) => {
            backend.network_remove(reference).await?;
            Ok(Reply::Empty(StatusCode::NO_CONTENT))
        }
    }
}
