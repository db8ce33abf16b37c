//! Remote mode when the backend daemon dies: `sockerless --backend unix://…`
//! in front of a `sockerless-backend-memory` that is killed (SIGKILL: no
//! drain) in the middle of `docker logs -f`, `docker attach` and a
//! `POST /containers/{id}/wait`. The Docker stream ends cleanly (logs and
//! attach close, wait answers an error body naming the backend) and never
//! hangs; calls while it is down answer `503` naming the backend; once it is
//! started again on the same socket the frontend works again. Remote in both
//! runs of the suite (skipped in the remote rerun, `remote.rs`).

use serde_json::{json, Value};

use super::cli::Cli;
use super::common::{head_only, poll_until, ticker_script, Background, Daemon, COMMAND_TIMEOUT};
use super::wire::{create, finish_chunked, get, pull_alpine, start, DEADLINE};

/// The `{"message"}` of an answer while the backend is down, for `url`.
fn unreachable(url: &str) -> String {
    format!("backend {url} is unreachable: ")
}

/// After a restart the memory backend is empty again; the frontend serves it.
fn works_again(cli: &Cli) {
    assert_eq!(cli.ok(&["ps", "-aq"]), "");
    cli.pull_alpine();
    assert_eq!(cli.ok(&["run", "--rm", "alpine", "echo", "hi"]), "hi\n");
}

#[test]
fn backend_killed_mid_logs_follow_ends_the_logs_then_503_then_works_again() {
    let mut cli = Cli::with_daemon(Daemon::start_remote(&[]));
    cli.pull_alpine();
    let id = cli.ok(&["run", "-d", "alpine", "sh", "-c", "echo ready; sleep 1000"]);
    let logs = Background::spawn(cli.command(&["logs", "-f", id.trim()]));
    poll_until("docker logs -f prints the first line", DEADLINE, || {
        logs.stdout().contains("ready\n").then_some(())
    });
    let backend = cli.daemon.backend.as_mut().expect("remote mode");
    let url = backend.url();
    backend.kill();
    // The follow ends (the CLI exits by itself) with what was logged.
    let out = logs.finish(COMMAND_TIMEOUT);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "ready\n"),
        "{out:?}"
    );
    // While it is down: Docker's error shape, naming the backend.
    let stderr = cli.fails(&["ps"], 1);
    assert!(
        stderr.starts_with(&format!(
            "Error response from daemon: {}",
            unreachable(&url)
        )),
        "{stderr}"
    );
    cli.daemon.backend.as_mut().expect("remote mode").restart();
    works_again(&cli);
}

#[test]
fn backend_killed_mid_attach_ends_the_attach_with_an_error_naming_the_backend() {
    let mut cli = Cli::with_daemon(Daemon::start_remote(&[]));
    cli.pull_alpine();
    let id = cli.ok(&["run", "-d", "alpine", "sh", "-c", &ticker_script(60)]);
    let attach = Background::spawn(cli.command(&["attach", "--no-stdin", id.trim()]));
    poll_until("docker attach prints output", DEADLINE, || {
        attach.stdout().contains("tick\n").then_some(())
    });
    let backend = cli.daemon.backend.as_mut().expect("remote mode");
    let url = backend.url();
    backend.kill();
    // The attach ends; the CLI's wait (opened before the attach) reports why.
    let out = attach.finish(COMMAND_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.starts_with(&format!("backend {url}: ")),
        "{out:?}"
    );
    cli.daemon.backend.as_mut().expect("remote mode").restart();
    works_again(&cli);
}

#[tokio::test]
async fn backend_killed_mid_wait_answers_an_error_body_then_503_then_works_again() {
    let mut d = Daemon::start_remote(&[]);
    let s = d.socket.clone();
    pull_alpine(&s).await;
    let id = create(&s, &["sleep", "1000"], json!({})).await;
    start(&s, &id).await;
    // The head is out once the backend's wait is open.
    let (head, mut stream, rest) = head_only(
        &s,
        "POST",
        &format!("/v1.44/containers/{id}/wait"),
        DEADLINE,
    )
    .await;
    assert_eq!(head.status, 200);
    let backend = d.backend.as_mut().expect("remote mode");
    let url = backend.url();
    backend.kill();
    let body = finish_chunked(&mut stream, rest).await;
    let answer: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
    assert_eq!(answer["StatusCode"], -1, "{answer}");
    let message = answer["Error"]["Message"].as_str().unwrap_or_default();
    assert!(message.starts_with(&format!("backend {url}: ")), "{answer}");
    // Calls while it is down, streaming or not: 503 naming the backend.
    for (method, path) in [
        ("GET", "/v1.44/containers/json".to_string()),
        ("POST", format!("/v1.44/containers/{id}/wait")),
    ] {
        let res = super::common::raw(&s, method, &path, &[], b"").await;
        assert_eq!(res.status, 503, "{method} {path}: {}", res.text());
        let message = res.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.starts_with(&unreachable(&url)), "{message}");
    }
    d.backend.as_mut().expect("remote mode").restart();
    let res = get(&s, "/v1.44/containers/json?all=1").await;
    assert_eq!((res.status, res.json()), (200, json!([])), "{}", res.text());
    pull_alpine(&s).await;
    let id = create(&s, &["sh", "-c", "exit 4"], json!({})).await;
    let (head, mut stream, rest) = head_only(
        &s,
        "POST",
        &format!("/v1.44/containers/{id}/wait?condition=next-exit"),
        DEADLINE,
    )
    .await;
    assert_eq!(head.status, 200);
    start(&s, &id).await;
    let body = finish_chunked(&mut stream, rest).await;
    assert_eq!(String::from_utf8_lossy(&body), "{\"StatusCode\":4}\n");
}
