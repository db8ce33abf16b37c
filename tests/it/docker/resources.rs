//! The Docker frontend's image, network, volume, events and system df routes
//! on the wire (contract §2.1, §2.4, §2.5, §4.4, §4.5): the real `sockerless`
//! binary on a temp socket, raw HTTP/1.1, exact statuses, headers and bodies.

use std::path::Path;
use std::time::Duration;

use super::common::{head_only, raw, Daemon, RawResponse};
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;

const JSON: (&str, &str) = ("Content-Type", "application/json");

/// Asserts a Docker error: status, exact content type and message.
fn assert_error(res: &RawResponse, status: u16, message: &str) {
    assert_eq!(res.status, status, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.json()["message"], message, "{}", res.text());
}

async fn get(socket: &Path, path: &str) -> RawResponse {
    raw(socket, "GET", path, &[], b"").await
}

async fn post(socket: &Path, path: &str) -> RawResponse {
    raw(socket, "POST", path, &[], b"").await
}

async fn post_json(socket: &Path, path: &str, body: Value) -> RawResponse {
    raw(socket, "POST", path, &[JSON], body.to_string().as_bytes()).await
}

/// The JSON lines of a progress body, each of which must end in `\r\n`.
fn progress_lines(res: &RawResponse) -> Vec<Value> {
    let text = res.text();
    assert!(text.ends_with("\r\n"), "{text:?}");
    text.split_terminator("\r\n")
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?} in {text:?}"))
        })
        .collect()
}

#[tokio::test]
async fn pull_streams_progress_lines_ending_in_crlf() {
    let d = Daemon::start();
    let res = raw(
        &d.socket,
        "POST",
        "/v1.44/images/create?fromImage=docker.io%2Flibrary%2Falpine&tag=latest",
        &[("X-Registry-Auth", "e30=")],
        b"",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    let lines = progress_lines(&res);
    assert_eq!(
        lines[0],
        json!({"status": "Pulling from library/alpine", "id": "latest"})
    );
    assert!(lines
        .iter()
        .any(|l| l["status"] == "Downloading" && l["progressDetail"]["total"].is_i64()));
    assert_eq!(
        lines.last(),
        Some(&json!({"status": "Status: Downloaded newer image for alpine:latest"}))
    );
    // A digest in `tag`; the image is then up to date.
    let digest = lines[lines.len() - 2]["status"]
        .as_str()
        .and_then(|s| s.strip_prefix("Digest: "))
        .expect("digest line")
        .to_string();
    let res = post(
        &d.socket,
        &format!("/v1.44/images/create?fromImage=alpine&tag={digest}&platform="),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let lines = progress_lines(&res);
    assert_eq!(lines[0]["id"], digest.as_str());
    // Errors before the first byte are plain HTTP errors.
    assert_error(
        &post(&d.socket, "/v1.44/images/create?fromImage=Alpine").await,
        400,
        "invalid reference format: repository name (library/Alpine) must be lowercase",
    );
    assert_error(
        &post(&d.socket, "/v1.44/images/create?fromSrc=-&repo=x").await,
        501,
        "POST /images/create?fromSrc (image import) is not supported by sockerless",
    );
}

#[tokio::test]
async fn image_routes_statuses_and_shapes() {
    let d = Daemon::start();
    let s = &d.socket;
    assert_eq!(
        post(s, "/v1.44/images/create?fromImage=alpine")
            .await
            .status,
        200
    );
    let list = get(s, "/v1.44/images/json").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()[0]["RepoTags"], json!(["alpine:latest"]));
    let inspect = get(s, "/v1.44/images/alpine/json").await;
    assert_eq!(inspect.status, 200);
    let id = inspect.json()["Id"].as_str().expect("Id").to_string();
    assert_error(
        &get(s, "/v1.44/images/nosuch/json").await,
        404,
        "No such image: nosuch:latest",
    );
    // Tag: 201, no body; the CLI sends the repository fully qualified.
    let tag = post(
        s,
        "/v1.44/images/alpine/tag?repo=docker.io%2Fmy%2Falpine&tag=v1",
    )
    .await;
    assert_eq!((tag.status, tag.body.len()), (201, 0));
    let mine = get(s, "/v1.44/images/my/alpine:v1/json").await;
    assert_eq!(mine.json()["Id"], id.as_str());
    // History has no backend operation.
    assert_error(
        &get(s, "/v1.44/images/alpine/history").await,
        501,
        "GET /images/alpine/history is not supported by sockerless",
    );
    // Remove: 200 with the list; a used single reference is 409.
    let removed = raw(s, "DELETE", "/v1.44/images/my/alpine:v1", &[], b"").await;
    assert_eq!(removed.status, 200, "{}", removed.text());
    assert_eq!(removed.json(), json!([{"Untagged": "my/alpine:v1"}]));
    let created = post_json(
        s,
        "/v1.44/containers/create",
        json!({"Image": "alpine", "Cmd": ["true"]}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let conflict = raw(s, "DELETE", "/v1.44/images/alpine", &[], b"").await;
    assert_eq!(conflict.status, 409, "{}", conflict.text());
    // Prune: dangling only by default (nothing here); both keys always there,
    // none deleted is null as in Docker.
    let pruned = post(s, "/v1.44/images/prune").await;
    assert_eq!(pruned.status, 200);
    assert_eq!(
        pruned.json(),
        json!({"ImagesDeleted": null, "SpaceReclaimed": 0})
    );
    // The CLI's `prune -a` spelling; the image is in use, so it stays.
    let all = post(
        s,
        "/v1.44/images/prune?filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D",
    )
    .await;
    assert_eq!(
        all.json(),
        json!({"ImagesDeleted": null, "SpaceReclaimed": 0})
    );
    let build = post(s, "/v1.44/build/prune").await;
    assert_eq!(
        build.json(),
        json!({"CachesDeleted": [], "SpaceReclaimed": 0})
    );
}

#[tokio::test]
async fn load_takes_any_content_type_and_answers_json() {
    let d = Daemon::start();
    for ct in ["application/x-tar", "text/plain", "application/json"] {
        let tar = super::common::image_archive(&format!("loaded:{}", ct.len()));
        let res = raw(
            &d.socket,
            "POST",
            "/v1.44/images/load?quiet=1",
            &[("Content-Type", ct)],
            &tar,
        )
        .await;
        assert_eq!(res.status, 200, "{ct}: {}", res.text());
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(
            progress_lines(&res),
            [json!({"stream": format!("Loaded image: loaded:{}\n", ct.len())})]
        );
    }
    let res = raw(
        &d.socket,
        "POST",
        "/v1.44/images/load",
        &[("Content-Type", "application/x-tar")],
        b"not a tar",
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.text());
}

#[tokio::test]
async fn network_routes() {
    let d = Daemon::start();
    let s = &d.socket;
    let created = post_json(
        s,
        "/v1.44/networks/create",
        json!({"Name": "n1", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "10.9.0.0/24"}]}}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let body = created.json();
    let id = body["Id"].as_str().expect("Id").to_string();
    assert_eq!(body, json!({"Id": id, "Warning": ""}));
    assert_error(
        &post_json(s, "/v1.44/networks/create", json!({"Name": "n1"})).await,
        409,
        "network with name n1 already exists",
    );
    assert_error(
        &raw(s, "POST", "/v1.44/networks/create", &[], b"").await,
        400,
        "network name is required",
    );
    // `scope` filters the lookup: a local network is not found in swarm scope.
    assert_eq!(get(s, "/v1.44/networks/n1?scope=local").await.status, 200);
    assert_error(
        &get(s, "/v1.44/networks/n1?scope=swarm").await,
        404,
        "network n1 not found",
    );
    let listed = get(
        s,
        "/v1.44/networks?filters=%7B%22name%22%3A%7B%22n1%22%3Atrue%7D%7D",
    )
    .await;
    assert_eq!(listed.json()[0]["Id"], id.as_str());
    let inspected = get(s, "/v1.44/networks/n1?verbose=false&scope=local").await;
    assert_eq!(
        inspected.json()["IPAM"]["Config"][0]["Subnet"],
        "10.9.0.0/24"
    );
    assert_eq!(
        post(s, "/v1.44/images/create?fromImage=alpine")
            .await
            .status,
        200
    );
    let c = post_json(
        s,
        "/v1.44/containers/create?name=c1",
        json!({"Image": "alpine", "Cmd": ["sleep", "1000"]}),
    )
    .await;
    assert_eq!(c.status, 201, "{}", c.text());
    let connect = post_json(
        s,
        "/v1.44/networks/n1/connect",
        json!({"Container": "c1", "EndpointConfig": {"Aliases": ["a1"]}}),
    )
    .await;
    assert_eq!(
        (connect.status, connect.body.len()),
        (200, 0),
        "{}",
        connect.text()
    );
    // A network is busy while a member runs (Docker has endpoints only then).
    let started = post(s, "/v1.44/containers/c1/start").await;
    assert_eq!(started.status, 204, "{}", started.text());
    let busy = raw(s, "DELETE", "/v1.44/networks/n1", &[], b"").await;
    assert_eq!(busy.status, 403, "{}", busy.text());
    let disconnect = post_json(
        s,
        "/v1.44/networks/n1/disconnect",
        json!({"Container": "c1", "Force": true}),
    )
    .await;
    assert_eq!((disconnect.status, disconnect.body.len()), (200, 0));
    let removed = raw(s, "DELETE", "/v1.44/networks/n1", &[], b"").await;
    assert_eq!((removed.status, removed.body.len()), (204, 0));
    assert_error(
        &get(s, "/v1.44/networks/n1").await,
        404,
        "network n1 not found",
    );
    assert_error(
        &raw(s, "DELETE", "/v1.44/networks/bridge", &[], b"").await,
        403,
        "bridge is a pre-defined network and cannot be removed",
    );
    let pruned = post(s, "/v1.44/networks/prune").await;
    assert_eq!(pruned.json(), json!({"NetworksDeleted": null}));
}

#[tokio::test]
async fn volume_routes() {
    let d = Daemon::start();
    let s = &d.socket;
    let created = post_json(
        s,
        "/v1.44/volumes/create",
        json!({"Name": "v1", "Driver": "local", "Labels": {"x": "y"}}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["Name"], "v1");
    // An empty body is an anonymous volume.
    let anon = raw(s, "POST", "/v1.44/volumes/create", &[], b"").await;
    assert_eq!(anon.status, 201, "{}", anon.text());
    assert_eq!(anon.json()["Name"].as_str().map(str::len), Some(64));
    let listed = get(s, "/v1.44/volumes").await;
    let body = listed.json();
    assert_eq!(body["Warnings"], Value::Null, "Docker: null when none");
    assert_eq!(body["Volumes"].as_array().map(Vec::len), Some(2));
    let dangling = get(
        s,
        "/v1.44/volumes?filters=%7B%22name%22%3A%7B%22v1%22%3Atrue%7D%7D",
    )
    .await;
    assert_eq!(dangling.json()["Volumes"][0]["Labels"], json!({"x": "y"}));
    assert_eq!(get(s, "/v1.44/volumes/v1").await.json()["Name"], "v1");
    assert_error(
        &get(s, "/v1.44/volumes/nosuch").await,
        404,
        "get nosuch: no such volume",
    );
    assert_error(
        &raw(s, "PUT", "/v1.44/volumes/v1", &[JSON], b"{}").await,
        501,
        "PUT /volumes/v1 is not supported by sockerless",
    );
    let removed = raw(s, "DELETE", "/v1.44/volumes/v1?force=1", &[], b"").await;
    assert_eq!((removed.status, removed.body.len()), (204, 0));
    // The CLI's `volume prune -a`.
    let pruned = post(
        s,
        "/v1.44/volumes/prune?filters=%7B%22all%22%3A%7B%22true%22%3Atrue%7D%7D",
    )
    .await;
    let body = pruned.json();
    assert_eq!(body["SpaceReclaimed"], 0);
    assert_eq!(body["VolumesDeleted"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        get(s, "/v1.44/volumes").await.json(),
        json!({"Volumes": [], "Warnings": null})
    );
}

#[tokio::test]
async fn events_head_is_flushed_before_any_event() {
    let d = Daemon::start();
    // Nothing has happened: the head must still arrive at once.
    let (head, mut stream, rest) = head_only(
        &d.socket,
        "GET",
        "/v1.44/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert!(rest.is_empty(), "{rest:?}");
    // Then a container event arrives as one line with the deprecated fields.
    assert_eq!(
        post(&d.socket, "/v1.44/images/create?fromImage=alpine")
            .await
            .status,
        200
    );
    let created = post_json(
        &d.socket,
        "/v1.44/containers/create?name=ev",
        json!({"Image": "alpine", "Cmd": ["true"]}),
    )
    .await;
    let id = created.json()["Id"].as_str().expect("Id").to_string();
    let mut buf = rest;
    let line = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let body = super::common::dechunk(&buf);
            if let Some(end) = body.iter().position(|b| *b == b'\n') {
                return body[..end].to_vec();
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "events stream closed early");
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("an event within 10 s");
    let event: Value = serde_json::from_slice(&line).expect("event JSON");
    assert_eq!(event["Type"], "container");
    assert_eq!(event["Action"], "create");
    assert_eq!(event["status"], "create");
    assert_eq!(event["id"], id.as_str());
    assert_eq!(event["from"], "alpine");
    assert_eq!(event["Actor"]["Attributes"]["name"], "ev");
    assert_eq!(event["scope"], "local");
}

#[tokio::test]
async fn events_replay_window() {
    let d = Daemon::start();
    let since = super::common::now_unix();
    assert_eq!(
        post(&d.socket, "/v1.44/images/create?fromImage=alpine")
            .await
            .status,
        200
    );
    let until = super::common::now_unix() + 1;
    // until in the near future: replay, then the stream closes by itself.
    let res = get(
        &d.socket,
        &format!("/v1.44/events?since={since}&until={until}"),
    )
    .await;
    assert_eq!(res.status, 200);
    let events: Vec<Value> = res
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("event"))
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["Type"], "image");
    assert_eq!(events[0]["status"], "pull");
    assert_eq!(events[0]["id"], "alpine:latest");
    assert!(events[0].get("from").is_none(), "{}", events[0]);
    let bad = get(&d.socket, "/v1.44/events?since=200&until=100").await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(bad.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn system_df_is_composed_from_the_lists() {
    let d = Daemon::start();
    let s = &d.socket;
    let empty = get(s, "/v1.44/system/df?type=container&type=volume").await;
    assert_eq!(empty.status, 200);
    assert_eq!(
        empty.json(),
        // The sections not asked for are null (moby `daemon/disk_usage.go`).
        json!({"LayersSize": 0, "Images": null, "Containers": [], "Volumes": [], "BuildCache": null})
    );
    assert_eq!(
        post(s, "/v1.44/images/create?fromImage=alpine")
            .await
            .status,
        200
    );
    let created = post_json(
        s,
        "/v1.44/containers/create?name=dfc",
        json!({"Image": "alpine", "Cmd": ["true"], "HostConfig": {"Binds": ["dfv:/data"]}}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    post_json(s, "/v1.44/volumes/create", json!({"Name": "idle"})).await;
    let df = get(s, "/v1.44/system/df").await.json();
    let image = &df["Images"][0];
    assert_eq!(image["Containers"], 1);
    assert_eq!(image["SharedSize"], -1);
    assert_eq!(df["LayersSize"], image["Size"]);
    assert_eq!(df["Containers"][0]["Names"], json!(["/dfc"]));
    assert_eq!(df["Containers"][0]["SizeRw"], 0);
    assert!(df["Containers"][0]["SizeRootFs"].is_i64(), "{df}");
    let usage: Vec<(String, Value)> = df["Volumes"]
        .as_array()
        .expect("Volumes")
        .iter()
        .map(|v| {
            (
                v["Name"].as_str().unwrap_or("").to_string(),
                v["UsageData"].clone(),
            )
        })
        .collect();
    assert_eq!(
        usage,
        [
            ("dfv".to_string(), json!({"Size": 0, "RefCount": 1})),
            ("idle".to_string(), json!({"Size": 0, "RefCount": 0})),
        ]
    );
    assert_eq!(df["BuildCache"], json!([]));
}

#[tokio::test]
async fn load_is_not_held_to_the_body_limit() {
    let d = Daemon::start();
    // A 17 MiB layer: past the 16 MiB limit of the JSON routes (pitfall 17).
    let layer = vec![0u8; 17 * 1024 * 1024];
    let config = serde_json::to_vec(&json!({
        "os": "linux",
        "config": {"Cmd": ["/app"]},
        "rootfs": {"type": "layers", "diff_ids": []}
    }))
    .expect("config");
    let manifest = serde_json::to_vec(&json!([
        {"Config": "config.json", "RepoTags": ["big:1"], "Layers": ["l/layer.tar"]}
    ]))
    .expect("manifest");
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in [
        ("l/layer.tar", &layer),
        ("config.json", &config),
        ("manifest.json", &manifest),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, data.as_slice())
            .expect("entry");
    }
    let tar = builder.into_inner().expect("tar");
    let res = raw(
        &d.socket,
        "POST",
        "/v1.44/images/load?quiet=1",
        &[("Content-Type", "application/x-tar")],
        &tar,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        progress_lines(&res),
        [json!({"stream": "Loaded image: big:1\n"})]
    );
}

/// A `docker save` archive of one image tagged `tag` whose config runs `cmd`.
fn archive_running(tag: &str, cmd: &str) -> Vec<u8> {
    let config = serde_json::to_vec(&json!({
        "os": "linux",
        "config": {"Cmd": [cmd]},
        "rootfs": {"type": "layers", "diff_ids": []}
    }))
    .expect("config");
    let manifest =
        serde_json::to_vec(&json!([{"Config": "config.json", "RepoTags": [tag], "Layers": []}]))
            .expect("manifest");
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in [("config.json", &config), ("manifest.json", &manifest)] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, data.as_slice())
            .expect("entry");
    }
    builder.into_inner().expect("tar")
}

#[tokio::test]
async fn image_prune_removes_only_dangling_images_by_default() {
    let d = Daemon::start();
    let s = &d.socket;
    let load = |tar: Vec<u8>| async move { raw(s, "POST", "/v1.44/images/load", &[], &tar).await };
    let first = load(archive_running("x:1", "/a")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let old_id = get(s, "/v1.44/images/x:1/json").await.json()["Id"].clone();
    // The same tag on another image: the first one is left dangling.
    let second = load(archive_running("x:1", "/b")).await;
    let lines = progress_lines(&second);
    assert_eq!(
        lines.last(),
        Some(&json!({"stream": "Loaded image: x:1\n"}))
    );
    let new_id = get(s, "/v1.44/images/x:1/json").await.json()["Id"].clone();
    assert_ne!(old_id, new_id);
    let pruned = post(s, "/v1.44/images/prune").await.json();
    assert_eq!(pruned["ImagesDeleted"], json!([{"Deleted": old_id}]));
    let left: Vec<Value> = get(s, "/v1.44/images/json?all=1")
        .await
        .json()
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["Id"].clone())
        .collect();
    assert_eq!(left, [new_id]);
}
