//! Network routes (contract §2.5): create (201 `{"Id","Warning"}`), list,
//! inspect, connect and disconnect (200, empty), remove (204) and prune.
//! Messages and statuses (403 for a pre-defined network or one with active
//! endpoints, 404 `network x not found`, 409 duplicates) are the backend's.

use http::StatusCode;
use serde_json::json;
use sockerless_core::api::docker::{NetworkConnectRequest, NetworkDisconnectRequest};
use sockerless_core::error::{Error, Result};
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::reply;
use crate::request::Query;
use crate::route::DockerRoute;

/// Serves NetworkCreate, NetworkList, NetworkPrune, NetworkInspect,
/// NetworkConnect, NetworkDisconnect and NetworkRemove.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let query = Query::parse(req.uri().query())?;
    let backend = &ctx.backend;
    match route {
        DockerRoute::NetworkCreate => {
            let mut value: serde_json::Value = ctx
                .json(req)
                .await?
                .ok_or_else(|| Error::bad_request("network name is required"))?;
            // Go decodes a missing Name as "": the backend then refuses it in
            // Docker's words (`invalid name: `), not the decoder.
            if let Some(o) = value.as_object_mut() {
                o.entry("Name").or_insert_with(|| json!(""));
            }
            let request = crate::request::typed(value)?;
            let created = backend.network_create(request).await?;
            reply::json(
                StatusCode::CREATED,
                &json!({
                    "Id": created.id.unwrap_or_default(),
                    "Warning": created.warning.unwrap_or_default(),
                }),
            )
        }
        DockerRoute::NetworkList => reply::json(
            StatusCode::OK,
            &backend.network_list(query.filters()?).await?,
        ),
        DockerRoute::NetworkInspect(reference) => {
            // `verbose` only matters to swarm networks; `scope` filters the
            // lookup (moby's `idOrName` + `scope` filter), so a local network
            // asked in another scope is not found.
            let network = backend.network_inspect(reference.clone()).await?;
            if let Some(scope) = query.string("scope").filter(|s| !s.is_empty()) {
                if network.scope.as_deref() != Some(scope.as_str()) {
                    return Err(Error::no_such_network(&reference));
                }
            }
            reply::json(StatusCode::OK, &network)
        }
        DockerRoute::NetworkConnect(reference) => {
            let request: NetworkConnectRequest = ctx.json(req).await?.unwrap_or_default();
            backend.network_connect(reference, request).await?;
            Ok(reply::empty(StatusCode::OK))
        }
        DockerRoute::NetworkDisconnect(reference) => {
            let request: NetworkDisconnectRequest = ctx.json(req).await?.unwrap_or_default();
            backend.network_disconnect(reference, request).await?;
            Ok(reply::empty(StatusCode::OK))
        }
        DockerRoute::NetworkRemove(reference) => {
            backend.network_remove(reference).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        DockerRoute::NetworkPrune => reply::json(
            StatusCode::OK,
            &backend.network_prune(query.filters()?).await?,
        ),
        other => Err(Error::internal(format!(
            "{} routed to the network handler",
            other.name()
        ))),
    }
}
