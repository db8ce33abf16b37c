//! Volume routes (contract §2.5): create (201, the volume), list (`{"Volumes":
//! […],"Warnings":[]}`), inspect, remove (204; 409 in use) and prune. `PUT
//! /volumes/{name}` (cluster volumes) never reaches this file: it is routed as
//! unsupported (501).

use http::StatusCode;
use serde_json::json;
use sockerless_core::api::docker::VolumeCreateOptions;
use sockerless_core::api::VolumeRemoveOptions;
use sockerless_core::error::{Error, Result};
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::reply;
use crate::request::Query;
use crate::route::DockerRoute;

/// Serves VolumeCreate, VolumeList, VolumePrune, VolumeInspect and
/// VolumeRemove.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let query = Query::parse(req.uri().query())?;
    let backend = &ctx.backend;
    match route {
        DockerRoute::VolumeCreate => {
            // An empty body creates an anonymous volume, as Docker does.
            let options: VolumeCreateOptions = ctx.json(req).await?.unwrap_or_default();
            reply::json(StatusCode::CREATED, &backend.volume_create(options).await?)
        }
        DockerRoute::VolumeList => reply::json(
            StatusCode::OK,
            &backend.volume_list(query.filters()?).await?,
        ),
        DockerRoute::VolumeInspect(name) => {
            reply::json(StatusCode::OK, &backend.volume_inspect(name).await?)
        }
        DockerRoute::VolumeRemove(name) => {
            let options = VolumeRemoveOptions {
                force: query.bool("force"),
            };
            backend.volume_remove(name, options).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        DockerRoute::VolumePrune => {
            let pruned = backend.volume_prune(query.filters()?).await?;
            reply::json(
                StatusCode::OK,
                &json!({
                    "VolumesDeleted": pruned.volumes_deleted.unwrap_or_default(),
                    "SpaceReclaimed": pruned.space_reclaimed.unwrap_or(0),
                }),
            )
        }
        other => Err(Error::internal(format!(
            "{} routed to the volume handler",
            other.name()
        ))),
    }
}
