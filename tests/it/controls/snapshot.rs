//! State snapshots: round trips and invalid snapshots.

use super::*;

async fn populated() -> TestServer {
    let s = TestServer::start().await;
    s.pull("alpine").await;
    let (st, _) = s
        .post(&format!("{BASE}/networks"), json!({"Name": "app"}))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    s.create_ok(
        Some("db"),
        json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
               "HostConfig": {"NetworkMode": "app", "Binds": ["data:/data"]}}),
    )
    .await;
    s.start_container("db").await;
    s.create_ok(
        Some("once"),
        json!({"Image": "alpine", "Cmd": ["sh", "-c", "exit 3"]}),
    )
    .await;
    let mut w = s
        .ws(&format!("{BASE}/containers/once/wait?condition=next-exit"))
        .await;
    s.start_container("once").await;
    assert_eq!(wait_message(&mut w).await["StatusCode"], 3);
    s
}

#[tokio::test]
async fn a_snapshot_round_trips_through_a_fresh_server() {
    let a = populated().await;
    let (st, doc) = a.get(&format!("{MEM}/state")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(doc["containers"].as_array().unwrap().len(), 2);
    let b = TestServer::start().await;
    let r = b
        .call(Method::PUT, &format!("{MEM}/state"), Some(doc.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let (_, again) = b.get(&format!("{MEM}/state")).await;
    assert_eq!(doc, again);
    // The loaded state is live: the running container runs and can be stopped,
    // the network knows its member, the volume its user.
    assert_eq!(b.state("db").await["Status"], "running");
    let (_, net) = b.get(&format!("{BASE}/networks/app")).await;
    assert_eq!(net["Containers"].as_object().unwrap().len(), 1);
    let (st, _) = b.delete(&format!("{BASE}/volumes/data")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = b.post_empty(&format!("{BASE}/containers/db/stop")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(b.state("db").await["ExitCode"], 143);
    // The names are taken.
    let (st, _) = b
        .post(
            &format!("{BASE}/containers?name=once"),
            json!({"Image": "alpine"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_invalid_snapshot_is_400_and_changes_nothing() {
    let s = populated().await;
    let (_, before) = s.get(&format!("{MEM}/state")).await;
    let db_id = before["containers"][0]["id"].as_str().unwrap().to_string();

    let mut bad_cases = Vec::new();
    // An unknown field.
    let mut d = before.clone();
    d["extra"] = json!(1);
    bad_cases.push(("unknown field", d));
    // An unknown field inside a record.
    let mut d = before.clone();
    d["volumes"][0]["colour"] = json!("red");
    bad_cases.push(("unknown record field", d));
    // A network member naming no container.
    let mut d = before.clone();
    let nets = d["networks"].as_array_mut().unwrap();
    let app = nets.iter_mut().find(|n| n["name"] == "app").unwrap();
    let member = app["members"][&db_id].clone();
    app["members"]["f00d"] = member;
    bad_cases.push(("dangling member", d));
    // A volume reference to no container.
    let mut d = before.clone();
    d["volumes"][0]["refs"] = json!(["nobody"]);
    bad_cases.push(("dangling volume ref", d));
    // Duplicate names.
    let mut d = before.clone();
    let name = d["containers"][0]["name"].clone();
    d["containers"][1]["name"] = name;
    bad_cases.push(("duplicate name", d));
    // Names the API never accepts: a volume's makes its Mountpoint.
    for bad in ["../../etc", "a/b", "", "x"] {
        let mut d = before.clone();
        let mut vol = d["volumes"][0].clone();
        vol["name"] = json!(bad);
        vol["refs"] = json!([]);
        d["volumes"].as_array_mut().unwrap().push(vol);
        bad_cases.push(("bad volume name", d));
    }
    let mut d = before.clone();
    d["containers"][1]["name"] = json!("/../x");
    bad_cases.push(("bad container name", d));

    for (what, doc) in bad_cases {
        let r = s
            .call(Method::PUT, &format!("{MEM}/state"), Some(doc))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.text());
        let (_, now) = s.get(&format!("{MEM}/state")).await;
        assert_eq!(now, before, "{what} changed the state");
    }
    assert_eq!(s.state("db").await["Status"], "running");
}
