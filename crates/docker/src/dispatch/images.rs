//! Image routes (contract §2.4): pull (`POST /images/create`, JSON-lines
//! progress ending each line in `\r\n`), list, inspect, history (501: no
//! backend operation), tag, remove, prune and load (a streamed tar of any
//! content type).
//!
//! A pull error before the first byte is a normal HTTP error (the backend's
//! `image_pull` fails before it returns a stream); what the stream yields after
//! that, in-band `{"errorDetail":…,"error":…}` records included, is written as
//! it comes. `X-Registry-Auth` is handed to the backend as a [`Secret`] and
//! never logged.

use futures_util::StreamExt;
use http::StatusCode;
use http_body_util::BodyExt;
use serde_json::Value;
use sockerless_core::api::{ImageListOptions, ImageRemoveOptions, PullOptions, Secret, TagOptions};
use sockerless_core::error::{Error, Result};
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::layer::routed_path;
use crate::request::Query;
use crate::route::{unsupported_message, DockerRoute};
use crate::version::ApiVersion;
use crate::{keys, reply};

/// Line end of Docker's progress streams (moby `pkg/streamformatter`).
pub const PROGRESS_LINE_END: &[u8] = b"\r\n";

/// API 1.44 dropped an image's `VirtualSize` (moby's version history); older
/// versions still get it.
fn without_virtual_size(ctx: &Ctx, image: &mut serde_json::Value) {
    if ctx.api >= ApiVersion::NO_VIRTUAL_SIZE {
        if let Some(obj) = image.as_object_mut() {
            obj.remove("VirtualSize");
        }
    }
}

/// Serves ImageCreate, ImageList, ImageLoad, ImagePrune, ImageInspect,
/// ImageHistory, ImageTag and ImageRemove.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let query = Query::parse(req.uri().query())?;
    let backend = &ctx.backend;
    match route {
        DockerRoute::ImageCreate => pull(ctx, &query, req.headers()).await,
        DockerRoute::ImageList => {
            let options = ImageListOptions {
                all: query.bool("all"),
                digests: query.bool("digests"),
                filters: query.filters()?,
            };
            let mut list = keys::to_value(&backend.image_list(options).await?)
                .map_err(|e| Error::internal(format!("serialising the response: {e}")))?;
            if let Some(items) = list.as_array_mut() {
                items.iter_mut().for_each(|i| without_virtual_size(ctx, i));
            }
            reply::json(StatusCode::OK, &list)
        }
        DockerRoute::ImageInspect(name) => {
            let mut inspect = backend.image_inspect(name).await?;
            // Docker 26 still writes the deprecated `ContainerConfig` up to
            // API 1.44 (moby drops it from 1.45); an image built today has an
            // all-zero one, which the key tables fill in.
            inspect
                .container_config
                .get_or_insert_with(Default::default);
            let mut image = keys::to_value(&inspect)
                .map_err(|e| Error::internal(format!("serialising the response: {e}")))?;
            without_virtual_size(ctx, &mut image);
            reply::json(StatusCode::OK, &image)
        }
        DockerRoute::ImageHistory(_) => Err(Error::NotImplemented(unsupported(&req))),
        DockerRoute::ImageTag(name) => {
            let options = TagOptions {
                repo: query.string("repo").unwrap_or_default(),
                tag: query.string("tag"),
            };
            if options.repo.is_empty() {
                // moby's handler returns before anything when there is no
                // repo (`RepoTagReference` gives no reference and no error):
                // 200, nothing tagged.
                return Ok(reply::empty(StatusCode::OK));
            }
            backend.image_tag(name, options).await?;
            Ok(reply::empty(StatusCode::CREATED))
        }
        DockerRoute::ImageRemove(name) => {
            let options = ImageRemoveOptions {
                force: query.bool("force"),
                noprune: query.bool("noprune"),
            };
            reply::json(StatusCode::OK, &backend.image_remove(name, options).await?)
        }
        DockerRoute::ImagePrune => reply::json(
            StatusCode::OK,
            &backend.image_prune(query.filters()?).await?,
        ),
        DockerRoute::ImageLoad => load(ctx, &query, req).await,
        other => Err(Error::internal(format!(
            "{} routed to the image handler",
            other.name()
        ))),
    }
}

/// The 501 message naming the request (`GET /images/alpine/history is not
/// supported by sockerless`).
fn unsupported(req: &http::Request<Body>) -> String {
    unsupported_message(req.method(), &routed_path(req.uri().path()))
}

/// `POST /images/create`: a pull (`fromImage`), or an import (`fromSrc`, 501).
async fn pull(ctx: &Ctx, query: &Query, headers: &http::HeaderMap) -> Result<Response> {
    if query.get("fromSrc").is_some() {
        return Err(Error::NotImplemented(
            "POST /images/create?fromSrc (image import) is not supported by sockerless".into(),
        ));
    }
    let registry_auth = headers
        .get("x-registry-auth")
        .map(|v| Secret(String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .filter(|s| !s.0.is_empty());
    let options = PullOptions {
        from_image: query.string("fromImage").unwrap_or_default(),
        tag: query.string("tag"),
        platform: query.string("platform"),
        registry_auth,
    };
    let records = ctx.backend.image_pull(options).await?;
    Ok(reply::json_lines_with(records, PROGRESS_LINE_END))
}

/// `POST /images/load`: the body goes to the backend as it streams in (any
/// content type: the CLI sends `application/x-tar`, bollard `application/json`);
/// the answer is `application/json` progress lines, which `docker load`
/// prints only when it sees that content type.
async fn load(ctx: &Ctx, query: &Query, req: http::Request<Body>) -> Result<Response> {
    let quiet = query.bool("quiet");
    let body = req.into_body().into_data_stream().map(|chunk| {
        chunk.map_err(|e| Error::bad_request(format!("reading the request body: {e}")))
    });
    let records: Vec<Value> = ctx.backend.image_load(Box::pin(body), quiet).await?;
    Ok(reply::json_lines_with(
        Box::pin(futures_util::stream::iter(records)),
        PROGRESS_LINE_END,
    ))
}
