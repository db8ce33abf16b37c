//! Black-box tests of exec: create, inspect, start over WebSocket and detached,
//! Docker's errors, and the lifetime of exec records.

use crate::common::*;
use futures_util::SinkExt;
use http::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

async fn exec_create(server: &TestServer, container: &str, body: Value) -> (StatusCode, Value) {
    server
        .post(&format!("{BASE}/containers/{container}/exec"), body)
        .await
}

async fn exec(server: &TestServer, container: &str, body: Value) -> String {
    let (status, v) = exec_create(server, container, body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["Id"].as_str().expect("Id").to_string()
}

async fn inspect(server: &TestServer, id: &str) -> Value {
    let (status, v) = server.get(&format!("{BASE}/exec/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn start_ws(server: &TestServer, id: &str) -> Attached {
    let mut ws = server.ws(&format!("{BASE}/exec/{id}/start")).await;
    drain(&mut ws).await
}

fn attached(cmd: Value) -> Value {
    json!({"Cmd": cmd, "AttachStdout": true, "AttachStderr": true})
}

#[tokio::test]
async fn exec_runs_with_output_and_exit_code_and_inspect_before_and_after() {
    let s = TestServer::with_alpine().await;
    let cid = s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(
        &s,
        "box",
        json!({"Cmd": ["sh", "-c", "echo out; echo err >&2; exit 5"],
               "AttachStdout": true, "AttachStderr": true, "User": "nobody"}),
    )
    .await;
    assert_eq!(id.len(), 64);

    let before = inspect(&s, &id).await;
    assert_eq!(before["ID"], id);
    assert_eq!(before["ContainerID"], cid);
    assert_eq!(before["Running"], false);
    assert_eq!(before["ExitCode"], Value::Null);
    assert!(before
        .as_object()
        .is_some_and(|o| o.contains_key("ExitCode")));
    assert_eq!(before["Pid"], 0);
    assert_eq!(before["OpenStdout"], true);
    assert_eq!(before["OpenStderr"], true);
    assert_eq!(before["OpenStdin"], false);
    let pc = &before["ProcessConfig"];
    assert_eq!(pc["entrypoint"], "sh");
    assert_eq!(
        pc["arguments"],
        json!(["-c", "echo out; echo err >&2; exit 5"])
    );
    assert_eq!(pc["tty"], false);
    assert_eq!(pc["privileged"], false);
    assert_eq!(pc["user"], "nobody");

    let got = start_ws(&s, &id).await;
    assert_eq!(got.stdout, "out\n");
    assert_eq!(got.stderr, "err\n");
    assert_eq!(got.close, Some((1000, "5".to_string())));

    let after = inspect(&s, &id).await;
    assert_eq!(after["Running"], false);
    assert_eq!(after["ExitCode"], 5);

    // Exec output is the exec's, not the container's log.
    let r = s
        .call(
            http::Method::GET,
            &format!("{BASE}/containers/box/logs?stdout=1&stderr=1"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.lines().is_empty(), "{}", r.text());
}

#[tokio::test]
async fn inspect_of_a_running_exec() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(&s, "box", attached(json!(["sleep", "infinity"]))).await;
    let mut ws = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    let running = eventually(DEADLINE, || async {
        let v = inspect(&s, &id).await;
        (v["Running"] == true).then_some(v)
    })
    .await;
    assert!(running["Pid"].as_i64().is_some_and(|p| p > 0), "{running}");
    assert_eq!(running["ExitCode"], Value::Null);

    // The container stops: its execs end and are dropped.
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/box/stop?t=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "");
    let (status, v) = s.get(&format!("{BASE}/exec/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], format!("No such exec instance: {id}"));
}

#[tokio::test]
async fn exec_of_an_unknown_command_echoes_its_command_line() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(
        &s,
        "box",
        attached(json!(["psql", "-U", "postgres", "-c", "select 1"])),
    )
    .await;
    let got = start_ws(&s, &id).await;
    assert_eq!(got.stdout, "psql -U postgres -c select 1\n");
    assert_eq!(got.close, Some((1000, "0".to_string())));
    assert_eq!(inspect(&s, &id).await["ExitCode"], 0);
}

#[tokio::test]
async fn exec_sees_the_container_env_plus_its_own_and_its_working_dir() {
    let s = TestServer::with_alpine().await;
    s.run(
        "box",
        json!({"Cmd": ["sleep", "infinity"], "Env": ["A=from-container", "B=container-b"],
               "WorkingDir": "/srv"}),
    )
    .await;
    let id = exec(
        &s,
        "box",
        json!({"Cmd": ["sh", "-c", "echo $A $B $C; pwd"], "AttachStdout": true,
               "Env": ["B=exec-b", "C=exec-c"], "WorkingDir": "/tmp"}),
    )
    .await;
    let got = start_ws(&s, &id).await;
    assert_eq!(got.stdout, "from-container exec-b exec-c\n/tmp\n");

    // Without its own WorkingDir an exec runs in the container's.
    let id = exec(&s, "box", attached(json!(["pwd"]))).await;
    assert_eq!(start_ws(&s, &id).await.stdout, "/srv\n");
}

#[tokio::test]
async fn exec_with_stdin() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(
        &s,
        "box",
        json!({"Cmd": ["cat"], "AttachStdin": true, "AttachStdout": true}),
    )
    .await;
    assert_eq!(inspect(&s, &id).await["OpenStdin"], true);
    let mut ws = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    ws.send(Message::binary(b"piped\n".to_vec()))
        .await
        .expect("send");
    ws.send(Message::binary(Vec::new())).await.expect("eof");
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "piped\n");
    assert_eq!(got.close, Some((1000, "0".to_string())));

    // A shell reading its script from stdin.
    let id = exec(
        &s,
        "box",
        json!({"Cmd": ["sh"], "AttachStdin": true, "AttachStdout": true}),
    )
    .await;
    let mut ws = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    ws.send(Message::binary(b"echo scripted\nexit 3\n".to_vec()))
        .await
        .expect("send");
    let got = drain(&mut ws).await;
    assert_eq!(got.stdout, "scripted\n");
    assert_eq!(got.close, Some((1000, "3".to_string())));
}

#[tokio::test]
async fn detached_start_runs_in_the_background() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(&s, "box", json!({"Cmd": ["sh", "-c", "exit 6"]})).await;
    let (status, v) = s
        .post(&format!("{BASE}/exec/{id}/start"), json!({"Detach": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let v = eventually(DEADLINE, || async {
        let v = inspect(&s, &id).await;
        (v["ExitCode"] == 6).then_some(v)
    })
    .await;
    assert_eq!(v["Running"], false);

    // A second start, in either form, is 409 in Docker's words.
    let words = format!("Error: Exec command {id} has already run");
    let (status, v) = s
        .post(&format!("{BASE}/exec/{id}/start"), json!({"Detach": true}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["message"], words);
    match s.try_ws(&format!("{BASE}/exec/{id}/start")).await {
        Err((code, body)) => {
            assert_eq!(code, 409);
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["message"], words);
        }
        Ok(_) => panic!("second start upgraded"),
    }
}

#[tokio::test]
async fn second_start_of_a_websocket_exec_is_409() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(&s, "box", attached(json!(["echo", "once"]))).await;
    assert_eq!(start_ws(&s, &id).await.stdout, "once\n");
    match s.try_ws(&format!("{BASE}/exec/{id}/start")).await {
        Err((code, body)) => {
            assert_eq!(code, 409);
            assert!(body.contains("has already run"), "{body}");
        }
        Ok(_) => panic!("second start upgraded"),
    }
    // Also while still running.
    let id = exec(&s, "box", attached(json!(["sleep", "infinity"]))).await;
    let _first = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    let (status, v) = s
        .post(&format!("{BASE}/exec/{id}/start"), json!({"Detach": true}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        v["message"],
        format!("Error: Exec command {id} is already running")
    );
}

#[tokio::test]
async fn exec_create_errors_in_dockers_words() {
    let s = TestServer::with_alpine().await;
    let (status, v) = exec_create(&s, "ghost", json!({"Cmd": ["true"]})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], "No such container: ghost");

    let cid = s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    for body in [json!({"Cmd": []}), json!({}), json!({"Cmd": null})] {
        let (status, v) = exec_create(&s, "box", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["message"], "No exec command specified", "{body}");
    }

    // Paused.
    let (status, _) = s.post_empty(&format!("{BASE}/containers/box/pause")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = exec_create(&s, "box", json!({"Cmd": ["true"]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let box_id = s.inspect_container("box").await["Id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        v["message"],
        format!("Container {box_id} is paused, unpause the container before exec")
    );
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/box/unpause"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Stopped.
    let (status, _) = s.post_empty(&format!("{BASE}/containers/box/kill")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = exec_create(&s, "box", json!({"Cmd": ["true"]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["message"], format!("container {cid} is not running"));

    // Created, never started.
    let (status, v) = s
        .post(
            &format!("{BASE}/containers?name=fresh"),
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let fresh = v["Id"].as_str().expect("Id").to_string();
    let (status, v) = exec_create(&s, "fresh", json!({"Cmd": ["true"]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["message"], format!("container {fresh} is not running"));

    let (status, v) = s.get(&format!("{BASE}/exec/{}", "0".repeat(64))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        v["message"],
        format!("No such exec instance: {}", "0".repeat(64))
    );
    match s.try_ws(&format!("{BASE}/exec/nope/start")).await {
        Err((code, _)) => assert_eq!(code, 404),
        Ok(_) => panic!("start of an unknown exec upgraded"),
    }
}

#[tokio::test]
async fn execs_are_removed_with_their_container() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let done = exec(&s, "box", attached(json!(["true"]))).await;
    start_ws(&s, &done).await;
    let pending = exec(&s, "box", attached(json!(["true"]))).await;
    assert_eq!(inspect(&s, &done).await["ExitCode"], 0);
    let (status, _) = s.delete(&format!("{BASE}/containers/box?force=1")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for id in [&done, &pending] {
        let (status, v) = s.get(&format!("{BASE}/exec/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
        assert_eq!(v["message"], format!("No such exec instance: {id}"));
    }
}

/// A container's `ExecIDs` are its own execs, oldest first. A state snapshot
/// carries them to a fresh server; a stop drops them (execs live while their
/// container runs) and leaves the other container's.
#[tokio::test]
async fn exec_ids_are_the_containers_own_oldest_first() {
    let s = TestServer::with_alpine().await;
    s.run("box-a", json!({"Cmd": ["sleep", "infinity"]})).await;
    s.run("box-b", json!({"Cmd": ["sleep", "infinity"]})).await;
    let a1 = exec(&s, "box-a", attached(json!(["true"]))).await;
    let b1 = exec(&s, "box-b", attached(json!(["true"]))).await;
    let a2 = exec(&s, "box-a", attached(json!(["true"]))).await;
    assert_eq!(
        s.inspect_container("box-a").await["ExecIDs"],
        json!([a1, a2])
    );
    assert_eq!(s.inspect_container("box-b").await["ExecIDs"], json!([b1]));

    let fresh = s.copy_to_fresh_server().await;
    assert_eq!(
        fresh.inspect_container("box-b").await["ExecIDs"],
        json!([b1])
    );

    let (status, v) = s
        .post_empty(&format!("{BASE}/containers/box-a/stop?t=1"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(s.inspect_container("box-a").await["ExecIDs"], json!([]));
    for id in [&a1, &a2] {
        let (status, v) = s.get(&format!("{BASE}/exec/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    }
    assert_eq!(s.inspect_container("box-b").await["ExecIDs"], json!([b1]));
    assert_eq!(
        inspect(&s, &b1).await["ContainerID"],
        s.inspect_container("box-b").await["Id"]
    );
}

/// A state snapshot keeps each container's `ExecIDs` in creation order: eight
/// execs whose random IDs are in creation order by chance once in 40 320.
#[tokio::test]
async fn exec_ids_keep_their_order_through_a_snapshot() {
    let s = TestServer::with_alpine().await;
    s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(exec(&s, "box", attached(json!(["true"]))).await);
    }
    assert_eq!(s.inspect_container("box").await["ExecIDs"], json!(ids));
    let fresh = s.copy_to_fresh_server().await;
    assert_eq!(fresh.inspect_container("box").await["ExecIDs"], json!(ids));
}

#[tokio::test]
async fn exec_in_a_paused_container_cannot_start() {
    let s = TestServer::with_alpine().await;
    let cid = s.run("box", json!({"Cmd": ["sleep", "infinity"]})).await;
    let id = exec(&s, "box", attached(json!(["true"]))).await;
    let (status, _) = s.post_empty(&format!("{BASE}/containers/box/pause")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = s
        .post(&format!("{BASE}/exec/{id}/start"), json!({"Detach": true}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        v["message"],
        format!("Container {cid} is paused, unpause the container before exec")
    );
    // Still startable once unpaused.
    let (status, _) = s
        .post_empty(&format!("{BASE}/containers/box/unpause"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(start_ws(&s, &id).await.close, Some((1000, "0".to_string())));
}
