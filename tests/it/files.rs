//! The internal API's file routes (README, "Containers' files"): archive
//! stat/get/put, export, changes, commit and save — run embedded and, through
//! `remote`, over a `RemoteBackend`.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};
use sockerless_core::api::{PathStat, PATH_STAT_HEADER};

use crate::common::*;

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o640);
        h.set_uid(1000);
        h.set_gid(1000);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).expect("tar");
    }
    b.into_inner().expect("tar")
}

fn members(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut a = tar::Archive::new(data);
    a.entries()
        .expect("tar")
        .map(|e| {
            let mut e = e.expect("entry");
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut body = Vec::new();
            e.read_to_end(&mut body).expect("read");
            (name, body)
        })
        .collect()
}

async fn put(server: &TestServer, path: &str, tar: Vec<u8>) -> Reply {
    let req = Request::builder()
        .method(Method::PUT)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/x-tar")
        .body(Full::new(Bytes::from(tar)))
        .expect("request");
    server.send(req).await
}

#[tokio::test]
async fn archive_round_trip_changes_export_commit_and_save() {
    let server = TestServer::with_alpine().await;
    server
        .create_alpine("files", json!({"Cmd": ["true"]}))
        .await;
    let base = format!("{BASE}/containers/files");
    let tar = tar_of(&[
        ("job/run.sh", b"echo hi\n"),
        ("job/data.bin", &[0, 1, 2, 255]),
    ]);
    let res = put(&server, &format!("{base}/archive?path=/tmp"), tar).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let res = server
        .call(
            Method::HEAD,
            &format!("{base}/archive?path=/tmp/job/run.sh"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let stat = res
        .headers
        .get(PATH_STAT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(PathStat::from_header)
        .expect("stat header");
    assert_eq!(
        (stat.name.as_str(), stat.size, stat.mode),
        ("run.sh", 8, 0o640)
    );
    assert_eq!(stat.mtime, "2023-11-14T22:13:20Z");
    let res = server
        .call(Method::GET, &format!("{base}/archive?path=/tmp/job"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        members(&res.body),
        vec![
            ("job/".to_string(), Vec::new()),
            ("job/data.bin".to_string(), vec![0, 1, 2, 255]),
            ("job/run.sh".to_string(), b"echo hi\n".to_vec()),
        ]
    );
    let (status, changes) = server.get(&format!("{base}/changes")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        changes,
        json!([{"Path": "/tmp", "Kind": 0}, {"Path": "/tmp/job", "Kind": 1},
               {"Path": "/tmp/job/data.bin", "Kind": 1}, {"Path": "/tmp/job/run.sh", "Kind": 1}])
    );
    let res = server
        .call(Method::GET, &format!("{base}/export"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let names: Vec<String> = members(&res.body).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"tmp/job/run.sh".to_string()), "{names:?}");
    // Errors in Docker's words.
    let res = server
        .call(Method::GET, &format!("{base}/archive?path=/nope"), None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        res.json(),
        message("Could not find the file /nope in container files")
    );
    let res = put(
        &server,
        &format!("{base}/archive?path=/tmp/job/run.sh"),
        tar_of(&[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json(), message("extraction point is not a directory"));
    // Commit, then save: the new image holds the files.
    let (status, id) = server
        .post(
            &format!("{base}/commit?repo=snap&tag=v1&changes=CMD%20%5B%22sh%22%5D"),
            json!({"Env": ["A=1"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{id}");
    let (_, img) = server.get(&format!("{BASE}/images/snap:v1")).await;
    assert_eq!(img["Id"], id["Id"]);
    assert_eq!(img["Config"]["Cmd"], json!(["sh"]));
    assert_eq!(img["Config"]["Env"], json!(["A=1"]));
    let res = server
        .call(
            Method::POST,
            &format!("{BASE}/images/save?names=snap:v1"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let saved = members(&res.body);
    let manifest: Value = serde_json::from_slice(
        &saved
            .iter()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest")
            .1,
    )
    .expect("json");
    assert_eq!(manifest[0]["RepoTags"], json!(["snap:v1"]));
    let layer = manifest[0]["Layers"][0].as_str().expect("layer");
    let layer = &saved
        .iter()
        .find(|(n, _)| n == layer)
        .expect("layer member")
        .1;
    assert!(members(layer)
        .iter()
        .any(|(n, d)| n == "tmp/job/run.sh" && d == b"echo hi\n"));
    let res = server
        .call(
            Method::POST,
            &format!("{BASE}/images/save?names=nope"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
