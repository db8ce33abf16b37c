//! `/volumes/...`: create, list, prune, inspect, remove.

use http::StatusCode;

use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::VolumeRequest as V;

pub(super) async fn apply(backend: &dyn Backend, request: V) -> Result<Reply> {
    match request {
        V::Create(options) => Reply::created(&backend.volume_create(*options).await?),
        V::List(filters) => Reply::ok(&backend.volume_list(filters).await?),
        V::Prune(filters) => Reply::ok(&backend.volume_prune(filters).await?),
        V::Inspect(name) => Reply::ok(&backend.volume_inspect(name).await?),
        V::Remove { name, options } => {
            backend.volume_remove(name, options).await?;
            Ok(Reply::Empty(StatusCode::NO_CONTENT))
        }
    }
}
