//! Docker's exact key sets on the Docker frontend's output (issue 15): every
//! field Docker's Go structs write without `omitempty` is there, with `null`
//! where Docker writes null and its zero value otherwise; what the client set
//! (an empty list included) is written as given. The key lists and values are
//! Docker Engine 26.1's answers to the same requests.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use super::common::Daemon;
use super::wire::{create, get, post_json, pull_alpine};

/// `HostConfig` of a container created with only an image and a command.
const HOST_CONFIG_KEYS: &[&str] = &[
    "AutoRemove",
    "Binds",
    "BlkioDeviceReadBps",
    "BlkioDeviceReadIOps",
    "BlkioDeviceWriteBps",
    "BlkioDeviceWriteIOps",
    "BlkioWeight",
    "BlkioWeightDevice",
    "CapAdd",
    "CapDrop",
    "Cgroup",
    "CgroupParent",
    "CgroupnsMode",
    "ConsoleSize",
    "ContainerIDFile",
    "CpuCount",
    "CpuPercent",
    "CpuPeriod",
    "CpuQuota",
    "CpuRealtimePeriod",
    "CpuRealtimeRuntime",
    "CpuShares",
    "CpusetCpus",
    "CpusetMems",
    "DeviceCgroupRules",
    "DeviceRequests",
    "Devices",
    "Dns",
    "DnsOptions",
    "DnsSearch",
    "ExtraHosts",
    "GroupAdd",
    "IOMaximumBandwidth",
    "IOMaximumIOps",
    "IpcMode",
    "Isolation",
    "Links",
    "LogConfig",
    "MaskedPaths",
    "Memory",
    "MemoryReservation",
    "MemorySwap",
    "MemorySwappiness",
    "NanoCpus",
    "NetworkMode",
    "OomKillDisable",
    "OomScoreAdj",
    "PidMode",
    "PidsLimit",
    "PortBindings",
    "Privileged",
    "PublishAllPorts",
    "ReadonlyPaths",
    "ReadonlyRootfs",
    "RestartPolicy",
    "Runtime",
    "SecurityOpt",
    "ShmSize",
    "UTSMode",
    "Ulimits",
    "UsernsMode",
    "VolumeDriver",
    "VolumesFrom",
];

/// The top level of container inspect.
const INSPECT_KEYS: &[&str] = &[
    "AppArmorProfile",
    "Args",
    "Config",
    "Created",
    "Driver",
    "ExecIDs",
    "GraphDriver",
    "HostConfig",
    "HostnamePath",
    "HostsPath",
    "Id",
    "Image",
    "LogPath",
    "MountLabel",
    "Mounts",
    "Name",
    "NetworkSettings",
    "Path",
    "Platform",
    "ProcessLabel",
    "ResolvConfPath",
    "RestartCount",
    "State",
];

/// `Config` of that container.
const CONFIG_KEYS: &[&str] = &[
    "AttachStderr",
    "AttachStdin",
    "AttachStdout",
    "Cmd",
    "Domainname",
    "Entrypoint",
    "Env",
    "Hostname",
    "Image",
    "Labels",
    "OnBuild",
    "OpenStdin",
    "StdinOnce",
    "Tty",
    "User",
    "Volumes",
    "WorkingDir",
];

/// An endpoint of `NetworkSettings.Networks`.
const ENDPOINT_KEYS: &[&str] = &[
    "Aliases",
    "DNSNames",
    "DriverOpts",
    "EndpointID",
    "Gateway",
    "GlobalIPv6Address",
    "GlobalIPv6PrefixLen",
    "IPAMConfig",
    "IPAddress",
    "IPPrefixLen",
    "IPv6Gateway",
    "Links",
    "MacAddress",
    "NetworkID",
];

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn assert_keys(v: &Value, want: &[&str], what: &str) {
    let want: BTreeSet<&str> = want.iter().copied().collect();
    assert_eq!(keys(v), want, "{what}: {v}");
}

async fn inspect(socket: &Path, id: &str) -> Value {
    let res = get(socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

#[tokio::test]
async fn container_inspect_has_dockers_keys_and_zero_values() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    let id = create(&d.socket, &["true"], json!({})).await;
    let c = inspect(&d.socket, &id).await;
    assert_keys(&c, INSPECT_KEYS, "inspect");
    assert_keys(&c["HostConfig"], HOST_CONFIG_KEYS, "HostConfig");
    assert_keys(&c["Config"], CONFIG_KEYS, "Config");
    assert_keys(
        &c["NetworkSettings"]["Networks"]["bridge"],
        ENDPOINT_KEYS,
        "endpoint",
    );
    let h = &c["HostConfig"];
    for null in [
        "Binds",
        "CapAdd",
        "CapDrop",
        "Dns",
        "PortBindings",
        "VolumesFrom",
        "Ulimits",
        "PidsLimit",
        "MemorySwappiness",
        "BlkioWeightDevice",
        "DeviceRequests",
    ] {
        assert_eq!(h[null], Value::Null, "HostConfig.{null}");
    }
    for zero in ["CpuShares", "Memory", "NanoCpus", "CpuQuota", "BlkioWeight"] {
        assert_eq!(h[zero], 0, "HostConfig.{zero}");
    }
    for empty in [
        "CgroupParent",
        "CpusetCpus",
        "Isolation",
        "UTSMode",
        "VolumeDriver",
    ] {
        assert_eq!(h[empty], "", "HostConfig.{empty}");
    }
    assert_eq!(h["Runtime"], "runc");
    assert_eq!(h["ConsoleSize"], json!([0, 0]));
    assert_eq!(h["ReadonlyPaths"][0], "/proc/bus");
    assert_eq!(h["MaskedPaths"].as_array().map(Vec::len), Some(11));
    assert_eq!(c["ExecIDs"], Value::Null);
    assert_eq!(c["Config"]["Entrypoint"], Value::Null);
    assert_eq!(c["Config"]["Volumes"], Value::Null);
    assert_eq!(c["NetworkSettings"]["SecondaryIPAddresses"], Value::Null);
    assert_eq!(
        c["NetworkSettings"]["Networks"]["bridge"]["Aliases"],
        Value::Null
    );
}

#[tokio::test]
async fn what_the_client_set_is_written_as_given() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    // Docker keeps an empty list or map the client sent (the CLI sends
    // `PortBindings: {}`), and writes no default paths for a privileged one.
    let host = json!({"HostConfig": {"Binds": [], "PortBindings": {}, "CapAdd": ["NET_ADMIN"],
                                     "CpuShares": 512, "Privileged": true}});
    let id = create(&d.socket, &["true"], host).await;
    let h = &inspect(&d.socket, &id).await["HostConfig"];
    assert_keys(h, HOST_CONFIG_KEYS, "HostConfig");
    assert_eq!(h["Binds"], json!([]));
    assert_eq!(h["PortBindings"], json!({}));
    assert_eq!(h["CapAdd"], json!(["NET_ADMIN"]));
    assert_eq!(h["CpuShares"], 512);
    assert_eq!(h["MaskedPaths"], Value::Null);
    assert_eq!(h["ReadonlyPaths"], Value::Null);
}

#[tokio::test]
async fn volumes_networks_and_lists_write_null_where_docker_does() {
    let d = Daemon::start();
    let s = &d.socket;
    let res = post_json(s, "/v1.44/volumes/create", json!({"Name": "keys-v"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let v = res.json();
    assert_eq!((&v["Labels"], &v["Options"]), (&Value::Null, &Value::Null));
    let list = get(s, "/v1.44/volumes").await.json();
    assert_eq!(list["Warnings"], Value::Null);
    assert_eq!(list["Volumes"][0]["Options"], Value::Null);
    let none = get(
        s,
        "/v1.44/volumes?filters=%7B%22name%22%3A%5B%22nope%22%5D%7D",
    )
    .await;
    assert_eq!(none.json(), json!({"Volumes": [], "Warnings": null}));

    let res = post_json(s, "/v1.44/networks/create", json!({"Name": "keys-n"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let n = get(s, "/v1.44/networks/keys-n").await.json();
    assert_eq!(n["ConfigFrom"], json!({"Network": ""}));
    assert_eq!(n["ConfigOnly"], false);
    assert_eq!(n["IPAM"]["Options"], Value::Null);
    let host = get(s, "/v1.44/networks/host").await.json();
    assert_eq!(host["IPAM"]["Config"], Value::Null);

    let res = super::common::raw(s, "POST", "/v1.44/images/prune", &[], b"").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["ImagesDeleted"], Value::Null);
    let df = get(s, "/v1.44/system/df?type=volume").await.json();
    assert_eq!(
        (&df["Images"], &df["Containers"], &df["BuildCache"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(df["Volumes"][0]["Name"], "keys-v");
    assert_eq!(df["LayersSize"], 0);
    let info = get(s, "/v1.44/info").await.json();
    assert_eq!(info["Warnings"], Value::Null);
    assert_eq!(info["HttpProxy"], "");
    assert_eq!(info["GenericResources"], Value::Null);
    assert_eq!(info["ContainerdCommit"], json!({"ID": "", "Expected": ""}));
}

#[tokio::test]
async fn image_inspect_writes_the_deprecated_container_config() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    let res = get(&d.socket, "/v1.44/images/alpine:latest/json").await;
    assert_eq!(res.status, 200, "{}", res.text());
    // Docker 26 keeps the deprecated `ContainerConfig` at API 1.44: the keys
    // of a container's `Config`, all zero for an image built today.
    let cc = &res.json()["ContainerConfig"];
    assert_keys(cc, CONFIG_KEYS, "ContainerConfig");
    for null in ["Cmd", "Entrypoint", "Env", "Labels", "OnBuild", "Volumes"] {
        assert_eq!(cc[null], Value::Null, "ContainerConfig.{null}");
    }
    for empty in ["Hostname", "Domainname", "User", "Image", "WorkingDir"] {
        assert_eq!(cc[empty], "", "ContainerConfig.{empty}");
    }
    assert_eq!(cc["Tty"], false);
}
