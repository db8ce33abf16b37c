//! Failed creates and failed starts leave no state, address or port behind.

use super::*;

async fn snapshot(server: &TestServer) -> (Value, Value, Value) {
    let (_, mut containers) = server.get(&format!("{BASE}/containers?all=1")).await;
    // The human status text ("Up 1 second") moves with the clock, not the state.
    for c in containers.as_array_mut().into_iter().flatten() {
        c.as_object_mut().map(|o| o.remove("Status"));
    }
    let (_, volumes) = server.get(&format!("{BASE}/volumes")).await;
    let (_, networks) = server.get(&format!("{BASE}/networks")).await;
    let mut nets: Vec<Value> = networks
        .as_array()
        .unwrap()
        .iter()
        .map(|n| json!({"Name": n["Name"], "Containers": n["Containers"]}))
        .collect();
    nets.sort_by_key(|n| n["Name"].to_string());
    let mut vols: Vec<Value> = volumes["Volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["Name"].clone())
        .collect();
    vols.sort_by_key(|v| v.to_string());
    (containers, Value::Array(vols), Value::Array(nets))
}

#[tokio::test]
async fn a_failed_create_leaves_nothing_behind() {
    let server = TestServer::with_alpine().await;
    let (_, _) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "known"}))
        .await;
    let existing = run_sleeper(&server, Some("keep")).await;
    let _ = existing;
    let before = snapshot(&server).await;
    let attempts = [
        // A valid named volume plus an invalid bind.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "/host:relative"]}}),
        // A valid named volume plus an invalid volume name.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "b@d:/bad"]}}),
        // A valid named volume plus a Mount with an invalid source.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good"],
               "Mounts": [{"Type": "volume", "Source": "x!", "Target": "/x"}]}}),
        // A named volume and a duplicate mount point.
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good", "other:/good"]}}),
        // An unknown image.
        json!({"Image": "never-pulled", "HostConfig": {"Binds": ["goodvol:/good"]}}),
        // Volumes plus a second network for a host-mode container (403 at join).
        json!({"Image": "alpine", "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "host"},
               "NetworkingConfig": {"EndpointsConfig": {"known": {}}}}),
        // Same with the default bridge and none.
        json!({"Image": "alpine", "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "none"},
               "NetworkingConfig": {"EndpointsConfig": {"known": {}}}}),
    ];
    for (i, body) in attempts.into_iter().enumerate() {
        let name = format!("failed{i}");
        let (status, reply) = server.create_container(Some(&name), body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {reply}");
        if i == 1 {
            assert_eq!(reply, message("create b@d: \"b@d\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"));
        }
        assert_eq!(snapshot(&server).await, before, "after {body}");
        // The name was not reserved.
        let id = server
            .create_ok(Some(&name), json!({"Image": "alpine"}))
            .await;
        remove(&server, &id, "").await;
        assert_eq!(snapshot(&server).await, before);
    }
    // A name collision does not touch the existing holder or its networks.
    let (status, _) = server.create_container(Some("keep"),
        json!({"Image": "alpine", "HostConfig": {"Binds": ["goodvol:/good"], "NetworkMode": "known"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(snapshot(&server).await, before);
}

#[tokio::test]
async fn a_failed_start_holds_no_address_or_port() {
    let server = TestServer::with_alpine().await;
    let holder = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "7000"}]}}}),
    )
    .await;
    server.start_container(&holder).await;
    assert_membership(&server, "bridge", &holder, Some("172.17.0.2")).await;
    let loser = server.create_ok(Some("loser"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"81/tcp": [{"HostPort": "7001"}], "80/tcp": [{"HostPort": "7000"}]}}}),
    )
    .await;
    let (status, body) = op(&server, "loser", "start").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message("driver failed programming external connectivity on endpoint loser: Bind for 0.0.0.0:7000 failed: port is already allocated")
    );
    // Docker keeps the error, with exit code 128.
    assert_state(&server.inspect_container(&loser).await, "created", 128);
    assert_membership(&server, "bridge", &loser, None).await;
    // 7001 was not kept either: another container can take it.
    let other = server.create_ok(None,
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"], "HostConfig": {"PortBindings": {"81/tcp": [{"HostPort": "7001"}]}}}),
    )
    .await;
    server.start_container(&other).await;
    assert_membership(&server, "bridge", &other, Some("172.17.0.3")).await;
}
