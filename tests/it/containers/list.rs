//! Container list: shape, order, status text, rendering, size, health and filters.

use super::*;

#[tokio::test]
async fn list_shape_order_and_status_text() {
    let server = TestServer::with_alpine().await;
    let created = server
        .create_ok(
            Some("c1"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "Labels": {"a": "1"}}),
        )
        .await;
    let running = run_sleeper(&server, Some("c2")).await;
    let paused = run_sleeper(&server, Some("c3")).await;
    op(&server, &paused, "pause").await;
    let exited = run_sleeper(&server, Some("c4")).await;
    op(&server, &exited, "kill").await;

    // Running only (paused counts as running), newest first.
    let l = list(&server, "").await;
    assert_eq!(
        ids(&Value::Array(l.clone())),
        vec![paused.clone(), running.clone()]
    );
    let all = list(&server, "?all=true").await;
    assert_eq!(
        ids(&Value::Array(all.clone())),
        vec![
            exited.clone(),
            paused.clone(),
            running.clone(),
            created.clone()
        ]
    );
    let by_id = |id: &str| all.iter().find(|c| c["Id"] == id).unwrap().clone();
    let c = by_id(&created);
    assert_eq!(c["Names"], json!(["/c1"]));
    assert_eq!(c["Image"], "alpine");
    assert!(c["ImageID"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(c["Command"], "sleep infinity");
    assert_eq!(c["State"], "created");
    assert_eq!(c["Status"], "Created");
    assert_eq!(c["Labels"], json!({"a": "1"}));
    assert!(c["Created"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(c["HostConfig"]["NetworkMode"], "bridge");
    assert!(c["NetworkSettings"]["Networks"]["bridge"].is_object());
    assert_eq!(c["Ports"], json!([]));
    assert_eq!(c["Mounts"], json!([]));
    let status_of = |c: &Value| c["Status"].as_str().unwrap().to_string();
    let up = status_of(&by_id(&running));
    assert!(
        up == "Up Less than a second"
            || up == "Up 1 second"
            || up.starts_with("Up ") && up.ends_with(" seconds"),
        "{up}"
    );
    assert_eq!(by_id(&running)["State"], "running");
    let p = status_of(&by_id(&paused));
    assert!(p.starts_with("Up ") && p.ends_with(" (Paused)"), "{p}");
    assert_eq!(by_id(&paused)["State"], "paused");
    let e = status_of(&by_id(&exited));
    assert!(
        e == "Exited (137) Less than a second ago"
            || e == "Exited (137) 1 second ago"
            || e.starts_with("Exited (137) ") && e.ends_with(" seconds ago"),
        "{e}"
    );
    assert_eq!(by_id(&exited)["State"], "exited");
    // limit implies all.
    let l = list(&server, "?limit=2").await;
    assert_eq!(ids(&Value::Array(l)), vec![exited, paused]);
}

#[tokio::test]
async fn list_command_and_ports_as_docker_renders_them() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Entrypoint": ["/bin/sh", "-c"], "Cmd": ["sleep infinity"],
               "ExposedPorts": {"53/udp": {}},
               "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": ""}], "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}}}),
    )
    .await;
    let l = list(&server, "?all=1").await;
    assert_eq!(l[0]["Command"], "/bin/sh -c 'sleep infinity'");
    server.start_container(&id).await;
    let c = server.inspect_container(&id).await;
    let ports = &c["NetworkSettings"]["Ports"];
    let eph: u16 = ports["80/tcp"][0]["HostPort"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((32768..=60999).contains(&eph), "{eph}");
    assert_eq!(
        ports["443/tcp"],
        json!([{"HostIp": "127.0.0.1", "HostPort": "8443"}])
    );
    assert_eq!(ports["53/udp"], Value::Null);
    let l = list(&server, "").await;
    let mut got: Vec<Value> = l[0]["Ports"].as_array().unwrap().clone();
    got.sort_by_key(|p| p.to_string());
    let mut want = vec![
        json!({"PrivatePort": 53, "Type": "udp"}),
        json!({"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": eph, "Type": "tcp"}),
        json!({"IP": "::", "PrivatePort": 80, "PublicPort": eph, "Type": "tcp"}),
        json!({"IP": "127.0.0.1", "PrivatePort": 443, "PublicPort": 8443, "Type": "tcp"}),
    ];
    want.sort_by_key(|p| p.to_string());
    assert_eq!(got, want);
    // Ephemeral ports are unique among running containers; a fixed port in use is a conflict.
    let other = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"80/tcp": [{}]}}}),
    )
    .await;
    server.start_container(&other).await;
    let eph2 = server.inspect_container(&other).await["NetworkSettings"]["Ports"]["80/tcp"][0]
        ["HostPort"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(eph2, eph.to_string());
    let clash = server.create_ok(Some("clash"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}}}),
    )
    .await;
    let (status, body) = op(&server, &clash, "start").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_state(&server.inspect_container(&clash).await, "created", 128);
    // Stopping releases the ports.
    op(&server, &id, "kill").await;
    assert_eq!(
        server.inspect_container(&id).await["NetworkSettings"]["Ports"]["443/tcp"],
        Value::Null
    );
    server.start_container(&clash).await;
}

#[tokio::test]
async fn list_filters_alone_and_combined() {
    let server = TestServer::with_alpine().await;
    server.pull("busybox").await;
    let (_, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "fnet"}))
        .await;
    let net_id = net["Id"].as_str().unwrap().to_string();
    let a = server.create_ok(Some("alpha"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "Labels": {"tier": "web", "x": "1"},
               "HostConfig": {"Binds": ["vol1:/data"]}}),
    )
    .await;
    let b = server
        .create_ok(
            Some("beta"),
            json!({"Image": "busybox", "Cmd": ["sleep", "infinity"], "Labels": {"tier": "db"},
               "HostConfig": {"NetworkMode": "fnet"}}),
        )
        .await;
    let c = server
        .create_ok(
            Some("alphabet"),
            json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"], "Labels": {"tier": "web"}}),
        )
        .await;
    let d = server
        .create_ok(
            Some("delta"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
        )
        .await;
    server.start_container(&a).await;
    server.start_container(&b).await;
    op(&server, &b, "pause").await;
    let mut ws = wait_ws(&server, &c, "next-exit").await;
    server.start_container(&c).await;
    wait_result(&mut ws).await;

    let cases: Vec<(Value, Vec<&String>)> = vec![
        (json!({"id": [&a[..10]]}), vec![&a]),
        (json!({"name": ["alpha"]}), vec![&c, &a]),
        (json!({"name": ["/beta"]}), vec![&b]),
        (json!({"name": ["^alpha$"]}), vec![&a]),
        (json!({"label": ["tier"]}), vec![&c, &b, &a]),
        (json!({"label": ["tier=web"]}), vec![&c, &a]),
        (json!({"label": ["tier=web", "x"]}), vec![&a]),
        (json!({"label": {"tier=db": true}}), vec![&b]),
        (json!({"status": ["running"]}), vec![&a]),
        (json!({"status": ["paused"]}), vec![&b]),
        (json!({"status": ["created"]}), vec![&d]),
        (json!({"status": ["exited"]}), vec![&c]),
        (json!({"status": ["exited", "created"]}), vec![&d, &c]),
        (json!({"exited": ["3"]}), vec![&c]),
        (json!({"exited": ["0"]}), vec![]),
        (json!({"ancestor": ["busybox"]}), vec![&b]),
        (json!({"ancestor": ["alpine:latest"]}), vec![&d, &c, &a]),
        (json!({"network": ["fnet"]}), vec![&b]),
        (json!({"network": [&net_id]}), vec![&b]),
        (json!({"network": ["bridge"]}), vec![&d, &c, &a]),
        (json!({"volume": ["vol1"]}), vec![&a]),
        (json!({"volume": ["/data"]}), vec![&a]),
        (json!({"before": ["alphabet"]}), vec![&b, &a]),
        (json!({"since": ["beta"]}), vec![&d, &c]),
        (
            json!({"since": ["alpha"], "before": ["delta"]}),
            vec![&c, &b],
        ),
        (
            json!({"label": ["tier=web"], "status": ["running"]}),
            vec![&a],
        ),
        (
            json!({"ancestor": ["alpine"], "name": ["alpha"], "status": ["exited"]}),
            vec![&c],
        ),
        (
            json!({"network": ["bridge"], "label": ["tier"]}),
            vec![&c, &a],
        ),
        (
            json!({"id": [&a[..10], &b[..10]], "label": ["tier=db"]}),
            vec![&b],
        ),
    ];
    for (filters, want) in cases {
        let want: Vec<String> = want.into_iter().cloned().collect();
        assert_eq!(
            ids_filtered(&server, filters.clone()).await,
            want,
            "{filters}"
        );
    }
    // Without all, status/exited filters still see stopped containers.
    let (_, l) = list_filtered(&server, false, json!({"status": ["exited"]})).await;
    assert_eq!(ids(&l), vec![c.clone()]);
    let (_, l) = list_filtered(&server, false, json!({"label": ["tier=web"]})).await;
    assert_eq!(ids(&l), vec![a.clone()]);

    // Errors.
    for (filters, msg) in [
        (json!({"bogus": ["x"]}), "invalid filter 'bogus'"),
        (
            json!({"status": ["sleeping"]}),
            "invalid filter 'status=sleeping'",
        ),
        (
            json!({"exited": ["x"]}),
            "invalid filter 'exited=x': strconv.Atoi: parsing \"x\": invalid syntax",
        ),
    ] {
        let (status, body) = list_filtered(&server, true, filters.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filters}");
        assert_eq!(body, message(msg), "{filters}");
    }
    let (status, body) = server
        .get(&format!(
            "{BASE}/containers?filters={}",
            percent_encode("{not json")
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("invalid filter"));
    let (status, body) = list_filtered(&server, true, json!({"before": ["nope"]})).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: nope"))
    );
}

#[tokio::test]
async fn list_size_health_status_and_auto_remove() {
    let server = TestServer::with_alpine().await;
    let id = run_sleeper(&server, None).await;
    let l = list(&server, "?size=1").await;
    assert_eq!(l[0]["SizeRw"], 0);
    let (_, image) = server.get(&format!("{BASE}/images/alpine")).await;
    assert_eq!(l[0]["SizeRootFs"], image["Size"]);
    let l = list(&server, "").await;
    assert!(l[0].get("SizeRw").is_none());
    let _ = id;

    // A healthcheck shows in the Status text.
    let h = server
        .create_ok(
            None,
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 50_000_000u64}}),
        )
        .await;
    server.start_container(&h).await;
    let status = eventually(T, || {
        let server = &server;
        let h = h.clone();
        async move {
            let l = list(server, "").await;
            let c = l.iter().find(|c| c["Id"] == h.as_str())?.clone();
            let s = c["Status"].as_str()?.to_string();
            s.ends_with("(healthy)").then_some(s)
        }
    })
    .await;
    assert!(status.starts_with("Up "), "{status}");
    assert_eq!(
        server.inspect_container(&h).await["State"]["Health"]["Status"],
        "healthy"
    );

    // AutoRemove: the container goes away when it exits; removed waiters wake.
    let id = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"], "HostConfig": {"AutoRemove": true}}),
    )
    .await;
    let mut removed = wait_ws(&server, &id, "removed").await;
    server.start_container(&id).await;
    assert_eq!(
        wait_result(&mut removed).await,
        json!({"StatusCode": 3, "Error": null})
    );
    let (status, _) = server.get(&format!("{BASE}/containers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
