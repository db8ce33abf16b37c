//! Image list filters, tag, remove and prune.

use super::*;

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
        // Docker counts containers only for `system df`.
        assert_eq!(i["Containers"], -1);
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
            "invalid filter 'dangling=[maybe]'",
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
    use sockerless::memory::intern::Shared;
    backend.store().containers.put(
        id.to_string(),
        ContainerRecord {
            id: id.into(),
            name: format!("/c{}", &id[..4]),
            created: SystemTime::now(),
            seq: 0,
            image: "nginx".into(),
            image_id: image_id.to_string(),
            config: Default::default(),
            host_config: Default::default(),
            path: Shared::new("nginx".into()),
            args: Default::default(),
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
    assert_eq!(listed[0]["Containers"], -1, "counted only by system df");

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
