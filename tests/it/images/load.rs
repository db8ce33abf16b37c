//! Image load: docker save archives, OCI layouts and garbage.

use super::*;

fn append(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append_data(&mut h, path, data).expect("append");
}

fn config_json() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2023-05-06T07:08:09.123456789Z",
        "config": {
            "Env": ["PATH=/bin", "APP=1"],
            "Cmd": ["/app", "--serve"],
            "WorkingDir": "/srv",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {"org.example": "yes"},
            "Weird": 12
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}
    }))
    .expect("json")
}

/// A `docker save` archive: one tagged image, one untagged.
fn docker_save(tags: &[&str]) -> (Vec<u8>, String, String) {
    let config = config_json();
    let ch = sha(&config);
    let other =
        br#"{"os":"linux","config":{"Cmd":["true"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let oh = sha(other);
    let manifest = json!([
        {"Config": format!("{ch}.json"), "RepoTags": tags, "Layers": ["l1/layer.tar"]},
        {"Config": format!("blobs/sha256/{oh}"), "RepoTags": null, "Layers": []}
    ]);
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "l1/layer.tar", &vec![7u8; 3000]);
    append(&mut b, &format!("{ch}.json"), &config);
    append(&mut b, &format!("blobs/sha256/{oh}"), other);
    append(
        &mut b,
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("json"),
    );
    (
        b.into_inner().expect("tar"),
        format!("sha256:{ch}"),
        format!("sha256:{oh}"),
    )
}

fn oci_layout() -> (Vec<u8>, String) {
    let config = config_json();
    let ch = sha(&config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{ch}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:1111", "size": 3000}]
    }))
    .expect("json");
    let mh = sha(&manifest);
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{mh}"), "size": manifest.len(),
            "annotations": {"io.containerd.image.name": "docker.io/library/ociapp:2.0"}}]
    }))
    .expect("json");
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "blobs/sha256/1111", &vec![1u8; 3000]);
    append(&mut b, &format!("blobs/sha256/{ch}"), &config);
    append(&mut b, &format!("blobs/sha256/{mh}"), &manifest);
    append(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    append(&mut b, "index.json", &index);
    (b.into_inner().expect("tar"), format!("sha256:{ch}"))
}

async fn load(server: &TestServer, body: Vec<u8>) -> Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("{V1}/images/load?quiet=1"))
        .header("host", "localhost")
        .header("content-type", "application/x-tar")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    server.send(req).await
}

#[tokio::test]
async fn load_docker_save_archive() {
    let server = TestServer::start().await;
    let (tar, id, other) = docker_save(&["myapp:1.0", "registry.local/team/myapp:dev"]);
    let r = load(&server, tar).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.lines(),
        vec![
            json!({"stream": "Loaded image: myapp:1.0\n"}),
            json!({"stream": "Loaded image: registry.local/team/myapp:dev\n"}),
            json!({"stream": format!("Loaded image ID: {other}\n")}),
        ]
    );
    let (status, img) = inspect(&server, "myapp:1.0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(img["Id"], id.as_str());
    assert_eq!(
        img["RepoTags"],
        json!(["myapp:1.0", "registry.local/team/myapp:dev"])
    );
    assert_eq!(img["Created"], "2023-05-06T07:08:09.123456789Z");
    assert_eq!(img["Config"]["Cmd"], json!(["/app", "--serve"]));
    assert_eq!(img["Config"]["WorkingDir"], "/srv");
    assert_eq!(img["Config"]["ExposedPorts"], json!({"8080/tcp": {}}));
    assert_eq!(img["Config"]["Labels"], json!({"org.example": "yes"}));
    assert_eq!(
        img["RootFS"]["Layers"],
        json!(["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])
    );
    let (status, untagged) = inspect(&server, &other).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(untagged["RepoTags"], json!([]));
    let (_, dangling) = list(&server, Some(json!({"dangling": ["true"]}))).await;
    assert_eq!(dangling.as_array().map(Vec::len), Some(1));
    assert_eq!(dangling[0]["Id"], other.as_str());

    // Loading another image with a taken tag moves the tag.
    pull_ok(&server, "fromImage=nginx").await;
    let (_, pulled) = inspect(&server, "nginx").await;
    let (tar, _, _) = docker_save(&["nginx:latest"]);
    let r = load(&server, tar).await;
    assert_eq!(r.status, StatusCode::OK);
    let lines = r.lines();
    assert_eq!(
        lines[0],
        json!({"stream": format!(
            "The image nginx:latest already exists, renaming the old one with ID {} to empty string\n",
            pulled["Id"].as_str().expect("id")
        )})
    );
    assert_eq!(lines[1], json!({"stream": "Loaded image: nginx:latest\n"}));
    let (_, now) = inspect(&server, "nginx").await;
    assert_eq!(now["Id"], id.as_str());
}

#[tokio::test]
async fn load_oci_layout() {
    let server = TestServer::start().await;
    let (tar, id) = oci_layout();
    let r = load(&server, tar).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.lines(),
        vec![json!({"stream": "Loaded image: ociapp:2.0\n"})]
    );
    let (status, img) = inspect(&server, "docker.io/library/ociapp:2.0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(img["Id"], id.as_str());
    assert_eq!(img["Architecture"], "amd64");
}

#[tokio::test]
async fn load_rejects_garbage_and_stores_nothing() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=alpine").await;
    let (_, before) = list(&server, None).await;
    let (good, _, _) = docker_save(&["x:1"]);
    let mut bad_tag = docker_save(&["Bad:1"]).0;
    bad_tag.truncate(bad_tag.len());
    for (body, msg) in [
        (
            b"definitely not a tarball".to_vec(),
            "unexpected end of archive",
        ),
        (Vec::new(), "archive has no manifest.json or index.json"),
        (good[..good.len() / 2].to_vec(), "unexpected end of archive"),
        (
            (0..2048u32).map(|i| (i * 7 + 3) as u8).collect(),
            "invalid tar header: checksum mismatch",
        ),
    ] {
        let r = load(&server, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(message(&r.json()), msg);
    }
    let r = load(&server, bad_tag).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        message(&r.json()).contains("must be lowercase"),
        "{}",
        r.text()
    );
    let (_, after) = list(&server, None).await;
    assert_eq!(before, after);
}
