//! Black-box tests of the image routes: pull, list, inspect, load, tag, remove,
//! prune and auth.

use std::sync::Arc;
use std::time::SystemTime;

use crate::common::*;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sockerless::http::ServeOptions;
use sockerless::MemoryBackend;

const V1: &str = "/internal/v1";

fn sha(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn pull(server: &TestServer, query: &str) -> Reply {
    server
        .call(Method::POST, &format!("{V1}/images/pull?{query}"), None)
        .await
}

async fn pull_ok(server: &TestServer, query: &str) -> Vec<Value> {
    let r = pull(server, query).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.lines()
}

async fn inspect(server: &TestServer, name: &str) -> (StatusCode, Value) {
    server.get(&format!("{V1}/images/{name}")).await
}

async fn list(server: &TestServer, filters: Option<Value>) -> (StatusCode, Value) {
    let path = match filters {
        Some(f) => format!(
            "{V1}/images?filters={}",
            percent_encoding::utf8_percent_encode(
                &f.to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
        ),
        None => format!("{V1}/images"),
    };
    server.get(&path).await
}

fn tags_of(list: &Value) -> Vec<Vec<String>> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|i| {
            i["RepoTags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| t.as_str().expect("str").to_string())
                .collect()
        })
        .collect()
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or("<no message>")
}

#[tokio::test]
async fn pull_streams_progress_then_up_to_date() {
    let server = TestServer::start().await;
    let r = pull(&server, "fromImage=nginx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    let lines = r.lines();
    assert_eq!(
        lines[0],
        json!({"status": "Pulling from library/nginx", "id": "latest"})
    );
    let last = lines.last().expect("records");
    assert_eq!(
        last,
        &json!({"status": "Status: Downloaded newer image for nginx:latest"})
    );
    let digest = lines[lines.len() - 2]["status"].as_str().expect("digest");
    assert!(
        digest.starts_with("Digest: sha256:") && digest.len() == 8 + 7 + 64,
        "{digest}"
    );
    for status in [
        "Pulling fs layer",
        "Downloading",
        "Download complete",
        "Extracting",
        "Pull complete",
    ] {
        assert!(
            lines.iter().any(|l| l["status"] == status),
            "no {status} record"
        );
    }
    let downloading = lines
        .iter()
        .find(|l| l["status"] == "Downloading")
        .expect("downloading");
    assert_eq!(downloading["id"].as_str().map(str::len), Some(12));
    assert!(downloading["progressDetail"]["total"].as_i64() > Some(0));
    assert!(downloading["progress"]
        .as_str()
        .is_some_and(|p| p.starts_with("[") && p.contains(">")));
    let layers: std::collections::BTreeSet<_> = lines
        .iter()
        .filter(|l| l["status"] == "Pull complete")
        .map(|l| l["id"].to_string())
        .collect();
    assert!((2..=3).contains(&layers.len()));

    // Second pull: no layers, up to date, same digest.
    let again = pull_ok(&server, "fromImage=nginx&tag=latest").await;
    assert_eq!(
        again,
        vec![
            json!({"status": "Pulling from library/nginx", "id": "latest"}),
            json!({"status": digest}),
            json!({"status": "Status: Image is up to date for nginx:latest"}),
        ]
    );
    let (status, all) = list(&server, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tags_of(&all), vec![vec!["nginx:latest".to_string()]]);
}

#[tokio::test]
async fn every_spelling_names_the_same_image() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=docker.io/library/nginx&tag=latest").await;
    let want_hex = sha(b"docker.io/library/nginx:latest");
    let want_id = format!("sha256:{want_hex}");
    for name in [
        "nginx".to_string(),
        "nginx:latest".to_string(),
        "library/nginx".to_string(),
        "library/nginx:latest".to_string(),
        "docker.io/library/nginx:latest".to_string(),
        "index.docker.io/library/nginx".to_string(),
        want_id.clone(),
        want_hex.clone(),
        want_hex[..12].to_string(),
        format!("sha256:{}", &want_hex[..5]),
    ] {
        let (status, body) = inspect(&server, &name).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["Id"], want_id.as_str(), "{name}");
    }
    let (_, body) = inspect(&server, "nginx").await;
    let digest = body["RepoDigests"][0].as_str().expect("digest").to_string();
    assert!(digest.starts_with("nginx@sha256:"), "{digest}");
    let (status, by_digest) = inspect(&server, &digest).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_digest["Id"], want_id.as_str());

    for (name, msg) in [
        ("nginx:1.25", "No such image: nginx:1.25"),
        ("redis", "No such image: redis:latest"),
        ("docker.io/library/redis", "No such image: redis:latest"),
        ("team/app", "No such image: team/app:latest"),
        ("sha256:0123", "No such image: sha256:0123"),
    ] {
        let (status, body) = inspect(&server, name).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        assert_eq!(message(&body), msg);
    }
    let (status, body) = inspect(&server, "Nginx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "invalid reference format: repository name (library/Nginx) must be lowercase"
    );
}

#[tokio::test]
async fn ambiguous_short_id_is_refused() {
    let server = TestServer::start().await;
    // Pull until two IDs share a first hex digit (at most 17 pulls).
    let mut seen: std::collections::HashMap<char, String> = Default::default();
    let mut prefix = None;
    for i in 0..17 {
        let name = format!("app{i}");
        pull_ok(&server, &format!("fromImage={name}")).await;
        let hex = sha(format!("docker.io/library/{name}:latest").as_bytes());
        let first = hex.chars().next().expect("hex");
        if seen.insert(first, hex).is_some() {
            prefix = Some(first);
            break;
        }
    }
    let prefix = prefix.expect("pigeonhole").to_string();
    let (status, body) = inspect(&server, &format!("sha256:{prefix}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("ambiguous"), "{body}");
}

#[tokio::test]
async fn ids_are_deterministic_across_servers() {
    let a = TestServer::start().await;
    let b = TestServer::start().await;
    let la = pull_ok(&a, "fromImage=redis&tag=7").await;
    let lb = pull_ok(&b, "fromImage=redis:7").await;
    assert_eq!(la, lb);
    let (_, ia) = inspect(&a, "redis:7").await;
    let (_, ib) = inspect(&b, "redis:7").await;
    assert_eq!(ia, ib);
    assert_eq!(
        ia["Id"],
        format!("sha256:{}", sha(b"docker.io/library/redis:7")).as_str()
    );
    assert_eq!(ia["Created"], ib["Created"]);
    assert!(ia["Created"]
        .as_str()
        .is_some_and(|c| c.starts_with("2024-")));
}

#[tokio::test]
async fn invalid_pulls_are_plain_400s_and_store_nothing() {
    let server = TestServer::start().await;
    for (query, msg) in [
        (
            "fromImage=Nginx",
            "invalid reference format: repository name (library/Nginx) must be lowercase",
        ),
        ("fromImage=", "invalid reference format"),
        ("", "invalid reference format"),
        ("fromImage=ngi%20nx", "invalid reference format"),
        ("fromImage=nginx%3A%3A1", "invalid reference format"),
        ("fromImage=nginx&tag=bad%20tag", "invalid tag format"),
        (
            "fromImage=nginx&platform=linux%2Fbogus",
            "\"linux/bogus\": unknown operating system or architecture: invalid argument",
        ),
        (
            "fromImage=nginx&platform=windows%2Famd64",
            "image operating system \"windows\" cannot be used on this platform",
        ),
    ] {
        let r = pull(&server, query).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text());
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(message(&r.json()), msg, "{query}");
    }
    let (_, all) = list(&server, None).await;
    assert_eq!(all, json!([]));
}

#[tokio::test]
async fn pull_with_platform_auth_header_and_digest() {
    let server = TestServer::start().await;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "{V1}/images/pull?fromImage=alpine&platform=linux/arm64"
        ))
        .header("host", "localhost")
        .header(
            "x-registry-auth",
            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ==",
        )
        .body(Full::new(Bytes::new()))
        .expect("request");
    let r = server.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (_, img) = inspect(&server, "alpine").await;
    assert_eq!(img["Architecture"], "arm64");
    assert_eq!(img["Os"], "linux");
    assert!(!img.to_string().contains("eyJ1c2Vy"), "auth never stored");

    let digest = img["RepoDigests"][0].as_str().expect("digest").to_string();
    let by_digest = pull_ok(&server, &format!("fromImage={digest}")).await;
    assert_eq!(
        by_digest.last(),
        Some(&json!({"status": format!("Status: Image is up to date for {digest}")}))
    );
}

#[tokio::test]
async fn concurrent_pulls_store_one_image() {
    let server = Arc::new(TestServer::start().await);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = Arc::clone(&server);
            tokio::spawn(async move { pull(&s, "fromImage=busybox").await.status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::OK);
    }
    let (_, all) = list(&server, None).await;
    assert_eq!(tags_of(&all), vec![vec!["busybox:latest".to_string()]]);
}

#[tokio::test]
async fn catalogue_and_default_configs() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=nginx").await;
    pull_ok(&server, "fromImage=example.com%3A5000/team/tool&tag=1.0").await;
    let (status, nginx) = inspect(&server, "nginx").await;
    assert_eq!(status, StatusCode::OK);
    let c = &nginx["Config"];
    assert_eq!(c["Cmd"], json!(["nginx", "-g", "daemon off;"]));
    assert_eq!(c["Entrypoint"], json!(["/docker-entrypoint.sh"]));
    assert_eq!(c["ExposedPorts"], json!({"80/tcp": {}}));
    assert_eq!(c["StopSignal"], "SIGQUIT");
    assert!(c["Labels"]["maintainer"].is_string());
    // Every field Docker always sends is checked in tests/it/shapes.rs.
    assert_eq!(
        nginx["GraphDriver"],
        json!({"Name": "overlay2", "Data": {}})
    );
    assert_eq!(nginx["RootFS"]["Type"], "layers");
    assert!(nginx["RootFS"]["Layers"]
        .as_array()
        .is_some_and(|l| l.len() >= 2));
    assert!(nginx["Metadata"]["LastTagTime"].is_string());

    let (status, tool) = inspect(&server, "example.com:5000/team/tool:1.0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tool["RepoTags"], json!(["example.com:5000/team/tool:1.0"]));
    assert_eq!(
        tool["Config"]["Env"],
        json!(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    );
    assert_eq!(tool["Config"]["Cmd"], json!(["/bin/sh"]));
}

#[tokio::test]
async fn list_filters() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=nginx").await;
    pull_ok(&server, "fromImage=nginx&tag=1.27").await;
    pull_ok(&server, "fromImage=team/app").await;
    pull_ok(&server, "fromImage=alpine").await;

    let (status, all) = list(&server, None).await;
    assert_eq!(status, StatusCode::OK);
    let items = all.as_array().expect("array");
    assert_eq!(items.len(), 4);
    let created: Vec<i64> = items
        .iter()
        .map(|i| i["Created"].as_i64().expect("created"))
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    for i in items {
        assert_eq!(i["ParentId"], "");
        assert_eq!(i["SharedSize"], -1);
        assert!(i["Labels"].is_object());
        assert!(i["Size"].as_i64() > Some(0));
        assert_eq!(i["VirtualSize"], i["Size"]);
        assert_eq!(i["Containers"], 0);
    }

    let sorted = |v: &Value| {
        let mut t: Vec<String> = tags_of(v).into_iter().flatten().collect();
        t.sort();
        t
    };
    let (_, v) = list(&server, Some(json!({"reference": ["nginx"]}))).await;
    assert_eq!(sorted(&v), vec!["nginx:1.27", "nginx:latest"]);
    let (_, v) = list(&server, Some(json!({"reference": ["nginx:1.*"]}))).await;
    assert_eq!(sorted(&v), vec!["nginx:1.27"]);
    let (_, v) = list(&server, Some(json!({"reference": ["*/app"]}))).await;
    assert_eq!(sorted(&v), vec!["team/app:latest"]);
    let (_, v) = list(&server, Some(json!({"reference": {"alpine": true}}))).await;
    assert_eq!(sorted(&v), vec!["alpine:latest"]);
    let (_, v) = list(&server, Some(json!({"label": ["maintainer"]}))).await;
    assert_eq!(sorted(&v), vec!["nginx:1.27", "nginx:latest"]);
    let (_, v) = list(&server, Some(json!({"label": ["maintainer=nobody"]}))).await;
    assert_eq!(v, json!([]));
    let (_, v) = list(&server, Some(json!({"dangling": ["true"]}))).await;
    assert_eq!(v, json!([]));
    let (_, v) = list(&server, Some(json!({"dangling": ["false"]}))).await;
    assert_eq!(v.as_array().map(Vec::len), Some(4));

    // before / since compare creation times with the named image.
    let (_, nginx) = inspect(&server, "nginx").await;
    let nginx_created = nginx["Created"].as_str().expect("created").to_string();
    let (status, before) = list(&server, Some(json!({"before": ["nginx"]}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, since) = list(&server, Some(json!({"since": ["nginx"]}))).await;
    for i in before.as_array().expect("array") {
        assert_ne!(i["Id"], nginx["Id"]);
    }
    assert_eq!(
        before.as_array().map(Vec::len).unwrap_or(0) + since.as_array().map(Vec::len).unwrap_or(0),
        3,
        "every other image is before or since {nginx_created}"
    );

    for (filters, status, msg) in [
        (json!({"colour": ["red"]}), 400, "invalid filter 'colour'"),
        (
            json!({"dangling": ["maybe"]}),
            400,
            "invalid filter 'dangling=maybe'",
        ),
        (
            json!({"before": ["nope"]}),
            404,
            "No such image: nope:latest",
        ),
        (
            json!({"reference": ["[" ]}),
            400,
            "invalid filter 'reference=['",
        ),
    ] {
        let (s, body) = list(&server, Some(filters.clone())).await;
        assert_eq!(s.as_u16(), status, "{filters}");
        assert_eq!(message(&body), msg, "{filters}");
    }
}

#[tokio::test]
async fn tag_adds_and_moves_tags() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=nginx").await;
    pull_ok(&server, "fromImage=alpine").await;
    let r = server
        .call(
            Method::POST,
            &format!("{V1}/images/nginx/tag?repo=registry.local%3A5000/web&tag=v1"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.body.is_empty());
    let (_, nginx) = inspect(&server, "nginx").await;
    let (status, tagged) = inspect(&server, "registry.local:5000/web:v1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tagged["Id"], nginx["Id"]);
    assert_eq!(
        tagged["RepoTags"],
        json!(["nginx:latest", "registry.local:5000/web:v1"])
    );
    assert_ne!(tagged["Metadata"]["LastTagTime"], "0001-01-01T00:00:00Z");

    // Tag without `tag` means latest; moving a tag leaves the old image.
    let (status, _) = server
        .post_empty(&format!("{V1}/images/alpine/tag?repo=nginx"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, moved) = inspect(&server, "nginx:latest").await;
    let (_, alpine) = inspect(&server, "alpine").await;
    assert_eq!(moved["Id"], alpine["Id"]);
    let (_, old) = inspect(&server, nginx["Id"].as_str().expect("id")).await;
    assert_eq!(old["RepoTags"], json!(["registry.local:5000/web:v1"]));

    for (path, status, msg) in [
        (
            "/images/nginx/tag?repo=Bad",
            400,
            "invalid reference format: repository name (library/Bad) must be lowercase",
        ),
        (
            "/images/nginx/tag?repo=ok&tag=b%20d",
            400,
            "invalid tag format",
        ),
        ("/images/nginx/tag?repo=", 400, "invalid reference format"),
        (
            "/images/ghost/tag?repo=x",
            404,
            "No such image: ghost:latest",
        ),
    ] {
        let (s, body) = server.post_empty(&format!("{V1}{path}")).await;
        assert_eq!(s.as_u16(), status, "{path}");
        assert_eq!(message(&body), msg, "{path}");
    }
    let (status, _) = inspect(&server, "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn remove_untags_then_deletes() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=nginx").await;
    let (_, nginx) = inspect(&server, "nginx").await;
    let id = nginx["Id"].as_str().expect("id").to_string();
    let (s, _) = server
        .post_empty(&format!("{V1}/images/nginx/tag?repo=web&tag=v1"))
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // Two repositories: untag one, the image stays.
    let (status, body) = server.delete(&format!("{V1}/images/web:v1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!([{"Untagged": "web:v1"}]));
    let (status, _) = inspect(&server, "web:v1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // By ID with two repositories: must force.
    let (s, _) = server
        .post_empty(&format!("{V1}/images/nginx/tag?repo=web&tag=v2"))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (status, body) = server.delete(&format!("{V1}/images/{}", &id[7..19])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        message(&body),
        format!(
            "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
            &id[7..19]
        )
    );
    let (status, _) = server.delete(&format!("{V1}/images/web:v2")).await;
    assert_eq!(status, StatusCode::OK);

    // The last tag: untag its digest too, then delete.
    let (status, body) = server.delete(&format!("{V1}/images/nginx")).await;
    assert_eq!(status, StatusCode::OK);
    let records = body.as_array().expect("records");
    assert_eq!(records[0], json!({"Untagged": "nginx:latest"}));
    assert!(records[1]["Untagged"]
        .as_str()
        .is_some_and(|d| d.starts_with("nginx@sha256:")));
    assert_eq!(records[2], json!({"Deleted": id}));
    assert!(records.len() >= 4, "layers are reported deleted: {body}");
    let (status, body) = inspect(&server, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&body), format!("No such image: {id}"));

    let (status, body) = server.delete(&format!("{V1}/images/nginx")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(message(&body), "No such image: nginx:latest");

    // By full ID with one tag: untag and delete in one go.
    pull_ok(&server, "fromImage=alpine").await;
    let (_, alpine) = inspect(&server, "alpine").await;
    let aid = alpine["Id"].as_str().expect("id").to_string();
    let (status, body) = server.delete(&format!("{V1}/images/{aid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0], json!({"Untagged": "alpine:latest"}));
    assert!(body
        .as_array()
        .expect("records")
        .contains(&json!({"Deleted": aid})));
    let (_, all) = list(&server, None).await;
    assert_eq!(all, json!([]));
}

/// Puts a container record using `image_id` straight into the store (container
/// create belongs to another module).
fn add_container(backend: &MemoryBackend, id: &str, image_id: &str, running: bool) {
    use sockerless::memory::containers::{ContainerRecord, RunState, Status};
    backend.store().containers.put(
        id.to_string(),
        ContainerRecord {
            id: id.to_string(),
            name: format!("/c{}", &id[..4]),
            created: SystemTime::now(),
            seq: 0,
            image: "nginx".into(),
            image_id: image_id.to_string(),
            config: Default::default(),
            host_config: Default::default(),
            path: "nginx".into(),
            args: vec![],
            state: RunState {
                status: if running {
                    Status::Running
                } else {
                    Status::Exited
                },
                pid: if running { 42 } else { 0 },
                exit_code: 0,
                error: String::new(),
                oom_killed: false,
                started_at: None,
                finished_at: None,
                health: None,
                run: 0,
            },
            networks: Default::default(),
            ports: Default::default(),
            mounts: vec![],
            restart_count: 0,
        },
    );
}

#[tokio::test]
async fn remove_and_prune_respect_containers() {
    let backend = MemoryBackend::new();
    let server = TestServer::with_backend(backend.clone(), ServeOptions::default()).await;
    pull_ok(&server, "fromImage=nginx").await;
    let (_, nginx) = inspect(&server, "nginx").await;
    let id = nginx["Id"].as_str().expect("id").to_string();
    let cid = "c0ffee".repeat(10) + "abcd";
    add_container(&backend, &cid, &id, false);

    let (status, body) = server.delete(&format!("{V1}/images/nginx")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        message(&body),
        format!(
            "conflict: unable to remove repository reference \"nginx\" (must force) - container {} is using its referenced image {}",
            &cid[..12],
            &id[7..19]
        )
    );
    let (status, body) = server.delete(&format!("{V1}/images/{id}")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        message(&body),
        format!(
            "conflict: unable to delete {} (must be forced) - image is being used by stopped container {}",
            &id[7..19],
            &cid[..12]
        )
    );
    let (_, listed) = list(&server, None).await;
    assert_eq!(listed[0]["Containers"], 1);

    // prune -a keeps used images.
    let (status, pruned) = server
        .post_empty(&format!(
            "{V1}/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%7D"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pruned, json!({"ImagesDeleted": [], "SpaceReclaimed": 0}));

    // A running container: even force cannot delete it by ID.
    backend.store().containers.clear();
    add_container(&backend, &cid, &id, true);
    let (status, body) = server.delete(&format!("{V1}/images/{id}?force=true")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        message(&body),
        format!(
            "conflict: unable to delete {} (cannot be forced) - image is being used by running container {}",
            &id[7..19],
            &cid[..12]
        )
    );
    // Forcing by tag untags and keeps the image, as Docker does.
    let (status, body) = server.delete(&format!("{V1}/images/nginx?force=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0], json!({"Untagged": "nginx:latest"}));
    assert!(!body.to_string().contains("Deleted"));
    let (status, _) = inspect(&server, &id).await;
    assert_eq!(status, StatusCode::OK);

    // Unused now: force-delete by ID works.
    backend.store().containers.clear();
    let (status, body) = server.delete(&format!("{V1}/images/{id}?force=1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0], json!({"Deleted": id}));
}

#[tokio::test]
async fn prune_dangling_then_all() {
    let server = TestServer::start().await;
    pull_ok(&server, "fromImage=nginx").await;
    pull_ok(&server, "fromImage=alpine").await;
    let (_, alpine) = inspect(&server, "alpine").await;
    // Move nginx:latest to alpine: the old nginx image keeps only its digest.
    server
        .post_empty(&format!("{V1}/images/alpine/tag?repo=nginx"))
        .await;
    let (status, pruned) = server.post_empty(&format!("{V1}/images/prune")).await;
    assert_eq!(status, StatusCode::OK);
    let deleted = pruned["ImagesDeleted"].as_array().expect("deleted");
    assert!(deleted[0]["Untagged"]
        .as_str()
        .is_some_and(|d| d.starts_with("nginx@sha256:")));
    assert!(deleted[1]["Deleted"].is_string());
    assert_eq!(pruned["SpaceReclaimed"], 192_000_000);
    let (_, all) = list(&server, None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    assert_eq!(all[0]["Id"], alpine["Id"]);

    let (status, body) = server
        .post_empty(&format!(
            "{V1}/images/prune?filters=%7B%22nope%22%3A%5B%22x%22%5D%7D"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(message(&body), "invalid filter 'nope'");

    let (status, pruned) = server
        .post_empty(&format!(
            "{V1}/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%7D"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let deleted = pruned["ImagesDeleted"].as_array().expect("deleted");
    assert!(deleted.contains(&json!({"Untagged": "alpine:latest"})));
    assert!(deleted.contains(&json!({"Untagged": "nginx:latest"})));
    assert!(deleted.contains(&json!({"Deleted": alpine["Id"]})));
    let (_, all) = list(&server, None).await;
    assert_eq!(all, json!([]));
}

// --- load -------------------------------------------------------------------

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

#[tokio::test]
async fn auth_accepts_credentials_only() {
    let server = TestServer::start().await;
    let (status, body) = server
        .post(
            &format!("{V1}/auth"),
            json!({"username": "u", "password": "secret", "serveraddress": "https://index.docker.io/v1/"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"Status": "Login Succeeded", "IdentityToken": ""})
    );
    let (status, _) = server
        .post(&format!("{V1}/auth"), json!({"identitytoken": "tok"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    for body in [
        json!({"username": "u"}),
        json!({"password": "p"}),
        json!({"username": "", "password": "p"}),
        json!({}),
    ] {
        let (status, reply) = server.post(&format!("{V1}/auth"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(message(&reply), "username and password are required");
    }
}
