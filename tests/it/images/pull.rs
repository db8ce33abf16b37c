//! Image pull: progress, spellings, short IDs, determinism, errors, platform/auth, catalogue.

use super::*;

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
