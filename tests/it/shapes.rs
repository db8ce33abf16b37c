//! Our JSON against Docker's documented shapes (Engine API v1.44): every field
//! Docker always sends is present — clients in Python and Go templates read many
//! of them unconditionally — and the few that bollard's generated types spell
//! differently are spelled Docker's way.

use crate::common::*;
use serde_json::{json, Value};

/// Fails naming every missing key of `keys` at `path` in `v`.
fn assert_keys(v: &Value, path: &str, keys: &[&str]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{path} is not an object: {v}"));
    let missing: Vec<&&str> = keys.iter().filter(|k| !obj.contains_key(**k)).collect();
    assert!(missing.is_empty(), "{path} lacks {missing:?}: {v}");
}

async fn setup(server: &TestServer) -> (String, String) {
    let r = server
        .call(
            http::Method::POST,
            &format!("{BASE}/images/pull?fromImage=nginx"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let (status, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "shape-net"}))
        .await;
    assert_eq!(status, 201, "{net}");
    assert_keys(&net, "network create", &["Id", "Warning"]);
    let (status, c) = server
        .post(
            &format!("{BASE}/containers?name=shape"),
            json!({
                "Image": "nginx",
                "Labels": {"a": "b"},
                "HostConfig": {"Binds": ["shape-vol:/data"], "PortBindings": {"80/tcp": [{"HostPort": ""}]}},
                "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000}
            }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c.as_object().map(|o| o.len()), Some(2), "{c}");
    assert_keys(&c, "container create", &["Id", "Warnings"]);
    let id = c["Id"].as_str().unwrap().to_string();
    let (status, _) = server
        .post_empty(&format!("{BASE}/containers/{id}/start"))
        .await;
    assert_eq!(status, 204);
    (id, net["Id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn container_inspect_and_list_have_dockers_fields() {
    let server = TestServer::start().await;
    let (id, _) = setup(&server).await;
    let (_, c) = server.get(&format!("{BASE}/containers/{id}")).await;
    assert_keys(
        &c,
        "inspect",
        &[
            "Id",
            "Created",
            "Path",
            "Args",
            "State",
            "Image",
            "ResolvConfPath",
            "HostnamePath",
            "HostsPath",
            "LogPath",
            "Name",
            "RestartCount",
            "Driver",
            "Platform",
            "MountLabel",
            "ProcessLabel",
            "AppArmorProfile",
            "ExecIDs",
            "HostConfig",
            "GraphDriver",
            "Mounts",
            "Config",
            "NetworkSettings",
        ],
    );
    assert_keys(
        &c["State"],
        "State",
        &[
            "Status",
            "Running",
            "Paused",
            "Restarting",
            "OOMKilled",
            "Dead",
            "Pid",
            "ExitCode",
            "Error",
            "StartedAt",
            "FinishedAt",
            "Health",
        ],
    );
    assert_keys(
        &c["State"]["Health"],
        "State.Health",
        &["Status", "FailingStreak", "Log"],
    );
    assert_keys(
        &c["NetworkSettings"],
        "NetworkSettings",
        &[
            "Bridge",
            "SandboxID",
            "HairpinMode",
            "LinkLocalIPv6Address",
            "LinkLocalIPv6PrefixLen",
            "Ports",
            "SandboxKey",
            "EndpointID",
            "Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "MacAddress",
            "Networks",
        ],
    );
    assert_keys(
        &c["NetworkSettings"]["Networks"]["bridge"],
        "Networks.bridge",
        &[
            "NetworkID",
            "EndpointID",
            "Gateway",
            "IPAddress",
            "IPPrefixLen",
            "MacAddress",
        ],
    );
    assert_keys(
        &c["Config"],
        "Config",
        &[
            "Hostname",
            "Env",
            "Cmd",
            "Image",
            "Entrypoint",
            "Labels",
            "ExposedPorts",
        ],
    );
    assert_eq!(c["Config"]["ExposedPorts"], json!({"80/tcp": {}}));
    assert_keys(
        &c["Mounts"][0],
        "Mounts[0]",
        &[
            "Type",
            "Name",
            "Source",
            "Destination",
            "Driver",
            "Mode",
            "RW",
            "Propagation",
        ],
    );
    let port = &c["NetworkSettings"]["Ports"]["80/tcp"][0];
    assert_keys(port, "Ports[80/tcp][0]", &["HostIp", "HostPort"]);

    let (_, list) = server.get(&format!("{BASE}/containers")).await;
    assert_keys(
        &list[0],
        "summary",
        &[
            "Id",
            "Names",
            "Image",
            "ImageID",
            "Command",
            "Created",
            "Ports",
            "Labels",
            "State",
            "Status",
            "HostConfig",
            "NetworkSettings",
            "Mounts",
        ],
    );
    assert_keys(
        &list[0]["Ports"][0],
        "summary Ports[0]",
        &["PrivatePort", "Type"],
    );
}

#[tokio::test]
async fn image_network_volume_system_and_exec_have_dockers_fields() {
    let server = TestServer::start().await;
    let (id, net) = setup(&server).await;
    let (_, img) = server.get(&format!("{BASE}/images/nginx")).await;
    assert_keys(
        &img,
        "image inspect",
        &[
            "Id",
            "RepoTags",
            "RepoDigests",
            "Parent",
            "Comment",
            "Created",
            "DockerVersion",
            "Author",
            "Config",
            "Architecture",
            "Os",
            "Size",
            "VirtualSize",
            "GraphDriver",
            "RootFS",
            "Metadata",
        ],
    );
    let (_, imgs) = server.get(&format!("{BASE}/images")).await;
    assert_keys(
        &imgs[0],
        "image summary",
        &[
            "Id",
            "ParentId",
            "RepoTags",
            "RepoDigests",
            "Created",
            "Size",
            "SharedSize",
            "Labels",
            "Containers",
        ],
    );
    let (_, n) = server.get(&format!("{BASE}/networks/{net}")).await;
    assert_keys(
        &n,
        "network",
        &[
            "Name",
            "Id",
            "Created",
            "Scope",
            "Driver",
            "EnableIPv6",
            "IPAM",
            "Internal",
            "Attachable",
            "Ingress",
            "Containers",
            "Options",
            "Labels",
        ],
    );
    let (_, v) = server.get(&format!("{BASE}/volumes/shape-vol")).await;
    assert_keys(
        &v,
        "volume",
        &[
            "Name",
            "Driver",
            "Mountpoint",
            "CreatedAt",
            "Labels",
            "Scope",
            "Options",
        ],
    );
    let (_, vl) = server.get(&format!("{BASE}/volumes")).await;
    assert_keys(&vl, "volume list", &["Volumes", "Warnings"]);
    let (_, info) = server.get(&format!("{BASE}/info")).await;
    assert_keys(
        &info,
        "info",
        &[
            "ID",
            "Containers",
            "ContainersRunning",
            "ContainersPaused",
            "ContainersStopped",
            "Images",
            "Driver",
            "OSType",
            "Architecture",
            "NCPU",
            "MemTotal",
            "ServerVersion",
            "Name",
            "Swarm",
            "Runtimes",
            "DefaultRuntime",
            "SecurityOptions",
        ],
    );
    assert_eq!(info["Swarm"]["LocalNodeState"], "inactive");
    let (_, ver) = server.get(&format!("{BASE}/version")).await;
    assert_keys(
        &ver,
        "version",
        &[
            "Version",
            "ApiVersion",
            "MinAPIVersion",
            "Os",
            "Arch",
            "Components",
        ],
    );
    let (status, e) = server
        .post(
            &format!("{BASE}/containers/{id}/exec"),
            json!({"Cmd": ["true"]}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    assert_eq!(
        e.as_object().map(|o| o.len()),
        Some(1),
        "exactly {{\"Id\"}}: {e}"
    );
    let (_, ei) = server
        .get(&format!("{BASE}/exec/{}", e["Id"].as_str().unwrap()))
        .await;
    assert_keys(
        &ei,
        "exec inspect",
        &[
            "ID",
            "ContainerID",
            "Running",
            "ExitCode",
            "Pid",
            "ProcessConfig",
            "OpenStdin",
            "OpenStdout",
            "OpenStderr",
            "CanRemove",
        ],
    );
    assert!(ei["ExitCode"].is_null(), "null until the exec ends: {ei}");
}
