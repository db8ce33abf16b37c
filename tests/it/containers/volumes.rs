//! How container references to volumes block volume removal.

use super::*;

#[tokio::test]
async fn volume_references_block_removal_until_the_container_is_gone() {
    let server = TestServer::with_alpine().await;
    let id = server
        .create_ok(
            None,
            json!({"Image": "alpine", "HostConfig": {"Binds": ["data:/data"],
               "Mounts": [{"Type": "volume", "Source": "more", "Target": "/more"}]}}),
        )
        .await;
    for v in ["data", "more"] {
        let (status, _) = server.get(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::OK, "{v} created by the container");
        let (status, body) = server.delete(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            body,
            message(&format!("remove {v}: volume is in use - [{id}]"))
        );
    }
    let c = server.inspect_container(&id).await;
    let m = &c["Mounts"][0];
    assert_eq!(m["Type"], "volume");
    assert_eq!(m["Name"], "data");
    assert_eq!(m["Source"], "/var/lib/docker/volumes/data/_data");
    assert_eq!(m["Destination"], "/data");
    assert_eq!(m["Driver"], "local");
    assert_eq!(m["RW"], true);
    // A second container on the same volume.
    let id2 = server
        .create_ok(
            None,
            json!({"Image": "alpine", "HostConfig": {"Binds": ["data:/d:ro"]}}),
        )
        .await;
    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.starts_with("remove data: volume is in use - ["),
        "{msg}"
    );
    assert!(msg.contains(&id) && msg.contains(&id2), "{msg}");
    remove(&server, &id, "").await;
    let (status, body) = server.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        message(&format!("remove data: volume is in use - [{id2}]"))
    );
    remove(&server, &id2, "").await;
    for v in ["data", "more"] {
        let (status, _) = server.delete(&format!("{BASE}/volumes/{v}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    }
}
