//! Black-box tests of the volume routes.

use crate::common::*;
use http::StatusCode;
use serde_json::{json, Value};

async fn list_names(server: &TestServer, filters: Option<Value>) -> (StatusCode, Value) {
    let path = match filters {
        Some(f) => format!("{BASE}/volumes?filters={}", percent_encode(&f.to_string())),
        None => format!("{BASE}/volumes"),
    };
    let (status, body) = server.get(&path).await;
    if status != StatusCode::OK {
        return (status, body);
    }
    let mut names: Vec<String> = body["Volumes"]
        .as_array()
        .expect("Volumes array")
        .iter()
        .map(|v| v["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    (status, json!(names))
}

#[tokio::test]
async fn create_inspect_list_remove() {
    let server = TestServer::start().await;
    let (status, empty) = server.get(&format!("{BASE}/volumes")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty, json!({"Volumes": [], "Warnings": []}));

    let (status, v) = server
        .create_volume(
            json!({"Name": "data", "Labels": {"app": "db"}, "DriverOpts": {"size": "1g"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(v["Name"], "data");
    assert_eq!(v["Driver"], "local");
    assert_eq!(v["Mountpoint"], "/var/lib/docker/volumes/data/_data");
    assert_eq!(v["Labels"], json!({"app": "db"}));
    assert_eq!(v["Options"], json!({"size": "1g"}));
    assert_eq!(v["Scope"], "local");
    let created = v["CreatedAt"].as_str().unwrap();
    assert_eq!(created.len(), 20, "RFC 3339 seconds: {created}");
    assert!(created.ends_with('Z'));

    let (status, inspected) = server.get(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inspected, v);

    // idempotent: same name again gives the existing volume
    let (status, again) = server
        .create_volume(json!({"Name": "data", "Labels": {"other": "x"}}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, v);

    // no labels/options: {} never null
    let (_, bare) = server.create_volume(json!({"Name": "bare"})).await;
    assert_eq!(bare["Labels"], json!({}));
    assert_eq!(bare["Options"], json!({}));

    let (status, body) = server.get(&format!("{BASE}/volumes")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["Warnings"], json!([]));
    assert_eq!(body["Volumes"].as_array().unwrap().len(), 2);

    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = server.get(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("get data: no such volume"));
    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("get data: no such volume"));
    let (status, _) = server
        .delete(&format!("{BASE}/volumes/data?force=true"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.delete(&format!("{BASE}/volumes/data?force=1")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, names) = list_names(&server, None).await;
    assert_eq!(names, json!(["bare"]));
}

#[tokio::test]
async fn generated_names() {
    let server = TestServer::start().await;
    for body in [json!({}), json!({"Name": ""}), json!({"Name": null})] {
        let (status, v) = server.create_volume(body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let name = v["Name"].as_str().unwrap();
        assert_eq!(name.len(), 64, "{body}");
        assert!(name.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(v["Labels"], json!({"com.docker.volume.anonymous": ""}));
    }
    // a body-less create works too
    let (status, v) = server.post_empty(&format!("{BASE}/volumes")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(v["Name"].as_str().unwrap().len(), 64);
    let (_, names) = list_names(&server, None).await;
    assert_eq!(names.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn invalid_names_and_drivers_change_nothing() {
    let server = TestServer::start().await;
    let too_short = |n: &str| {
        format!(
            "create {n}: volume name is too short, names should be at least two alphanumeric characters"
        )
    };
    let invalid = |n: &str| {
        format!(
            "create {n}: \"{n}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        )
    };
    let cases = [
        (
            json!({"Name": "x"}),
            StatusCode::BAD_REQUEST,
            too_short("x"),
        ),
        (
            json!({"Name": "a b"}),
            StatusCode::BAD_REQUEST,
            invalid("a b"),
        ),
        (
            json!({"Name": "_ab"}),
            StatusCode::BAD_REQUEST,
            invalid("_ab"),
        ),
        (
            json!({"Name": "/host/dir"}),
            StatusCode::BAD_REQUEST,
            invalid("/host/dir"),
        ),
        (
            json!({"Name": "ok", "Driver": "nfs"}),
            StatusCode::NOT_FOUND,
            "create ok: error looking up volume plugin nfs: plugin \"nfs\" not found".to_string(),
        ),
    ];
    for (body, want_status, want) in cases {
        let (status, got) = server.create_volume(body.clone()).await;
        assert_eq!(status, want_status, "{body}");
        assert_eq!(got, message(&want), "{body}");
    }
    let (_, names) = list_names(&server, None).await;
    assert_eq!(names, json!([]));
    let (status, v) = server
        .create_volume(json!({"Name": "a.b_c-1", "Driver": "local"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(v["Name"], "a.b_c-1");
}

#[tokio::test]
async fn list_filters() {
    let server = TestServer::start().await;
    for (name, labels) in [
        ("web-data", json!({"tier": "web"})),
        ("db-data", json!({"tier": "db"})),
        ("cache", json!({})),
    ] {
        let (status, _) = server
            .create_volume(json!({"Name": name, "Labels": labels}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let cases = [
        (json!({"name": ["data"]}), json!(["db-data", "web-data"])),
        (json!({"name": ["cache"]}), json!(["cache"])),
        (json!({"label": ["tier"]}), json!(["db-data", "web-data"])),
        (json!({"label": ["tier=web"]}), json!(["web-data"])),
        (json!({"label": {"tier=db": true}}), json!(["db-data"])),
        (
            json!({"driver": ["local"]}),
            json!(["cache", "db-data", "web-data"]),
        ),
        (json!({"driver": ["nfs"]}), json!([])),
        (
            json!({"dangling": ["true"]}),
            json!(["cache", "db-data", "web-data"]),
        ),
        (json!({"dangling": ["0"]}), json!([])),
    ];
    for (filters, want) in cases {
        let (status, got) = list_names(&server, Some(filters.clone())).await;
        assert_eq!(status, StatusCode::OK, "{filters}");
        assert_eq!(got, want, "{filters}");
    }
    let bad = [
        (json!({"bogus": ["x"]}), "invalid filter 'bogus'"),
        (
            json!({"dangling": ["maybe"]}),
            "invalid filter 'dangling=[maybe]'",
        ),
    ];
    for (filters, want) in bad {
        let (status, got) = list_names(&server, Some(filters.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filters}");
        assert_eq!(got, message(want), "{filters}");
    }
}

#[tokio::test]
async fn prune_anonymous_unless_all() {
    let server = TestServer::start().await;
    let (_, anon) = server.create_volume(json!({})).await;
    let anon = anon["Name"].as_str().unwrap().to_string();
    server
        .create_volume(json!({"Name": "named", "Labels": {"keep": "no"}}))
        .await;
    server
        .create_volume(json!({"Name": "kept", "Labels": {"keep": "yes"}}))
        .await;

    let (status, body) = server.post_empty(&format!("{BASE}/volumes/prune")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"VolumesDeleted": [anon], "SpaceReclaimed": 0}));
    let q = percent_encode(&json!({"all": ["true"], "label": ["keep=no"]}).to_string());
    let (status, body) = server
        .post_empty(&format!("{BASE}/volumes/prune?filters={q}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"VolumesDeleted": ["named"], "SpaceReclaimed": 0})
    );
    let q = percent_encode(&json!({"bogus": ["x"]}).to_string());
    let (status, body) = server
        .post_empty(&format!("{BASE}/volumes/prune?filters={q}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid filter 'bogus'"));
    let q = percent_encode(&json!({"all": ["1"]}).to_string());
    let (_, body) = server
        .post_empty(&format!("{BASE}/volumes/prune?filters={q}"))
        .await;
    assert_eq!(
        body,
        json!({"VolumesDeleted": ["kept"], "SpaceReclaimed": 0})
    );
    let (_, names) = list_names(&server, None).await;
    assert_eq!(names, json!([]));
}
