//! Container create: errors, stored body and image config merge, names, and references by ID prefix and name.

use super::*;

#[tokio::test]
async fn create_errors_in_dockers_words() {
    let server = TestServer::with_alpine().await;
    let (status, body) = server.create_container(None, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("config cannot be empty in order to create a container")
    );
    let r = server
        .call(http::Method::POST, &format!("{BASE}/containers"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json(),
        message("config cannot be empty in order to create a container")
    );
    let (status, body) = server
        .create_container(None, json!({"Image": "", "Cmd": []}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("no command specified"));
    for bad in ["a", "-x", "with space", "bad/slash", "ü-x", "_lead"] {
        let (status, body) = server
            .create_container(Some(bad), json!({"Image": "alpine"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            body,
            message(&format!(
                "Invalid container name ({bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )),
            "{bad}"
        );
    }
    let (status, body) = server
        .create_container(None, json!({"Image": "busybox"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message("No such image: busybox:latest"));
    // Networks are looked up at start, as Docker does.
    for (name, body, missing) in [
        (
            "nonet-c",
            json!({"Image": "alpine", "HostConfig": {"NetworkMode": "nonet"}}),
            "nonet",
        ),
        (
            "nonet2-c",
            json!({"Image": "alpine", "NetworkingConfig": {"EndpointsConfig": {"nonet2": {}}}}),
            "nonet2",
        ),
    ] {
        let (status, reply) = server.create_container(Some(name), body).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let r = server
            .call(
                http::Method::POST,
                &format!("{BASE}/containers/{name}/start"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json(), message(&format!("network {missing} not found")));
        let r = server
            .call(
                http::Method::DELETE,
                &format!("{BASE}/containers/{name}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    let (status, body) = server
        .create_container(None, json!({"Image": "alpine", "WorkingDir": "rel/dir"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("the working directory 'rel/dir' is invalid, it needs to be an absolute path")
    );
    let (status, body) = server.create_container(None,
        json!({"Image": "alpine", "HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 3}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Malformed bodies.
    let r = server
        .send(
            http::Request::post(format!("{BASE}/containers"))
                .header("host", "localhost")
                .header("content-type", "application/json")
                .body(http_body_util::Full::new(bytes::Bytes::from_static(
                    b"{\"Image\":",
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON: "),
        "{}",
        r.text()
    );
    let (status, body) = server
        .create_container(None, json!({"Image": "alpine", "Env": "notalist"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Name in use: the message names the holder.
    let holder = create_sleeper(&server, Some("taken")).await;
    for name in ["taken", "/taken"] {
        let (status, body) = server
            .create_container(Some(name), json!({"Image": "alpine"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body, message(&format!("Conflict. The container name \"/taken\" is already in use by container \"{holder}\". You have to remove (or rename) that container to be able to reuse that name.")));
    }
    // Nothing was left behind by any of these.
    let all = list(&server, "?all=1").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["Names"], json!(["/taken"]));
}

#[tokio::test]
async fn create_stores_the_body_and_merges_the_image_config() {
    let server = TestServer::with_alpine().await;
    server.pull("nginx").await;
    let body = json!({
        "Image": "nginx",
        "Env": ["A=1", "NGINX_VERSION=override"],
        "Labels": {"l1": "v1"},
        "User": "101",
        "Tty": true,
        "OpenStdin": true,
        "StdinOnce": true,
        "AttachStdin": true,
        "AttachStdout": true,
        "AttachStderr": true,
        "ExposedPorts": {"8080/tcp": {}},
        "WorkingDir": "/srv",
        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000u64},
        "HostConfig": {
            "Binds": ["/host:/data:ro"],
            "Memory": 8388608,
            "CpuShares": 512,
            "Privileged": true,
            "CapAdd": ["NET_ADMIN"],
            "ExtraHosts": ["h:1.2.3.4"],
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
            "PortBindings": {"80/tcp": [{"HostPort": "8081"}]},
            "LogConfig": {"Type": "json-file", "Config": {}},
        },
    });
    let id = server.create_ok(Some("web"), body).await;
    let c = server.inspect_container("web").await;
    let cfg = &c["Config"];
    let env: Vec<&str> = cfg["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(env.iter().any(|e| e.starts_with("PATH=")), "{env:?}");
    assert!(env.contains(&"A=1"));
    assert!(env.contains(&"NGINX_VERSION=override"));
    assert_eq!(
        env.iter()
            .filter(|e| e.starts_with("NGINX_VERSION="))
            .count(),
        1
    );
    assert_eq!(cfg["Image"], "nginx");
    assert_eq!(cfg["Labels"]["l1"], "v1");
    assert_eq!(cfg["User"], "101");
    assert_eq!(cfg["Tty"], true);
    assert_eq!(cfg["OpenStdin"], true);
    assert_eq!(cfg["StdinOnce"], true);
    assert_eq!(cfg["AttachStdin"], true);
    assert_eq!(cfg["WorkingDir"], "/srv");
    assert!(cfg["ExposedPorts"].get("8080/tcp").is_some());
    assert!(
        cfg["ExposedPorts"].get("80/tcp").is_some(),
        "image ports kept"
    );
    assert_eq!(cfg["Healthcheck"]["Test"], json!(["CMD", "true"]));
    assert_eq!(cfg["Hostname"], &id[..12]);
    assert_eq!(cfg["Entrypoint"], json!(["/docker-entrypoint.sh"]));
    assert_eq!(cfg["Cmd"], json!(["nginx", "-g", "daemon off;"]));
    assert_eq!(c["Path"], "/docker-entrypoint.sh");
    assert_eq!(c["Args"], json!(["nginx", "-g", "daemon off;"]));
    let hc = &c["HostConfig"];
    assert_eq!(hc["Binds"], json!(["/host:/data:ro"]));
    assert_eq!(hc["Memory"], 8388608);
    assert_eq!(hc["CpuShares"], 512);
    assert_eq!(hc["Privileged"], true);
    assert_eq!(hc["CapAdd"], json!(["NET_ADMIN"]));
    assert_eq!(hc["ExtraHosts"], json!(["h:1.2.3.4"]));
    assert_eq!(
        hc["RestartPolicy"],
        json!({"Name": "on-failure", "MaximumRetryCount": 2})
    );
    assert_eq!(hc["NetworkMode"], "bridge");
    assert_eq!(c["State"]["Health"]["Status"], "none");
    assert_eq!(c["Mounts"][0]["Type"], "bind");
    assert_eq!(c["Mounts"][0]["Source"], "/host");
    assert_eq!(c["Mounts"][0]["Destination"], "/data");
    assert_eq!(c["Mounts"][0]["RW"], false);
    // Not running: ports are listed without bindings.
    assert_eq!(c["NetworkSettings"]["Ports"]["80/tcp"], Value::Null);
    server.start_container("web").await;
    let c = server.inspect_container("web").await;
    assert_eq!(
        c["NetworkSettings"]["Ports"]["80/tcp"],
        json!([{"HostIp": "0.0.0.0", "HostPort": "8081"}, {"HostIp": "::", "HostPort": "8081"}])
    );
    assert_eq!(c["State"]["Health"]["Status"], "starting");
    // A container with no healthcheck has no Health.
    let plain = create_sleeper(&server, None).await;
    assert!(server.inspect_container(&plain).await["State"]
        .get("Health")
        .is_none());
}

#[tokio::test]
async fn cmd_and_entrypoint_as_strings_and_nulls() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": "sleep infinity", "Env": null, "Labels": null, "HostConfig": null, "NetworkingConfig": null}),
    )
    .await;
    let c = server.inspect_container(&id).await;
    assert_eq!(c["Config"]["Cmd"], json!(["sleep infinity"]));
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Entrypoint": "/bin/echo", "Cmd": ["hi"]}),
        )
        .await;
    let c = server.inspect_container(&id).await;
    assert_eq!(c["Path"], "/bin/echo");
    assert_eq!(c["Args"], json!(["hi"]));
}

#[tokio::test]
async fn generated_names_are_docker_style() {
    let server = TestServer::with_alpine().await;
    let mut seen = BTreeSet::new();
    for _ in 0..5 {
        let id = server.create_ok(None, json!({"Image": "alpine"})).await;
        let name = server.inspect_container(&id).await["Name"]
            .as_str()
            .unwrap()
            .to_string();
        let bare = name.strip_prefix('/').expect("leading /");
        let (left, right) = bare.split_once('_').expect("adjective_surname");
        assert!(
            !left.is_empty() && left.chars().all(|c| c.is_ascii_lowercase()),
            "{bare}"
        );
        assert!(
            !right.is_empty()
                && right
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{bare}"
        );
        assert!(seen.insert(bare.to_string()));
        // The generated name resolves.
        assert_eq!(server.inspect_container(bare).await["Id"], id);
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_name_one_wins() {
    let server = Arc::new(TestServer::with_alpine().await);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            server
                .create_container(Some("race"), json!({"Image": "alpine"}))
                .await
        }));
    }
    let mut created = Vec::new();
    let mut conflicts = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body["Id"].as_str().unwrap().to_string()),
            StatusCode::CONFLICT => conflicts.push(body),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1);
    assert_eq!(conflicts.len(), 15);
    let winner = &created[0];
    for body in conflicts {
        assert_eq!(body, message(&format!("Conflict. The container name \"/race\" is already in use by container \"{winner}\". You have to remove (or rename) that container to be able to reuse that name.")));
    }
    assert_eq!(list(&server, "?all=1").await.len(), 1);
    assert_eq!(server.inspect_container("race").await["Id"], *winner);
}

// ---------------------------------------------------------------- references

#[tokio::test]
async fn references_by_id_prefix_and_name() {
    let server = TestServer::with_alpine().await;
    let id = create_sleeper(&server, Some("refme")).await;
    for r in [
        id.clone(),
        id[..12].to_string(),
        id[..3].to_string(),
        "refme".into(),
        "%2Frefme".into(),
    ] {
        assert_eq!(server.inspect_container(&r).await["Id"], id, "{r}");
    }
    // Create until two IDs share a first hex character.
    let mut ids = vec![id];
    let prefix = loop {
        let new = create_sleeper(&server, None).await;
        if let Some(other) = ids.iter().find(|i| i[..1] == new[..1]) {
            let _ = other;
            break new[..1].to_string();
        }
        ids.push(new);
    };
    let (status, body) = server.get(&format!("{BASE}/containers/{prefix}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "multiple IDs found with provided prefix: {prefix}"
        ))
    );
    let (status, body) = op(&server, &prefix, "start").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message(&format!(
            "multiple IDs found with provided prefix: {prefix}"
        ))
    );
    // A name that looks like a prefix wins over the prefix.
    let named = create_sleeper(&server, Some(&format!("{prefix}{prefix}"))).await;
    assert_eq!(
        server.inspect_container(&format!("{prefix}{prefix}")).await["Id"],
        named
    );
}
