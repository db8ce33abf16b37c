//! The Docker frontend over backends that answer as little as the trait
//! allows (every optional field `None`, volumes not implemented): what Docker
//! clients need — both prune keys, `Warning`, `Warnings`, `UsageData` on every
//! volume, the deprecated event fields — comes from the frontend, whatever the
//! backend. Served in-process through `sockerless_docker::app`.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use sockerless_core::api::docker::{
    EventActor, EventMessage, EventMessageTypeEnum, ImagePruneResponse, NetworkCreateRequest,
    NetworkCreateResponse, NetworkPruneResponse, Volume, VolumeListResponse, VolumePruneResponse,
};
use sockerless_core::api::{BoxStream, Capabilities, EventsOptions, Filters};
use sockerless_core::backend::prelude::*;
use sockerless_core::Result;
use sockerless_docker::DockerOptions;
use tower::ServiceExt;

/// Answers with the least it can: empty lists, `None` everywhere.
struct Sparse {
    /// Whether `volume_list` is implemented (a FaaS backend's is not).
    volumes: bool,
}

fn volume(name: &str, driver: &str) -> Volume {
    Volume {
        name: name.into(),
        driver: driver.into(),
        mountpoint: String::new(),
        created_at: None,
        status: None,
        labels: Default::default(),
        scope: None,
        cluster_volume: None,
        options: Default::default(),
        usage_data: None,
    }
}

fn event(typ: EventMessageTypeEnum, action: &str, id: &str, image: Option<&str>) -> EventMessage {
    EventMessage {
        typ: Some(typ),
        action: Some(action.into()),
        actor: Some(EventActor {
            id: Some(id.into()),
            attributes: Some(
                image
                    .map(|i| ("image".to_string(), i.to_string()))
                    .into_iter()
                    .collect(),
            ),
        }),
        scope: None,
        time: Some(1_700_000_000),
        time_nano: Some(1_700_000_000_000_000_000),
    }
}

#[async_trait]
impl SystemBackend for Sparse {
    fn capabilities(&self) -> Capabilities {
        Capabilities::memory()
    }

    async fn events(&self, _options: EventsOptions) -> Result<BoxStream<EventMessage>> {
        Ok(Box::pin(futures_util::stream::iter([
            event(
                EventMessageTypeEnum::CONTAINER,
                "start",
                "c1",
                Some("alpine"),
            ),
            event(EventMessageTypeEnum::IMAGE, "pull", "alpine:latest", None),
            event(EventMessageTypeEnum::NETWORK, "create", "n1", None),
        ])))
    }
}

#[async_trait]
impl ContainerBackend for Sparse {
    async fn container_list(
        &self,
        _options: sockerless_core::api::ContainerListOptions,
    ) -> Result<Vec<sockerless_core::api::docker::ContainerSummary>> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl ImageBackend for Sparse {
    async fn image_list(
        &self,
        _options: sockerless_core::api::ImageListOptions,
    ) -> Result<Vec<sockerless_core::api::docker::ImageSummary>> {
        Ok(Vec::new())
    }

    async fn image_prune(&self, _filters: Filters) -> Result<ImagePruneResponse> {
        Ok(ImagePruneResponse::default())
    }
}

#[async_trait]
impl NetworkBackend for Sparse {
    async fn network_create(&self, request: NetworkCreateRequest) -> Result<NetworkCreateResponse> {
        Ok(NetworkCreateResponse {
            id: Some(format!("id-of-{}", request.name)),
            warning: None,
        })
    }

    async fn network_prune(&self, _filters: Filters) -> Result<NetworkPruneResponse> {
        Ok(NetworkPruneResponse::default())
    }
}

#[async_trait]
impl VolumeBackend for Sparse {
    async fn volume_list(&self, _filters: Filters) -> Result<VolumeListResponse> {
        if !self.volumes {
            return Err(sockerless_core::Error::not_implemented("volume_list"));
        }
        Ok(VolumeListResponse {
            volumes: Some(vec![volume("shared", "nfs")]),
            warnings: None,
        })
    }

    async fn volume_prune(&self, _filters: Filters) -> Result<VolumePruneResponse> {
        Ok(VolumePruneResponse::default())
    }
}

impl ExecBackend for Sparse {}

/// One request through the whole Docker stack: status and body.
async fn call(volumes: bool, method: &str, path: &str, body: &str) -> (u16, Bytes) {
    let app = sockerless_docker::app::<Full<Bytes>>(
        Arc::new(Sparse { volumes }),
        DockerOptions::default(),
    );
    let mut req = http::Request::builder().method(method).uri(path);
    if !body.is_empty() {
        req = req.header("content-type", "application/json");
    }
    let req = req
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let res = app.oneshot(req).await.expect("infallible");
    let status = res.status().as_u16();
    let bytes = res
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .expect("body");
    (status, bytes)
}

async fn call_json(volumes: bool, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, bytes) = call(volumes, method, path, body).await;
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

#[tokio::test]
async fn prune_reports_always_carry_their_keys() {
    assert_eq!(
        call_json(true, "POST", "/v1.44/images/prune", "").await,
        (200, json!({"ImagesDeleted": null, "SpaceReclaimed": 0}))
    );
    assert_eq!(
        call_json(true, "POST", "/v1.44/networks/prune", "").await,
        (200, json!({"NetworksDeleted": null}))
    );
    assert_eq!(
        call_json(true, "POST", "/v1.44/volumes/prune", "").await,
        (200, json!({"VolumesDeleted": [], "SpaceReclaimed": 0}))
    );
}

#[tokio::test]
async fn network_create_and_volume_list_shapes() {
    assert_eq!(
        call_json(true, "POST", "/v1.44/networks/create", r#"{"Name":"n1"}"#).await,
        (201, json!({"Id": "id-of-n1", "Warning": ""}))
    );
    let (status, list) = call_json(true, "GET", "/volumes", "").await;
    assert_eq!(status, 200);
    assert_eq!(list["Warnings"], Value::Null);
    assert_eq!(list["Volumes"][0]["Name"], "shared");
}

#[tokio::test]
async fn system_df_fills_usage_data_and_survives_no_volumes() {
    let (status, df) = call_json(true, "GET", "/v1.44/system/df", "").await;
    assert_eq!(status, 200);
    assert_eq!(
        df["Volumes"][0]["UsageData"],
        json!({"Size": -1, "RefCount": 0})
    );
    assert_eq!(df["LayersSize"], 0);
    assert_eq!(df["BuildCache"], json!([]));
    // A backend without volumes (501) still gets a df, with none.
    let (status, df) = call_json(false, "GET", "/v1.44/system/df", "").await;
    assert_eq!(status, 200);
    assert_eq!(df["Volumes"], json!([]));
    // The volume routes themselves say so.
    let (status, body) = call_json(false, "GET", "/v1.44/volumes", "").await;
    assert_eq!(status, 501, "{body}");
}

#[tokio::test]
async fn events_get_the_deprecated_fields_per_type() {
    let (status, body) = call(true, "GET", "/v1.44/events", "").await;
    assert_eq!(status, 200);
    let lines: Vec<Value> = String::from_utf8_lossy(&body)
        .lines()
        .map(|l| serde_json::from_str(l).expect("event line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (&lines[0]["status"], &lines[0]["id"], &lines[0]["from"]),
        (&json!("start"), &json!("c1"), &json!("alpine"))
    );
    assert_eq!(
        (&lines[1]["status"], &lines[1]["id"], lines[1].get("from")),
        (&json!("pull"), &json!("alpine:latest"), None)
    );
    assert!(
        lines[2].get("status").is_none() && lines[2].get("id").is_none(),
        "{}",
        lines[2]
    );
    assert_eq!(lines[2]["Type"], "network");
}

#[tokio::test]
async fn image_history_and_import_are_not_supported() {
    let (status, body) = call_json(true, "GET", "/v1.44/images/alpine/history", "").await;
    assert_eq!(
        (status, body),
        (
            501,
            json!({"message": "GET /images/alpine/history is not supported by sockerless"})
        )
    );
    let (status, body) = call_json(true, "POST", "/images/create?fromSrc=-", "").await;
    assert_eq!(status, 501, "{body}");
}
