//! Container rename, remove and prune.

use super::*;

#[tokio::test]
async fn rename_errors() {
    let server = TestServer::with_alpine().await;
    let a = create_sleeper(&server, Some("aa")).await;
    create_sleeper(&server, Some("bb")).await;
    let (status, body) = op(&server, "aa", "rename?name=bb").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, message(&format!("Error when allocating new name: Conflict. The container name \"/bb\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.", server.inspect_container("bb").await["Id"].as_str().unwrap())));
    let (status, body) = op(&server, "aa", "rename?name=aa").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("Renaming a container with the same name as its current name")
    );
    let (status, body) = op(&server, "aa", "rename?name=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, message("Neither old nor new names may be empty"));
    let (status, body) = op(&server, "aa", "rename?name=b%20d").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        message("Error when allocating new name: Invalid container name (/b d), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    );
    assert_eq!(server.inspect_container("aa").await["Id"], a);
    // Rename updates the network's view of the container.
    server.start_container("aa").await;
    let (status, _) = op(&server, "aa", "rename?name=%2Fcc").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, bridge) = server.get(&format!("{BASE}/networks/bridge")).await;
    assert_eq!(bridge["Containers"][&a]["Name"], "cc");
    // The old name is free.
    create_sleeper(&server, Some("aa")).await;
}

// ---------------------------------------------------------------- remove & prune

#[tokio::test]
async fn remove_releases_everything() {
    let server = TestServer::with_alpine().await;
    let id = server.create_ok(Some("rm"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "Volumes": {"/anon": {}},
               "HostConfig": {"Binds": ["named:/named"], "PortBindings": {"80/tcp": [{"HostPort": "9090"}]}}}),
    )
    .await;
    server.start_container(&id).await;
    let c = server.inspect_container(&id).await;
    let anon = c["Mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Destination"] == "/anon")
        .expect("anonymous mount")["Name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(anon.len(), 64);
    let (status, exec) = server
        .post(
            &format!("{BASE}/containers/{id}/exec"),
            json!({"Cmd": ["sleep", "infinity"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{exec}");
    let exec_id = exec["Id"].as_str().unwrap().to_string();
    let (status, _) = remove(&server, &id, "?force=1&v=1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.get(&format!("{BASE}/exec/{exec_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, message(&format!("No such exec instance: {exec_id}")));
    let (status, _) = server.get(&format!("{BASE}/volumes/{anon}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "anonymous volume removed with v"
    );
    let (status, _) = server.get(&format!("{BASE}/volumes/named")).await;
    assert_eq!(status, StatusCode::OK, "named volumes stay");
    let (status, _) = server.delete(&format!("{BASE}/volumes/named")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "no reference left");
    let (_, bridge) = server.get(&format!("{BASE}/networks/bridge")).await;
    assert_eq!(bridge["Containers"], json!({}));
    // Name and host port are free again.
    let again = server
        .create_ok(
            Some("rm"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "9090"}]}}}),
        )
        .await;
    server.start_container(&again).await;
    // Without v the anonymous volume stays (unreferenced).
    let id = server
        .create_ok(None, json!({"Image": "alpine", "Volumes": {"/anon": {}}}))
        .await;
    let anon = server.inspect_container(&id).await["Mounts"][0]["Name"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = remove(&server, &id, "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = server.get(&format!("{BASE}/volumes/{anon}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn prune_removes_stopped_only() {
    let server = TestServer::with_alpine().await;
    let running = run_sleeper(&server, None).await;
    let created = create_sleeper(&server, None).await;
    let exited = run_sleeper(&server, None).await;
    op(&server, &exited, "kill").await;
    let labelled = server
        .create_ok(None, json!({"Image": "alpine", "Labels": {"keep": "yes"}}))
        .await;
    let (status, body) = server
        .post_empty(&format!(
            "{BASE}/containers/prune?filters={}",
            percent_encode(r#"{"label!":["keep"]}"#)
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sorted(
            body["ContainersDeleted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        ),
        sorted(vec![created, exited])
    );
    assert_eq!(body["SpaceReclaimed"], 0);
    assert_eq!(
        sorted(ids(&Value::Array(list(&server, "?all=1").await))),
        sorted(vec![running, labelled.clone()])
    );
    let (status, body) = server.post_empty(&format!("{BASE}/containers/prune")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ContainersDeleted"], json!([labelled]));
    let (status, body) = server
        .post_empty(&format!(
            "{BASE}/containers/prune?filters={}",
            percent_encode(r#"{"bogus":["x"]}"#)
        ))
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, message("invalid filter 'bogus'"))
    );
}
