//! Networks, volumes and events.

use std::collections::HashMap;

use bollard::models::{
    EndpointSettings, HostConfig, Ipam, IpamConfig, NetworkConnectRequest, NetworkCreateRequest,
    NetworkDisconnectRequest, PortBinding, VolumeCreateRequest,
};
use bollard::query_parameters as q;
use futures_util::{StreamExt, TryStreamExt};

use crate::common::{self, Daemon};
use crate::helpers::{body, client, create, pull, server_error, step};

#[tokio::test]
async fn networks() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let created = step(
        "network create",
        docker.create_network(NetworkCreateRequest {
            name: "n1".into(),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some("10.9.0.0/24".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }),
    )
    .await
    .expect("network create");
    assert_eq!(created.id.len(), 64);
    let err = step(
        "duplicate",
        docker.create_network(NetworkCreateRequest {
            name: "n1".into(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("duplicate");
    assert_eq!(server_error(err).0, 409);
    let list = step(
        "network list",
        docker.list_networks(None::<q::ListNetworksOptions>),
    )
    .await
    .expect("list");
    let mut names: Vec<String> = list.into_iter().filter_map(|n| n.name).collect();
    names.sort();
    assert_eq!(names, ["bridge", "host", "n1", "none"]);
    create(&docker, "c1", body("alpine", &["sleep", "1000"])).await;
    step(
        "start",
        docker.start_container("c1", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    step(
        "connect",
        docker.connect_network(
            "n1",
            NetworkConnectRequest {
                container: "c1".into(),
                endpoint_config: Some(EndpointSettings {
                    aliases: Some(vec!["a1".into()]),
                    ..Default::default()
                }),
            },
        ),
    )
    .await
    .expect("connect");
    let inspect = step(
        "network inspect",
        docker.inspect_network("n1", None::<q::InspectNetworkOptions>),
    )
    .await
    .expect("inspect");
    let members = inspect.containers.unwrap_or_default();
    assert_eq!(members.len(), 1);
    let err = step("remove in use", docker.remove_network("n1"))
        .await
        .expect_err("in use");
    assert_eq!(server_error(err).0, 403);
    step(
        "disconnect",
        docker.disconnect_network(
            "n1",
            NetworkDisconnectRequest {
                container: "c1".into(),
                force: Some(true),
            },
        ),
    )
    .await
    .expect("disconnect");
    step("remove", docker.remove_network("n1"))
        .await
        .expect("remove");
    let err = step(
        "inspect gone",
        docker.inspect_network("n1", None::<q::InspectNetworkOptions>),
    )
    .await
    .expect_err("gone");
    assert_eq!(server_error(err), (404, "network n1 not found".into()));
    step(
        "network create",
        docker.create_network(NetworkCreateRequest {
            name: "spare".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("create spare");
    let pruned = step(
        "prune",
        docker.prune_networks(None::<q::PruneNetworksOptions>),
    )
    .await
    .expect("prune");
    assert_eq!(pruned.networks_deleted, Some(vec!["spare".to_string()]));
}

#[tokio::test]
async fn volumes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let volume = step(
        "volume create",
        docker.create_volume(VolumeCreateRequest {
            name: Some("v1".into()),
            labels: Some(HashMap::from([("x".to_string(), "y".to_string())])),
            ..Default::default()
        }),
    )
    .await
    .expect("create");
    assert_eq!(volume.name, "v1");
    assert_eq!(volume.mountpoint, "/var/lib/docker/volumes/v1/_data");
    let list = step(
        "volume list",
        docker.list_volumes(None::<q::ListVolumesOptions>),
    )
    .await
    .expect("list");
    assert_eq!(
        list.warnings, None,
        "Docker writes null when there are none"
    );
    let names: Vec<String> = list
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["v1"]);
    let mut cfg = body("alpine", &["true"]);
    cfg.host_config = Some(HostConfig {
        binds: Some(vec!["v1:/data".into()]),
        port_bindings: Some(HashMap::from([(
            "80/tcp".to_string(),
            Some(vec![PortBinding {
                host_ip: None,
                host_port: Some(String::new()),
            }]),
        )])),
        ..Default::default()
    });
    create(&docker, "user", cfg).await;
    let err = step(
        "remove used",
        docker.remove_volume("v1", None::<q::RemoveVolumeOptions>),
    )
    .await
    .expect_err("in use");
    assert_eq!(server_error(err).0, 409);
    let force = q::RemoveContainerOptionsBuilder::default()
        .force(true)
        .build();
    step(
        "remove container",
        docker.remove_container("user", Some(force)),
    )
    .await
    .expect("remove container");
    let pruned = step(
        "prune",
        docker.prune_volumes(Some(
            q::PruneVolumesOptionsBuilder::default()
                .filters(&HashMap::from([("all", vec!["true"])]))
                .build(),
        )),
    )
    .await
    .expect("prune");
    assert_eq!(pruned.volumes_deleted, Some(vec!["v1".to_string()]));
    let err = step("inspect gone", docker.inspect_volume("v1"))
        .await
        .expect_err("gone");
    assert_eq!(server_error(err), (404, "get v1: no such volume".into()));
}

#[tokio::test]
async fn events_replay_and_live() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let since = common::now_unix();
    pull(&docker, "alpine").await;
    create(&docker, "ev", body("alpine", &["true"])).await;
    // Replay: since..until, both in the past or now — the stream ends.
    let until = common::now_unix() + 1;
    let options = q::EventsOptionsBuilder::default()
        .since(&since.to_string())
        .until(&until.to_string())
        .build();
    let events = step(
        "events replay",
        docker.events(Some(options)).try_collect::<Vec<_>>(),
    )
    .await
    .expect("events");
    let actions: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.typ.map(|t| t.to_string()).unwrap_or_default(),
                e.action.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(actions, ["image pull", "container create"]);
    // Live: a stream with `since` and no `until` replays, then follows; a
    // volume created while it is open arrives on it.
    let live = q::EventsOptionsBuilder::default()
        .since(&since.to_string())
        .filters(&HashMap::from([("type", vec!["volume"])]))
        .build();
    let mut stream = Box::pin(docker.events(Some(live)));
    let next = tokio::spawn(async move { stream.next().await });
    step(
        "volume create",
        docker.create_volume(VolumeCreateRequest {
            name: Some("live".into()),
            ..Default::default()
        }),
    )
    .await
    .expect("volume create");
    let event = step("live event", next)
        .await
        .expect("task")
        .expect("an event")
        .expect("ok");
    assert_eq!(event.action.as_deref(), Some("create"));
    assert_eq!(event.actor.and_then(|a| a.id).as_deref(), Some("live"));
    let until_before_since = q::EventsOptionsBuilder::default()
        .since("200")
        .until("100")
        .build();
    let err = step(
        "bad window",
        docker
            .events(Some(until_before_since))
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("until < since");
    assert_eq!(server_error(err).0, 400);
}
