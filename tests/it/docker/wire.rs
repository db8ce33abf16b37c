//! The Docker frontend on the wire: the real `sockerless` binary on a temp
//! socket, spoken to in raw HTTP/1.1 so every status, header and byte is
//! checked as a Docker client sees it (contract §1, §4 and the pitfalls of §6).

use std::path::Path;
use std::time::Duration;

use super::common::{dechunk, head_only, parse_response, raw, Daemon, RawResponse};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// How long something that should be prompt may take.
pub(super) const DEADLINE: Duration = Duration::from_secs(10);

const JSON: (&str, &str) = ("Content-Type", "application/json");

/// Docker's error body, newline included.
fn error_body(message: &str) -> String {
    format!("{}\n", json!({ "message": message }))
}

/// Asserts a Docker error: status, `Content-Type` exactly `application/json`,
/// `{"message":…}\n`, and Docker's headers (they are on errors too).
pub(super) fn assert_error(res: &RawResponse, status: u16, message: &str) {
    assert_eq!(res.status, status, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.text(), error_body(message));
    assert_eq!(res.header("api-version"), Some("1.44"));
}

pub(super) async fn get(socket: &Path, path: &str) -> RawResponse {
    raw(socket, "GET", path, &[], b"").await
}

pub(super) async fn post_json(socket: &Path, path: &str, body: Value) -> RawResponse {
    raw(socket, "POST", path, &[JSON], body.to_string().as_bytes()).await
}

/// Pulls alpine (the CLI's step 3 of `docker run`).
pub(super) async fn pull_alpine(socket: &Path) {
    let res = raw(
        socket,
        "POST",
        "/v1.44/images/create?fromImage=alpine&tag=latest",
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

/// Creates an alpine container running `cmd` (with `extra` merged in).
pub(super) async fn create(socket: &Path, cmd: &[&str], extra: Value) -> String {
    let mut body = json!({"Image": "alpine", "Cmd": cmd});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let res = post_json(socket, "/v1.44/containers/create", body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["Id"].as_str().expect("Id").to_string()
}

pub(super) async fn start(socket: &Path, id: &str) {
    let res = raw(
        socket,
        "POST",
        &format!("/v1.44/containers/{id}/start"),
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 204, "{}", res.text());
}

/// Splits stdcopy frames into `(stream, text)`.
fn demux(mut b: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    while !b.is_empty() {
        assert!(b.len() >= 8, "truncated frame header: {b:?}");
        assert!(b[0] == 1 || b[0] == 2, "stream byte {}", b[0]);
        assert_eq!(&b[1..4], &[0, 0, 0]);
        let len = u32::from_be_bytes([b[4], b[5], b[6], b[7]]) as usize;
        assert!(len > 0, "empty frame");
        out.push((b[0], String::from_utf8_lossy(&b[8..8 + len]).into_owned()));
        b = &b[8 + len..];
    }
    out
}

/// Opens a hijack: sends `POST path` with `Upgrade: tcp` (and a JSON body when
/// given) and reads the head; returns it and the stream after it.
pub(super) async fn hijack(
    socket: &Path,
    path: &str,
    body: Option<Value>,
) -> (RawResponse, UnixStream) {
    let mut stream = UnixStream::connect(socket).await.expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let ct = if body.is_empty() {
        "text/plain"
    } else {
        "application/json"
    };
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\
         Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let end = tokio::time::timeout(DEADLINE, async {
        loop {
            let mut chunk = [0u8; 1];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "closed before the head: {buf:?}");
            buf.push(chunk[0]);
            if buf.ends_with(b"\r\n\r\n") {
                return buf.len();
            }
        }
    })
    .await
    .expect("a response head in time");
    (parse_response(&buf[..end], true), stream)
}

/// Reads a hijacked stream until the server closes it (within the deadline).
async fn read_to_eof(stream: &mut UnixStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut out))
        .await
        .expect("the server closes the stream at exit")
        .expect("read");
    out
}

/// Reads the rest of a chunked body (its first bytes in `rest`) up to the
/// last chunk, within the deadline; returns the de-chunked body.
pub(super) async fn finish_chunked(stream: &mut UnixStream, mut rest: Vec<u8>) -> Vec<u8> {
    tokio::time::timeout(DEADLINE, async {
        while !rest.ends_with(b"0\r\n\r\n") {
            let mut chunk = [0u8; 1024];
            let n = stream.read(&mut chunk).await.expect("read");
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("the body ends in time");
    dechunk(&rest)
}

/// Docker's four headers, in the order every answer carries them.
const DOCKER_HEADERS: [(&str, &str); 4] = [
    ("api-version", "1.44"),
    ("ostype", "linux"),
    ("docker-experimental", "false"),
    ("server", "Docker/25.0.0 (linux)"),
];

#[tokio::test]
async fn ping_get_and_head() {
    let d = Daemon::start();
    for path in ["/_ping", "/v1.44/_ping"] {
        let res = get(&d.socket, path).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "OK");
        let want = DOCKER_HEADERS.into_iter().chain([
            ("content-type", "text/plain; charset=utf-8"),
            ("cache-control", "no-cache, no-store, must-revalidate"),
            ("pragma", "no-cache"),
            ("builder-version", "1"),
            ("swarm", "inactive"),
        ]);
        for (k, v) in want {
            assert_eq!(res.header(k), Some(v), "{path} {k}");
        }
    }
    // HEAD: Content-Length 0 and not one byte after the head — the next request
    // on the same keep-alive connection must parse (pitfall 10).
    let mut s = UnixStream::connect(&d.socket).await.expect("connect");
    s.write_all(b"HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        .await
        .expect("write");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        assert_eq!(s.read(&mut b).await.expect("read"), 1);
        head.push(b[0]);
    }
    let res = parse_response(&head, true);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("0"));
    assert_eq!(res.header("api-version"), Some("1.44"));
    s.write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let rest = read_to_eof(&mut s).await;
    let next = parse_response(&rest, false);
    assert_eq!((next.status, next.text().as_str()), (200, "OK"));
    // Header names go out in Docker's case.
    let mut s = UnixStream::connect(&d.socket).await.expect("connect");
    s.write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let all = String::from_utf8_lossy(&read_to_eof(&mut s).await).into_owned();
    assert!(all.contains("Api-Version: 1.44\r\n"), "{all}");
}

/// Docker's four headers on a JSON answer, a created one, an empty one and
/// an error: each once, after the content type where there is one (as
/// Docker's middlewares leave them; `Date`, `Content-Length` and
/// `Connection` are hyper's).
#[tokio::test]
async fn every_answer_carries_dockers_headers_once() {
    let d = Daemon::start();
    let s = &d.socket;
    let names = |res: &RawResponse| {
        res.headers
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !matches!(k.as_str(), "date" | "content-length" | "connection"))
            .collect::<Vec<_>>()
    };
    let docker = DOCKER_HEADERS.map(|(name, _)| name);
    let json_names: Vec<&str> = ["content-type"].into_iter().chain(docker).collect();
    let listed = get(s, "/v1.44/containers/json").await;
    assert_eq!((listed.status, listed.text().as_str()), (200, "[]"));
    assert_eq!(names(&listed), json_names);
    for (k, v) in [("content-type", "application/json")]
        .into_iter()
        .chain(DOCKER_HEADERS)
    {
        assert_eq!(listed.header(k), Some(v), "{k}");
    }
    let created = raw(
        s,
        "POST",
        "/v1.44/networks/create",
        &[("Content-Type", "application/json")],
        br#"{"Name":"headers-net"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(names(&created), json_names);
    let id = created.json()["Id"].as_str().expect("an Id").to_string();
    let deleted = raw(s, "DELETE", &format!("/v1.44/networks/{id}"), &[], b"").await;
    assert_eq!((deleted.status, deleted.text().as_str()), (204, ""));
    assert_eq!(names(&deleted), docker);
    let missing = get(s, "/v1.44/containers/nosuch/json").await;
    assert_error(&missing, 404, "No such container: nosuch");
    assert_eq!(names(&missing), json_names);
}

#[tokio::test]
async fn version_negotiation_and_routing_errors() {
    let d = Daemon::start();
    let s = &d.socket;
    // A version error has Docker's headers but `Docker-Experimental` (moby's
    // version middleware answers before the experimental one).
    for (res, message) in [
        (
            get(s, "/v1.99/version").await,
            "client version 1.99 is too new. Maximum supported API version is 1.44",
        ),
        (
            get(s, "/v1.12/version").await,
            "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
        ),
    ] {
        assert_error(&res, 400, message);
        assert_eq!(res.header("docker-experimental"), None);
        assert_eq!(res.header("ostype"), Some("linux"));
    }
    // Go's router answers `page not found` before any middleware: none of
    // Docker's headers. A known path with a wrong method is the same 404.
    for res in [
        get(s, "/v1.99/nosuch").await,
        get(s, "/nosuch").await,
        get(s, "/vx/_ping").await,
        raw(s, "POST", "/_ping", &[], b"").await,
        get(s, "/v1.44/containers/create").await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text());
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.text(), error_body("page not found"));
        for name in ["api-version", "ostype", "server", "docker-experimental"] {
            assert_eq!(res.header(name), None, "{name}");
        }
    }
    assert_eq!(get(s, "/v1.24/version").await.status, 200);
    // Unversioned is 1.44 (bollard sends every path so).
    let v = get(s, "/version").await;
    assert_eq!(v.status, 200);
    let v = v.json();
    assert_eq!(v["ApiVersion"], "1.44");
    assert_eq!(v["MinAPIVersion"], "1.24");
    let details = &v["Components"][0]["Details"];
    assert_eq!(v["Components"][0]["Name"], "Engine");
    assert_eq!(details["ApiVersion"], "1.44");
    assert_eq!(details["MinAPIVersion"], "1.24");
    assert_eq!(details["Experimental"], "false");
}

#[tokio::test]
async fn unsupported_swarm_and_options() {
    let d = Daemon::start();
    let s = &d.socket;
    assert_error(
        &raw(s, "POST", "/v1.44/build", &[], b"").await,
        501,
        "POST /build is not supported by sockerless",
    );
    assert_error(
        &get(s, "/v1.44/plugins/x/json").await,
        501,
        "GET /plugins/x/json is not supported by sockerless",
    );
    assert_error(
        &raw(s, "POST", "/swarm/leave?force=1", &[], b"").await,
        503,
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
    );
    let res = raw(s, "OPTIONS", "/v1.44/anything", &[], b"").await;
    assert_eq!((res.status, res.body.len()), (200, 0));
    assert_eq!(res.header("api-version"), Some("1.44"));
    // The internal API is served on the same socket.
    let caps = get(s, "/internal/v1/capabilities").await;
    assert_eq!(caps.status, 200);
    assert_eq!(caps.json()["backend"], "memory");
}

#[tokio::test]
async fn json_bodies_and_docker_booleans() {
    let d = Daemon::start();
    let s = &d.socket;
    // Before the pull: the 404 the CLI answers with a pull and a retry.
    let body = json!({"Image": "alpine", "Cmd": ["true"],
                      "NetworkingConfig": {"EndpointsConfig": {"default": {}}}});
    assert_error(
        &post_json(s, "/v1.44/containers/create", body).await,
        404,
        "No such image: alpine:latest",
    );
    pull_alpine(s).await;
    let body = json!({"Image": "alpine", "Cmd": ["true"]}).to_string();
    assert_error(
        &raw(
            s,
            "POST",
            "/v1.44/containers/create",
            &[("Content-Type", "text/plain")],
            body.as_bytes(),
        )
        .await,
        400,
        "unsupported Content-Type header (text/plain): must be 'application/json'",
    );
    // No body at all is Docker's decoder's EOF; an empty object has nothing
    // to create.
    assert_error(
        &raw(s, "POST", "/v1.44/containers/create", &[], b"").await,
        400,
        "invalid JSON: got EOF while reading request body",
    );
    assert_error(
        &post_json(s, "/v1.44/containers/create", json!({})).await,
        400,
        "config cannot be empty in order to create a container",
    );
    // The CLI's EndpointsConfig["default"] is the bridge network (pitfall 1).
    let id = create(
        s,
        &["sh", "-c", "exit 0"],
        json!({
            "HostConfig": {"NetworkMode": "default"},
            "NetworkingConfig": {"EndpointsConfig": {"default": {}}}
        }),
    )
    .await;
    let inspect = get(s, &format!("/v1.44/containers/{id}/json")).await.json();
    assert_eq!(inspect["HostConfig"]["LogConfig"]["Type"], "json-file");
    assert!(inspect["NetworkSettings"]["Networks"]["bridge"].is_object());
    // A start body of more than 7 bytes is an old client's HostConfig.
    assert_error(
        &raw(
            s,
            "POST",
            &format!("/containers/{id}/start"),
            &[JSON],
            br#"{"Binds":[]}"#,
        )
        .await,
        400,
        "starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24",
    );
    start(s, &id).await;
    let wait = raw(s, "POST", &format!("/containers/{id}/wait"), &[], b"").await;
    assert_eq!(wait.text(), "{\"StatusCode\":0}\n");
    // Booleans: anything but "" 0 no false none is true.
    for (q, listed) in [
        ("True", true),
        ("1", true),
        ("False", false),
        ("0", false),
        ("", false),
    ] {
        let list = get(s, &format!("/v1.44/containers/json?all={q}"))
            .await
            .json();
        let found = list
            .as_array()
            .expect("list")
            .iter()
            .any(|c| c["Id"] == id.as_str());
        assert_eq!(found, listed, "all={q}");
    }
    // docker-py's stream=False is one object, not a stream.
    let live = create(s, &["sleep", "1000"], json!({})).await;
    start(s, &live).await;
    let stats = get(s, &format!("/v1.44/containers/{live}/stats?stream=False")).await;
    assert_eq!(stats.status, 200);
    assert!(stats.json().is_object(), "{}", stats.text());
    // Resize: integers only; any existing container; 404 otherwise.
    let res = raw(
        s,
        "POST",
        &format!("/containers/{live}/resize?h=x&w=80"),
        &[],
        b"",
    )
    .await;
    assert_error(&res, 400, "strconv.Atoi: parsing \"x\": invalid syntax");
    let res = raw(
        s,
        "POST",
        &format!("/containers/{id}/resize?h=24&w=80"),
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200);
    let res = raw(s, "POST", "/containers/nope/resize?h=24&w=80", &[], b"").await;
    assert_error(&res, 404, "No such container: nope");
}

#[tokio::test]
async fn wait_head_is_flushed_before_start() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(s, &["sh", "-c", "exit 3"], json!({})).await;
    // The head arrives while the container has not even started (pitfall 2).
    let (head, mut stream, rest) = head_only(
        s,
        "POST",
        &format!("/v1.44/containers/{id}/wait?condition=next-exit"),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/json"));
    start(s, &id).await;
    let body = finish_chunked(&mut stream, rest).await;
    assert_eq!(String::from_utf8_lossy(&body), "{\"StatusCode\":3}\n");
    assert_error(
        &raw(
            s,
            "POST",
            &format!("/containers/{id}/wait?condition=x"),
            &[],
            b"",
        )
        .await,
        400,
        "invalid condition: \"x\"",
    );
    assert_error(
        &raw(s, "POST", "/containers/nope/wait", &[], b"").await,
        404,
        "No such container: nope",
    );
}

#[tokio::test]
async fn attach_gets_fast_output_after_half_close_and_ends_at_exit() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(
        s,
        &["sh", "-c", "echo hi; echo oops >&2"],
        json!({"AttachStdout": true, "AttachStderr": true}),
    )
    .await;
    let (head, mut stream) = hijack(
        s,
        &format!("/v1.44/containers/{id}/attach?stderr=1&stdout=1&stream=1"),
        None,
    )
    .await;
    assert_eq!(head.status, 101);
    assert_eq!(head.header("upgrade"), Some("tcp"));
    assert_eq!(
        head.header("content-type"),
        Some("application/vnd.docker.multiplexed-stream")
    );
    // The CLI half-closes at once when it has no stdin (pitfall 4) and sends
    // start only now: output produced at once must not be lost (pitfall 3).
    stream.shutdown().await.expect("half-close");
    start(s, &id).await;
    let frames = demux(&read_to_eof(&mut stream).await);
    assert_eq!(frames, [(1, "hi\n".to_string()), (2, "oops\n".to_string())]);
    // Below API 1.42 the stream is labelled raw (and still framed).
    let id = create(s, &["true"], json!({})).await;
    let (head, _stream) = hijack(
        s,
        &format!("/v1.41/containers/{id}/attach?stdout=1&stream=1"),
        None,
    )
    .await;
    assert_eq!(
        head.header("content-type"),
        Some("application/vnd.docker.raw-stream")
    );
    // Errors come before the upgrade, as JSON (pitfall 7).
    let (head, mut stream) =
        hijack(s, "/v1.44/containers/nope/attach?stdout=1&stream=1", None).await;
    assert_eq!(head.status, 404);
    assert_eq!(head.header("content-type"), Some("application/json"));
    drop(stream.shutdown().await);
}

#[tokio::test]
async fn attach_forwards_stdin_and_tty_is_raw() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(
        s,
        &["cat"],
        json!({"OpenStdin": true, "StdinOnce": true, "Tty": true,
               "AttachStdin": true, "AttachStdout": true}),
    )
    .await;
    let (head, mut stream) = hijack(
        s,
        &format!("/v1.44/containers/{id}/attach?stdin=1&stdout=1&stderr=1&stream=1"),
        None,
    )
    .await;
    assert_eq!(head.status, 101);
    assert_eq!(
        head.header("content-type"),
        Some("application/vnd.docker.raw-stream")
    );
    start(s, &id).await;
    stream.write_all(b"hello\n").await.expect("stdin");
    stream.shutdown().await.expect("stdin EOF");
    let out = read_to_eof(&mut stream).await;
    // The terminal's CRLF (its echo of the input is not simulated).
    assert_eq!(String::from_utf8_lossy(&out), "hello\r\n");
}

#[tokio::test]
async fn attach_without_upgrade_is_an_output_stream() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(s, &["echo", "plain"], json!({})).await;
    let (head, mut stream, rest) = head_only(
        s,
        "POST",
        &format!("/v1.44/containers/{id}/attach?stdout=1&stream=1"),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-type"),
        Some("application/vnd.docker.raw-stream")
    );
    start(s, &id).await;
    let body = finish_chunked(&mut stream, rest).await;
    assert_eq!(demux(&body), [(1, "plain\n".to_string())]);
}

#[tokio::test]
async fn exec_exit_code_is_recorded_before_the_stream_closes() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(s, &["sleep", "1000"], json!({})).await;
    start(s, &id).await;
    for code in [0, 7, 1, 42, 3] {
        let res = post_json(
            s,
            &format!("/v1.44/containers/{id}/exec"),
            json!({"AttachStdout": true, "AttachStderr": true,
                   "Cmd": ["sh", "-c", format!("echo run; exit {code}")]}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let exec = res.json()["Id"].as_str().expect("Id").to_string();
        let (head, mut stream) = hijack(
            s,
            &format!("/v1.44/exec/{exec}/start"),
            Some(json!({"Detach": false, "Tty": false})),
        )
        .await;
        assert_eq!(head.status, 101);
        stream.shutdown().await.expect("half-close");
        assert_eq!(
            demux(&read_to_eof(&mut stream).await),
            [(1, "run\n".to_string())]
        );
        // Right after the close, as the CLI asks (pitfall 6).
        let inspect = get(s, &format!("/v1.44/exec/{exec}/json")).await.json();
        assert_eq!(inspect["ExitCode"], code, "{inspect}");
        assert_eq!(inspect["Running"], false);
        // A second start is refused before any upgrade.
        let (head, _s) = hijack(
            s,
            &format!("/v1.44/exec/{exec}/start"),
            Some(json!({"Detach": false})),
        )
        .await;
        assert_eq!(head.status, 409);
    }
    // Detached: no Upgrade header, 200 with no body (pitfall 20).
    let res = post_json(
        s,
        &format!("/v1.44/containers/{id}/exec"),
        json!({"Cmd": ["true"]}),
    )
    .await;
    let exec = res.json()["Id"].as_str().expect("Id").to_string();
    let res = post_json(
        s,
        &format!("/v1.44/exec/{exec}/start"),
        json!({"Detach": true, "Tty": false}),
    )
    .await;
    assert_eq!((res.status, res.body.len()), (200, 0));
    let res = raw(
        s,
        "POST",
        &format!("/v1.44/exec/{exec}/resize?h=24&w=80"),
        &[],
        b"",
    )
    .await;
    assert_eq!(res.status, 200);
    assert_error(
        &get(s, "/v1.44/exec/nope/json").await,
        404,
        "No such exec instance: nope",
    );
}

#[tokio::test]
async fn logs_are_framed_per_stream_with_fixed_timestamps() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(
        s,
        &["sh", "-c", "echo out; echo err >&2; echo out2"],
        json!({}),
    )
    .await;
    start(s, &id).await;
    raw(s, "POST", &format!("/containers/{id}/wait"), &[], b"").await;
    let res = get(s, &format!("/v1.44/containers/{id}/logs?stdout=1&stderr=1")).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("application/vnd.docker.multiplexed-stream")
    );
    assert_eq!(
        demux(&res.body),
        [
            (1, "out\n".to_string()),
            (2, "err\n".to_string()),
            (1, "out2\n".to_string())
        ]
    );
    let res = get(
        s,
        &format!("/containers/{id}/logs?stderr=1&timestamps=1&since=0&until=0"),
    )
    .await;
    let frames = demux(&res.body);
    assert_eq!(frames.len(), 1, "{frames:?}");
    let (stream, text) = &frames[0];
    assert_eq!(*stream, 2);
    let (ts, data) = text.split_once(' ').expect("a timestamp");
    assert_eq!(data, "err\n");
    // RFC3339NanoFixed: 2024-01-01T00:00:00.000000000Z.
    assert_eq!(ts.len(), 30, "{ts}");
    assert_eq!(&ts[19..20], ".");
    assert!(ts[20..29].bytes().all(|b| b.is_ascii_digit()), "{ts}");
    assert!(ts.ends_with('Z'));
    let res = get(s, &format!("/containers/{id}/logs?stdout=1&tail=1")).await;
    assert_eq!(demux(&res.body), [(1, "out2\n".to_string())]);
    assert_error(
        &get(s, &format!("/containers/{id}/logs")).await,
        400,
        "Bad parameters: you must choose at least one stream",
    );
    // A TTY container's log is raw bytes, with the terminal's CRLF.
    let tty = create(s, &["echo", "raw"], json!({"Tty": true})).await;
    start(s, &tty).await;
    raw(s, "POST", &format!("/containers/{tty}/wait"), &[], b"").await;
    let res = get(s, &format!("/containers/{tty}/logs?stdout=1&stderr=1")).await;
    assert_eq!(res.text(), "raw\r\n");
    assert_eq!(
        res.header("content-type"),
        Some("application/vnd.docker.raw-stream")
    );
}

#[tokio::test]
async fn logs_follow_flushes_the_head_and_ends_at_exit() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(s, &["cat"], json!({"OpenStdin": true})).await;
    start(s, &id).await;
    let (head, mut stream, rest) = head_only(
        s,
        "GET",
        &format!("/v1.44/containers/{id}/logs?follow=1&stdout=1&stderr=1"),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(head.status, 200);
    let res = raw(s, "POST", &format!("/containers/{id}/kill"), &[], b"").await;
    assert_eq!(res.status, 204);
    assert!(finish_chunked(&mut stream, rest).await.is_empty());
}

#[tokio::test]
async fn faults_and_profiles_apply_to_docker_traffic() {
    let d = Daemon::start();
    let s = &d.socket;
    pull_alpine(s).await;
    let id = create(s, &["sleep", "1000"], json!({})).await;
    let rule = json!({"operation": "container_start", "status": 503,
                      "message": "capacity", "times": 1});
    let res = post_json(s, "/internal/v1/memory/faults", rule).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_error(
        &raw(s, "POST", &format!("/containers/{id}/start"), &[], b"").await,
        503,
        "capacity",
    );
    start(s, &id).await;
    // Following logs is its own operation (a profile without log follow
    // refuses it, plain logs still work).
    let lambda = Daemon::start_with(&["--profile", "lambda"]);
    let s = &lambda.socket;
    pull_alpine(s).await;
    let id = create(s, &["echo", "x"], json!({})).await;
    start(s, &id).await;
    let res = get(s, &format!("/containers/{id}/logs?stdout=1&follow=1")).await;
    assert_eq!(res.status, 501, "{}", res.text());
    let res = get(s, &format!("/containers/{id}/logs?stdout=1")).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn info_auth_and_build_prune() {
    let d = Daemon::start();
    let s = &d.socket;
    let info = get(s, "/v1.44/info").await;
    assert_eq!(info.status, 200);
    let info = info.json();
    assert_eq!(info["OSType"], "linux");
    assert_eq!(info["ServerVersion"], "25.0.0");
    assert_eq!(info["Swarm"]["LocalNodeState"], "inactive");
    assert_eq!(info["Swarm"]["ControlAvailable"], false);
    assert_eq!(info["Plugins"]["Log"], json!(["json-file"]));
    assert_eq!(info["LoggingDriver"], "json-file");
    assert_eq!(info["IndexServerAddress"], "https://index.docker.io/v1/");
    assert!(info["RegistryConfig"].is_object());
    assert_eq!(info["Warnings"], Value::Null, "Docker: null when none");
    let auth = post_json(
        s,
        "/v1.44/auth",
        json!({"username": "u", "password": "secret", "serveraddress": "r.example"}),
    )
    .await;
    assert_eq!(auth.status, 200, "{}", auth.text());
    assert_eq!(auth.json()["Status"], "Login Succeeded");
    assert!(!d.log().contains("secret"), "the password is never logged");
    let res = raw(s, "POST", "/v1.44/build/prune", &[], b"").await;
    assert_eq!(
        res.json(),
        json!({"CachesDeleted": [], "SpaceReclaimed": 0})
    );
}
