//! How containers hold network memberships, IPs and aliases across the lifecycle.

use super::*;

#[tokio::test]
async fn bridge_membership_and_ips_follow_the_lifecycle() {
    let server = TestServer::with_alpine().await;
    let a = create_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &a, None).await;
    let c = server.inspect_container(&a).await;
    assert_eq!(c["NetworkSettings"]["IPAddress"], "");
    server.start_container(&a).await;
    assert_membership(&server, "bridge", &a, Some("172.17.0.2")).await;
    let c = server.inspect_container(&a).await;
    assert_eq!(c["NetworkSettings"]["IPAddress"], "172.17.0.2");
    assert_eq!(c["NetworkSettings"]["Gateway"], "172.17.0.1");
    assert_eq!(
        c["NetworkSettings"]["Networks"]["bridge"]["Gateway"],
        "172.17.0.1"
    );
    let b = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &b, Some("172.17.0.3")).await;
    // Stop releases the address, the membership stays.
    op(&server, &a, "stop").await;
    assert_membership(&server, "bridge", &a, None).await;
    // The released address is reused.
    let c3 = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &c3, Some("172.17.0.2")).await;
    server.start_container(&a).await;
    assert_membership(&server, "bridge", &a, Some("172.17.0.4")).await;
    // Remove forgets the membership on both sides.
    remove(&server, &b, "?force=1").await;
    assert_not_member(&server, "bridge", &b).await;
    let d = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &d, Some("172.17.0.3")).await;
    // Disconnect forgets it too.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/disconnect"),
            json!({"Container": d}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_not_member(&server, "bridge", &d).await;
    assert_eq!(
        server.inspect_container(&d).await["NetworkSettings"]["IPAddress"],
        ""
    );
    let e = run_sleeper(&server, None).await;
    assert_membership(&server, "bridge", &e, Some("172.17.0.3")).await;
}

#[tokio::test]
async fn custom_networks_aliases_and_connect_disconnect() {
    let server = TestServer::with_alpine().await;
    let (status, net) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "appnet"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let net_id = net["Id"].as_str().unwrap().to_string();
    let (_, other) = server
        .post(&format!("{BASE}/networks"), json!({"Name": "other"}))
        .await;
    let _ = other;
    let id = server.create_ok(Some("svc"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "HostConfig": {"NetworkMode": "appnet"},
               "NetworkingConfig": {"EndpointsConfig": {"appnet": {"Aliases": ["db", "pg"]}, "other": {}}}}),
    )
    .await;
    let c = server.inspect_container("svc").await;
    assert_eq!(c["HostConfig"]["NetworkMode"], "appnet");
    let nets = c["NetworkSettings"]["Networks"].as_object().unwrap();
    assert_eq!(nets.keys().collect::<Vec<_>>(), ["appnet", "other"]);
    assert_eq!(nets["appnet"]["Aliases"], json!(["db", "pg"]));
    // Docker fills the endpoint when the container first starts.
    assert_eq!(nets["appnet"]["NetworkID"], "");
    assert_not_member(&server, "bridge", &id).await;
    server.start_container("svc").await;
    let c = server.inspect_container("svc").await;
    assert_eq!(
        c["NetworkSettings"]["Networks"]["appnet"]["NetworkID"],
        net_id
    );
    assert_membership(&server, "appnet", &id, Some("172.18.0.2")).await;
    assert_membership(&server, "other", &id, Some("172.19.0.2")).await;
    // Top-level addresses are the default bridge's: none here.
    assert_eq!(
        server.inspect_container("svc").await["NetworkSettings"]["IPAddress"],
        ""
    );

    // Connect a running container: it gets an address at once.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/connect"),
            json!({"Container": "svc", "EndpointConfig": {"Aliases": ["x"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, Value::Null);
    assert_membership(&server, "bridge", &id, Some("172.17.0.2")).await;
    assert_eq!(
        server.inspect_container("svc").await["NetworkSettings"]["IPAddress"],
        "172.17.0.2"
    );
    // Twice is 403.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/bridge/connect"),
            json!({"Container": &id[..12]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        message("endpoint with name svc already exists in network bridge")
    );
    // Unknown container / network.
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/appnet/connect"),
            json!({"Container": "ghost"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("No such container: ghost"))
    );
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/ghostnet/connect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, message("network ghostnet not found"))
    );
    // A network with a member cannot be removed; after disconnect it can.
    let (status, body) = server.delete(&format!("{BASE}/networks/appnet")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        message(&format!(
            "error while removing network: network appnet id {net_id} has active endpoints"
        ))
    );
    let (status, body) = server
        .post(
            &format!("{BASE}/networks/appnet/disconnect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    assert_not_member(&server, "appnet", &id).await;
    let (status, _) = server
        .post(
            &format!("{BASE}/networks/appnet/disconnect"),
            json!({"Container": "svc"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server.delete(&format!("{BASE}/networks/appnet")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Connect a created container: configured, a member only from its start.
    let created = create_sleeper(&server, Some("later")).await;
    let (status, _) = server
        .post(
            &format!("{BASE}/networks/other/connect"),
            json!({"Container": "later"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_membership(&server, "other", &created, None).await;
    server.start_container("later").await;
    assert_membership(&server, "other", &created, Some("172.19.0.3")).await;
    assert_membership(&server, "bridge", &created, Some("172.17.0.3")).await;
    // list's network filter sees connects.
    assert_eq!(
        sorted(ids_filtered(&server, json!({"network": ["other"]})).await),
        sorted(vec![id.clone(), created.clone()])
    );
    // Remove releases the network so it can go.
    remove(&server, "svc", "?force=1").await;
    remove(&server, "later", "?force=1").await;
    assert_eq!(network(&server, "other").await["Containers"], json!({}));
    let (status, _) = server.delete(&format!("{BASE}/networks/other")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
