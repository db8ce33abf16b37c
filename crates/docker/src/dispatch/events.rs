//! `GET /events` and `GET /system/df` (contract §2.1, §4.5).
//!
//! Events: `since`/`until` (unix `s[.ns]`) and `filters` go to the backend,
//! which replays, follows and filters (and answers 400 when `until` is before
//! `since`); the response head is returned at once (so clients that wait for
//! it, docker-py's `events()`, never block), then one `EventMessage` and `\n`
//! per event, each flushed. Docker 25 still fills the deprecated `status`,
//! `id` and `from` of container events (`status`, `id` of image events); the
//! typed message lacks them, so they are added here.
//!
//! System df: composed from `image_list`, `container_list(all, size)` and
//! `volume_list`. Every volume gets `UsageData` (the CLI dereferences it),
//! images count their containers and report `SharedSize: -1`, containers carry
//! `SizeRw`/`SizeRootFs`, and the build cache is always empty.

use futures_util::StreamExt;
use http::StatusCode;
use serde_json::{json, Map, Value};
use sockerless_core::api::docker::{
    ContainerSummary, EventMessage, EventMessageTypeEnum, ImageSummary, MountPointTypeEnum,
    SystemDataUsageResponse, Volume, VolumeUsageData,
};
use sockerless_core::api::{ContainerListOptions, EventsOptions, Filters, ImageListOptions};
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::reply;
use crate::request::Query;
use crate::route::DockerRoute;

/// Serves Events and SystemDf.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    let query = Query::parse(req.uri().query())?;
    match route {
        DockerRoute::Events => {
            let options = EventsOptions {
                since: query.string("since"),
                until: query.string("until"),
                filters: query.filters()?,
            };
            let events = ctx.backend.events(options).await?;
            let lines = events.map(|event| event_json(&event));
            Ok(reply::json_lines(Box::pin(lines)))
        }
        DockerRoute::SystemDf => {
            check_df_types(&query, &ctx.api)?;
            let asked = if ctx.api < crate::version::ApiVersionConst(1, 42) {
                Vec::new()
            } else {
                query.all("type")
            };
            system_df(ctx, &asked).await
        }
        other => Err(Error::internal(format!(
            "{} routed to the events handler",
            other.name()
        ))),
    }
}

/// One event as Docker 25 writes it: the typed message plus the deprecated
/// `status`, `id` and `from` (moby `daemon/events/events.go`: container events
/// get all three, image events `status` and `id`; each omitted when empty).
pub fn event_json(event: &EventMessage) -> Value {
    let mut value = serde_json::to_value(event).unwrap_or_else(|_| json!({}));
    let Some(map) = value.as_object_mut() else {
        return value;
    };
    let actor = event.actor.as_ref();
    let id = actor.and_then(|a| a.id.clone()).unwrap_or_default();
    let image = actor
        .and_then(|a| a.attributes.as_ref())
        .and_then(|attrs| attrs.get("image").cloned())
        .unwrap_or_default();
    let action = event.action.clone().unwrap_or_default();
    match event.typ {
        Some(EventMessageTypeEnum::CONTAINER) => {
            put_non_empty(map, "status", action);
            put_non_empty(map, "id", id);
            put_non_empty(map, "from", image);
        }
        Some(EventMessageTypeEnum::IMAGE) => {
            put_non_empty(map, "status", action);
            put_non_empty(map, "id", id);
        }
        _ => {}
    }
    value
}

/// Go's `omitempty` for a string field.
fn put_non_empty(map: &mut Map<String, Value>, key: &str, value: String) {
    if !value.is_empty() {
        map.insert(key.to_string(), Value::String(value));
    }
}

/// `GET /system/df`: the sections of `asked` (every one when empty). Each list
/// goes through the backend's `before` hook like the route it stands for; a
/// backend without volumes (501) reports none.
async fn system_df(ctx: &Ctx, asked: &[&str]) -> Result<Response> {
    ctx.before(Operation::ImageList, None).await?;
    let images = ctx.backend.image_list(ImageListOptions::default()).await?;
    ctx.before(Operation::ContainerList, None).await?;
    let containers = ctx
        .backend
        .container_list(ContainerListOptions {
            all: true,
            size: true,
            ..ContainerListOptions::default()
        })
        .await?;
    let volumes = match ctx.before(Operation::VolumeList, None).await {
        Ok(()) => ctx.backend.volume_list(Filters::default()).await,
        Err(e) => Err(e),
    };
    let volumes = match volumes {
        Ok(list) => list.volumes.unwrap_or_default(),
        Err(Error::NotImplemented(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut df = disk_usage(images, containers, volumes);
    only_asked(&mut df, asked);
    reply::json(StatusCode::OK, &df)
}

/// With `type` (API 1.42+), Docker computes only the sections asked for: the
/// others are null, and `LayersSize` is 0 unless images are asked for (moby
/// `daemon/disk_usage.go`).
fn only_asked(df: &mut SystemDataUsageResponse, asked: &[&str]) {
    if asked.is_empty() {
        return;
    }
    if !asked.contains(&"image") {
        df.images = None;
        df.layers_size = Some(0);
    }
    if !asked.contains(&"container") {
        df.containers = None;
    }
    if !asked.contains(&"volume") {
        df.volumes = None;
    }
    if !asked.contains(&"build-cache") {
        df.build_cache = None;
    }
}

/// The object types `GET /system/df?type=…` may ask for (API 1.42+).
const DF_TYPES: &[&str] = &["container", "image", "volume", "build-cache"];

/// `type` of `GET /system/df`: from API 1.42 on, each value must be an object
/// type, else 400 `unknown object type: …` (moby `router/system`); the whole
/// document is answered either way.
fn check_df_types(query: &Query, api: &crate::ApiVersion) -> Result<()> {
    if *api < crate::version::ApiVersionConst(1, 42) {
        return Ok(());
    }
    match query
        .all("type")
        .into_iter()
        .find(|t| !DF_TYPES.contains(t))
    {
        Some(t) => Err(Error::bad_request(format!("unknown object type: {t}"))),
        None => Ok(()),
    }
}

/// Composes the df document from the three lists.
pub fn disk_usage(
    mut images: Vec<ImageSummary>,
    mut containers: Vec<ContainerSummary>,
    mut volumes: Vec<Volume>,
) -> SystemDataUsageResponse {
    let mut layers_size = 0i64;
    for image in &mut images {
        image.containers = containers
            .iter()
            .filter(|c| c.image_id.as_deref() == Some(image.id.as_str()))
            .count() as i64;
        image.shared_size = -1;
        layers_size = layers_size.saturating_add(image.size.max(0));
    }
    for c in &mut containers {
        c.size_rw.get_or_insert(0);
        c.size_root_fs.get_or_insert(0);
    }
    for v in &mut volumes {
        let ref_count = containers
            .iter()
            .flat_map(|c| c.mounts.iter().flatten())
            .filter(|m| {
                m.typ == Some(MountPointTypeEnum::VOLUME)
                    && m.name.as_deref() == Some(v.name.as_str())
            })
            .count() as i64;
        // Nothing is ever written to a simulated local volume; another
        // driver's size is unknown (-1), as Docker reports it.
        let size = if v.driver == "local" { 0 } else { -1 };
        v.usage_data = Some(VolumeUsageData { size, ref_count });
    }
    SystemDataUsageResponse {
        layers_size: Some(layers_size),
        images: Some(images),
        containers: Some(containers),
        volumes: Some(volumes),
        build_cache: Some(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use sockerless_core::api::docker::{EventActor, MountPoint};

    use super::*;

    fn event(typ: EventMessageTypeEnum, action: &str, attrs: &[(&str, &str)]) -> EventMessage {
        EventMessage {
            typ: Some(typ),
            action: Some(action.into()),
            actor: Some(EventActor {
                id: Some("abc".into()),
                attributes: Some(
                    attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
            }),
            scope: None,
            time: Some(1),
            time_nano: Some(1_000_000_000),
        }
    }

    #[test]
    fn container_events_get_the_deprecated_fields() {
        let v = event_json(&event(
            EventMessageTypeEnum::CONTAINER,
            "start",
            &[("image", "alpine"), ("name", "web")],
        ));
        assert_eq!(v["status"], "start");
        assert_eq!(v["id"], "abc");
        assert_eq!(v["from"], "alpine");
        assert_eq!(v["Type"], "container");
        assert_eq!(v["Action"], "start");
        assert_eq!(v["Actor"]["Attributes"]["name"], "web");
        assert_eq!(v["timeNano"], 1_000_000_000i64);
    }

    #[test]
    fn image_events_get_status_and_id_only() {
        let v = event_json(&event(
            EventMessageTypeEnum::IMAGE,
            "pull",
            &[("name", "alpine")],
        ));
        assert_eq!(v["status"], "pull");
        assert_eq!(v["id"], "abc");
        assert!(v.get("from").is_none(), "{v}");
    }

    #[test]
    fn other_events_are_unchanged() {
        let v = event_json(&event(EventMessageTypeEnum::VOLUME, "create", &[]));
        assert!(v.get("status").is_none() && v.get("id").is_none(), "{v}");
        // No image attribute: `from` is omitted, as Go's omitempty does.
        let v = event_json(&event(EventMessageTypeEnum::CONTAINER, "create", &[]));
        assert!(v.get("from").is_none(), "{v}");
    }

    fn image(id: &str, size: i64) -> ImageSummary {
        ImageSummary {
            id: id.into(),
            size,
            containers: -1,
            shared_size: 0,
            ..Default::default()
        }
    }

    fn container(image_id: &str, volume: Option<&str>) -> ContainerSummary {
        ContainerSummary {
            image_id: Some(image_id.into()),
            mounts: Some(
                volume
                    .map(|name| MountPoint {
                        typ: Some(MountPointTypeEnum::VOLUME),
                        name: Some(name.into()),
                        ..Default::default()
                    })
                    .into_iter()
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn volume(name: &str, driver: &str) -> Volume {
        Volume {
            name: name.into(),
            driver: driver.into(),
            mountpoint: String::new(),
            created_at: None,
            status: None,
            labels: HashMap::new(),
            scope: None,
            cluster_volume: None,
            options: HashMap::new(),
            usage_data: None,
        }
    }

    #[test]
    fn disk_usage_counts_references() {
        let df = disk_usage(
            vec![image("sha256:a", 100), image("sha256:b", 50)],
            vec![
                container("sha256:a", Some("v1")),
                container("sha256:a", Some("v1")),
                container("sha256:a", None),
            ],
            vec![volume("v1", "local"), volume("v2", "nfs")],
        );
        let v = serde_json::to_value(&df).unwrap();
        assert_eq!(v["LayersSize"], 150);
        assert_eq!(v["Images"][0]["Containers"], 3);
        assert_eq!(v["Images"][1]["Containers"], 0);
        assert_eq!(v["Images"][0]["SharedSize"], -1);
        assert_eq!(v["Containers"][0]["SizeRw"], 0);
        assert_eq!(v["Containers"][0]["SizeRootFs"], 0);
        assert_eq!(
            v["Volumes"][0]["UsageData"],
            json!({"Size": 0, "RefCount": 2})
        );
        assert_eq!(
            v["Volumes"][1]["UsageData"],
            json!({"Size": -1, "RefCount": 0})
        );
        assert_eq!(v["BuildCache"], json!([]));
    }

    #[test]
    fn df_types_are_checked_from_1_42() {
        let v = |s: &str| crate::ApiVersion::parse(s).unwrap();
        let q = |s: &str| Query::parse(Some(s)).unwrap();
        for ok in [
            "",
            "type=container&type=image&type=volume&type=build-cache",
            "type=",
        ] {
            assert!(check_df_types(&q(ok), &v("1.44")).is_ok(), "{ok}");
        }
        let err = check_df_types(&q("type=image&type=bogus"), &v("1.44")).unwrap_err();
        assert_eq!(err.status(), 400);
        assert_eq!(err.to_string(), "unknown object type: bogus");
        assert!(check_df_types(&q("type=bogus"), &v("1.41")).is_ok());
    }
}
