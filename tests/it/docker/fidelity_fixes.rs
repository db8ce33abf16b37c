//! Differences from Docker Engine 26.1 that the fidelity corpus
//! (`tests/fidelity`, issue 15) found and sockerless fixed, on the wire: a
//! network looked up at start, restart policies and wrong field types in
//! Docker's words, network members only while they run, `remove?link=1`.

use std::path::Path;

use serde_json::{json, Value};

use super::common::{raw, Daemon};
use super::wire::{assert_error, create, get, post_json, pull_alpine, start};

async fn post(socket: &Path, path: &str) -> super::common::RawResponse {
    raw(socket, "POST", path, &[], b"").await
}

async fn inspect(socket: &Path, path: &str) -> Value {
    let res = get(socket, path).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// Waits for a container to exit.
async fn wait(socket: &Path, id: &str) {
    let res = post(socket, &format!("/v1.44/containers/{id}/wait")).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

/// Docker looks a container's networks up at start, not at create: the create
/// succeeds, the start is 404 and leaves the error in the state; a network
/// created in between is joined.
#[tokio::test]
async fn a_missing_network_fails_the_start_not_the_create() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    let id = create(
        &d.socket,
        &["sleep", "100"],
        json!({"HostConfig": {"NetworkMode": "later"}}),
    )
    .await;
    let c = inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(c["State"]["Status"], "created");
    assert_eq!(c["NetworkSettings"]["Networks"]["later"]["NetworkID"], "");
    let res = post(&d.socket, &format!("/v1.44/containers/{id}/start")).await;
    assert_error(&res, 404, "network later not found");
    let c = inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(c["State"]["Status"], "created");
    assert_eq!(c["State"]["ExitCode"], 128);
    assert_eq!(c["State"]["Error"], "network later not found");

    let res = post_json(
        &d.socket,
        "/v1.44/networks/create",
        json!({"Name": "later"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let net = res.json()["Id"].as_str().expect("Id").to_string();
    start(&d.socket, &id).await;
    let c = inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(c["State"]["Error"], "");
    assert_eq!(c["NetworkSettings"]["Networks"]["later"]["NetworkID"], net);
    assert_eq!(
        c["NetworkSettings"]["Networks"]["later"]["IPAddress"],
        "172.18.0.2"
    );
    let n = inspect(&d.socket, &format!("/v1.44/networks/{net}")).await;
    assert_eq!(n["Containers"][&id]["IPv4Address"], "172.18.0.2/16");

    // an endpoint of a network that does not exist: the same at start
    let id = create(
        &d.socket,
        &["true"],
        json!({"NetworkingConfig": {"EndpointsConfig": {"nowhere": {}}}}),
    )
    .await;
    let res = post(&d.socket, &format!("/v1.44/containers/{id}/start")).await;
    assert_error(&res, 404, "network nowhere not found");
}

/// Docker lists a network's members only while they run; a network whose
/// containers are created or stopped can be removed.
#[tokio::test]
async fn network_members_are_the_running_containers() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    let res = post_json(&d.socket, "/v1.44/networks/create", json!({"Name": "app"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let on_app = json!({"HostConfig": {"NetworkMode": "app"}});
    let runs = create(&d.socket, &["sleep", "100"], on_app.clone()).await;
    let exits = create(&d.socket, &["true"], on_app).await;
    let members = |n: Value| {
        let mut ids: Vec<String> = n["Containers"]
            .as_object()
            .expect("Containers")
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    };
    let n = inspect(&d.socket, "/v1.44/networks/app").await;
    assert_eq!(members(n), Vec::<String>::new());
    start(&d.socket, &runs).await;
    start(&d.socket, &exits).await;
    wait(&d.socket, &exits).await;
    let n = inspect(&d.socket, "/v1.44/networks/app").await;
    assert_eq!(members(n), std::slice::from_ref(&runs));
    let list = inspect(
        &d.socket,
        "/v1.44/networks?filters=%7B%22name%22%3A%5B%22app%22%5D%7D",
    )
    .await;
    assert_eq!(list[0]["Containers"], json!({}));
    let res = raw(&d.socket, "DELETE", "/v1.44/networks/app", &[], b"").await;
    assert_error(
        &res,
        403,
        &format!(
            "error while removing network: network app id {} has active endpoints",
            list[0]["Id"].as_str().expect("Id")
        ),
    );
    let res = post(&d.socket, &format!("/v1.44/containers/{runs}/kill")).await;
    assert_eq!(res.status, 204, "{}", res.text());
    wait(&d.socket, &runs).await;
    let n = inspect(&d.socket, "/v1.44/networks/app").await;
    assert_eq!(members(n), Vec::<String>::new());
    let res = raw(&d.socket, "DELETE", "/v1.44/networks/app", &[], b"").await;
    assert_eq!(res.status, 204, "{}", res.text());
    // its containers keep the configuration; starting one fails, naming the
    // network by the ID it last joined
    let res = post(&d.socket, &format!("/v1.44/containers/{exits}/start")).await;
    let net = list[0]["Id"].as_str().expect("Id");
    assert_error(&res, 404, &format!("network {net} not found"));
}

/// Any restart policy name decodes; an unknown one is 400 in Docker's words,
/// after the body's type errors and with `AutoRemove`'s error first.
#[tokio::test]
async fn an_unknown_restart_policy_in_dockers_words() {
    let d = Daemon::start();
    let policy = |name: &str, extra: Value| {
        let mut host = json!({"RestartPolicy": {"Name": name}});
        if let (Some(h), Some(e)) = (host.as_object_mut(), extra.as_object()) {
            h.extend(e.clone());
        }
        json!({"Image": "alpine", "HostConfig": host})
    };
    let res = post_json(
        &d.socket,
        "/v1.44/containers/create",
        policy("sometimes", json!({})),
    )
    .await;
    assert_error(
        &res,
        400,
        "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
    );
    let res = post_json(
        &d.socket,
        "/v1.44/containers/create",
        policy("sometimes", json!({"AutoRemove": true})),
    )
    .await;
    assert_error(
        &res,
        400,
        "can't create 'AutoRemove' container with restart policy",
    );
    let res = post_json(
        &d.socket,
        "/v1.44/containers/create",
        policy("sometimes", json!({"Memory": "1g"})),
    )
    .await;
    assert_error(
        &res,
        400,
        "invalid JSON: json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Resources.Memory of type int64",
    );
}

/// A field of the wrong type: Go's `encoding/json` words, naming the Go
/// struct and field path, for the create body and the other bodies.
#[tokio::test]
async fn wrong_field_types_in_gos_words() {
    let d = Daemon::start();
    let cases = [
        (
            "/v1.44/containers/create",
            json!({"Image": 5}),
            "number into Go struct field ContainerConfigWrapper.Config.Image of type string",
        ),
        (
            "/v1.44/containers/create",
            json!({"Image": "alpine", "Env": [1]}),
            "number into Go struct field ContainerConfigWrapper.Config.Env of type string",
        ),
        (
            "/v1.44/containers/create",
            json!({"Image": "alpine", "HostConfig": {"CpuShares": 1.5}}),
            "number 1.5 into Go struct field HostConfig.HostConfig.Resources.CpuShares of type int64",
        ),
        (
            "/v1.44/containers/create",
            json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"MaximumRetryCount": "3"}}}),
            "string into Go struct field RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int",
        ),
        (
            "/v1.44/containers/create",
            json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"a": {"Aliases": "x"}}}}),
            "string into Go struct field EndpointSettings.NetworkingConfig.EndpointsConfig.Aliases of type []string",
        ),
        (
            "/v1.44/containers/create",
            json!({"Image": "alpine", "Cmd": {}}),
            "object into Go struct field ContainerConfigWrapper.Config.Cmd of type string",
        ),
        (
            "/v1.44/networks/create",
            json!({"Name": "n", "Internal": "yes"}),
            "string into Go struct field NetworkCreateRequest.NetworkCreate.Internal of type bool",
        ),
        (
            "/v1.44/volumes/create",
            json!({"Labels": [1]}),
            "array into Go struct field CreateOptions.Labels of type map[string]string",
        ),
    ];
    for (path, body, words) in cases {
        let res = post_json(&d.socket, path, body).await;
        assert_error(
            &res,
            400,
            &format!("invalid JSON: json: cannot unmarshal {words}"),
        );
    }
}

/// `DELETE /containers/{ref}?link=1` removes a legacy link; a container's own
/// name is refused in Docker's words and the container stays (Docker answers 500; bad input is a 409 here).
#[tokio::test]
async fn remove_link_refuses_the_default_link_name() {
    let d = Daemon::start();
    pull_alpine(&d.socket).await;
    let id = create(&d.socket, &["true"], json!({})).await;
    let res = raw(
        &d.socket,
        "DELETE",
        &format!("/v1.44/containers/{id}?link=1"),
        &[],
        b"",
    )
    .await;
    assert_error(
        &res,
        409,
        "Conflict, cannot remove the default link name of the container",
    );
    inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    let res = raw(
        &d.socket,
        "DELETE",
        "/v1.44/containers/nosuch?link=1",
        &[],
        b"",
    )
    .await;
    assert_error(&res, 404, "No such container: nosuch");
}

/// Docker creates a container without an image; starting it fails as runc
/// does (400, exit code 127), with nothing left running.
#[tokio::test]
async fn a_container_without_an_image_is_created_but_cannot_start() {
    let d = Daemon::start();
    let res = post_json(
        &d.socket,
        "/v1.44/containers/create",
        json!({"Cmd": ["true"]}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["Id"].as_str().expect("Id").to_string();
    let c = inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(
        (&c["Image"], &c["Config"]["Image"]),
        (&json!(""), &json!(""))
    );
    let res = post(&d.socket, &format!("/v1.44/containers/{id}/start")).await;
    let words = "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"true\": executable file not found in $PATH: unknown";
    assert_error(&res, 400, words);
    let c = inspect(&d.socket, &format!("/v1.44/containers/{id}/json")).await;
    assert_eq!(c["State"]["Status"], "created");
    assert_eq!(c["State"]["ExitCode"], 127);
    assert_eq!(c["State"]["Error"], words);
    let n = inspect(&d.socket, "/v1.44/networks/bridge").await;
    assert_eq!(n["Containers"], json!({}));
    let res = post_json(
        &d.socket,
        "/v1.44/containers/create",
        json!({"Cmd": ["/bin/true"]}),
    )
    .await;
    let id = res.json()["Id"].as_str().expect("Id").to_string();
    let res = post(&d.socket, &format!("/v1.44/containers/{id}/start")).await;
    assert_error(&res, 400, "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"/bin/true\": stat /bin/true: no such file or directory: unknown");
}
