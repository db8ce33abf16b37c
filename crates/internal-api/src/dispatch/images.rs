//! `/images/...`: pull and load (ndjson), list, prune, inspect, tag, remove,
//! save (a tar).

use http::StatusCode;

use sockerless_core::backend::prelude::*;
use sockerless_core::error::Result;

use crate::reply::Reply;
use crate::request::ImageRequest;

pub(super) async fn apply(backend: &dyn Backend, request: ImageRequest) -> Result<Reply> {
    match request {
        ImageRequest::Pull(options) => Ok(Reply::json_lines(backend.image_pull(options).await?)),
        ImageRequest::List(options) => Reply::ok(&backend.image_list(options).await?),
        ImageRequest::Load { body, quiet } => {
            let records = backend.image_load(body, quiet).await?;
            Ok(Reply::json_lines(futures_util::stream::iter(records)))
        }
        ImageRequest::Prune(filters) => Reply::ok(&backend.image_prune(filters).await?),
        ImageRequest::Inspect(name) => Reply::ok(&backend.image_inspect(name).await?),
        ImageRequest::Tag { name, options } => {
            backend.image_tag(name, options).await?;
            Ok(Reply::Empty(StatusCode::CREATED))
        }
        ImageRequest::Remove { name, options } => {
            Reply::ok(&backend.image_remove(name, options).await?)
        }
        ImageRequest::Save(names) => Ok(Reply::Bytes {
            content_type: "application/x-tar",
            headers: Vec::new(),
            body: backend.image_save(names).await?,
        }),
    }
}
