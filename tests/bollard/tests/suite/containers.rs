//! Containers and exec: lifecycle, attach with stdin, wait, exec attached
//! and detached, logs and stats streams.

use bollard::errors::Error as BollardError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters as q;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;

use crate::common::{self, Daemon};
use crate::helpers::{body, client, create, pull, server_error, state, step};

#[tokio::test]
async fn container_lifecycle() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let id = create(&docker, "life", body("alpine", &["sleep", "1000"])).await;
    assert_eq!(id.len(), 64);
    step(
        "start",
        docker.start_container("life", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    // Starting again is 304, which bollard accepts.
    step(
        "start again",
        docker.start_container("life", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start again");
    assert_eq!(state(&docker, "life").await, ("running".into(), 0));

    let top = step("top", docker.top_processes("life", None::<q::TopOptions>))
        .await
        .expect("top");
    assert!(top.titles.unwrap_or_default().contains(&"PID".to_string()));
    let resize = q::ResizeContainerTTYOptionsBuilder::default()
        .h(24)
        .w(80)
        .build();
    step("resize", docker.resize_container_tty("life", resize))
        .await
        .expect("resize");

    step("pause", docker.pause_container("life"))
        .await
        .expect("pause");
    assert_eq!(state(&docker, "life").await.0, "paused");
    step("unpause", docker.unpause_container("life"))
        .await
        .expect("unpause");
    let rename = q::RenameContainerOptionsBuilder::default()
        .name("renamed")
        .build();
    step("rename", docker.rename_container("life", rename))
        .await
        .expect("rename");
    let listed = step(
        "list",
        docker.list_containers(Some(
            q::ListContainersOptionsBuilder::default().all(true).build(),
        )),
    )
    .await
    .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].names, Some(vec!["/renamed".to_string()]));

    step(
        "restart",
        docker.restart_container("renamed", None::<q::RestartContainerOptions>),
    )
    .await
    .expect("restart");
    assert_eq!(state(&docker, "renamed").await.0, "running");
    step(
        "stop",
        docker.stop_container("renamed", None::<q::StopContainerOptions>),
    )
    .await
    .expect("stop");
    assert_eq!(state(&docker, "renamed").await, ("exited".into(), 143));
    // Stopping a stopped container is 304: accepted.
    step(
        "stop again",
        docker.stop_container("renamed", None::<q::StopContainerOptions>),
    )
    .await
    .expect("stop again");

    step(
        "start",
        docker.start_container("renamed", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    let kill = q::KillContainerOptionsBuilder::default()
        .signal("KILL")
        .build();
    step("kill", docker.kill_container("renamed", Some(kill)))
        .await
        .expect("kill");
    assert_eq!(state(&docker, "renamed").await, ("exited".into(), 137));
    let err = step(
        "kill stopped",
        docker.kill_container("renamed", None::<q::KillContainerOptions>),
    )
    .await
    .expect_err("not running");
    let (status, message) = server_error(err);
    assert_eq!(status, 409);
    assert!(message.ends_with("is not running"), "{message}");

    let pruned = step(
        "prune",
        docker.prune_containers(None::<q::PruneContainersOptions>),
    )
    .await
    .expect("prune");
    assert_eq!(pruned.containers_deleted, Some(vec![id.clone()]));
    let err = step("inspect gone", docker.inspect_container(&id, None))
        .await
        .expect_err("gone");
    assert_eq!(server_error(err), (404, format!("No such container: {id}")));

    create(&docker, "rm-me", body("alpine", &["sleep", "1000"])).await;
    step(
        "start",
        docker.start_container("rm-me", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    let err = step(
        "remove running",
        docker.remove_container("rm-me", None::<q::RemoveContainerOptions>),
    )
    .await
    .expect_err("running");
    assert_eq!(server_error(err).0, 409);
    let force = q::RemoveContainerOptionsBuilder::default()
        .force(true)
        .build();
    step("remove", docker.remove_container("rm-me", Some(force)))
        .await
        .expect("remove -f");
}

#[tokio::test]
async fn attach_wait_and_exit_codes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    // Attach with stdin: the shell reads its script from stdin.
    let mut cfg = body("alpine", &["cat"]);
    cfg.open_stdin = Some(true);
    cfg.stdin_once = Some(true);
    cfg.attach_stdin = Some(true);
    create(&docker, "att", cfg).await;
    let options = q::AttachContainerOptionsBuilder::default()
        .stdin(true)
        .stdout(true)
        .stderr(true)
        .stream(true)
        .build();
    let mut attached = step("attach", docker.attach_container("att", Some(options)))
        .await
        .expect("attach");
    // bollard's wait stream is lazy: nothing is sent until it is polled (after
    // the start). The default condition, not-running, holds either way.
    let mut wait = Box::pin(docker.wait_container("att", None::<q::WaitContainerOptions>));
    step(
        "start",
        docker.start_container("att", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    attached.input.write_all(b"hello\n").await.expect("stdin");
    attached.input.shutdown().await.expect("half-close");
    let output: Vec<String> = step("output", attached.output.try_collect::<Vec<_>>())
        .await
        .expect("output")
        .into_iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(output.concat(), "hello\n");
    let waited = step("wait", wait.next())
        .await
        .expect("one item")
        .expect("wait");
    assert_eq!(waited.status_code, 0);

    // A non-zero exit: bollard's wait yields an error carrying the code.
    create(&docker, "three", body("alpine", &["sh", "-c", "exit 3"])).await;
    step(
        "start",
        docker.start_container("three", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    let not_running = q::WaitContainerOptionsBuilder::default()
        .condition("not-running")
        .build();
    let waited = step(
        "wait 3",
        docker.wait_container("three", Some(not_running)).next(),
    )
    .await
    .expect("one item");
    match waited {
        Err(BollardError::DockerContainerWaitError { code, .. }) => assert_eq!(code, 3),
        other => panic!("expected a wait error with code 3, got {other:?}"),
    }
    let bad = q::WaitContainerOptionsBuilder::default()
        .condition("bogus")
        .build();
    let err = step("bad wait", docker.wait_container("three", Some(bad)).next())
        .await
        .expect("one item")
        .expect_err("bad condition");
    assert_eq!(
        server_error(err),
        (400, "invalid condition: \"bogus\"".to_string())
    );
}

#[tokio::test]
async fn exec_attached_detached_and_inspect() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    create(&docker, "ex", body("alpine", &["sleep", "1000"])).await;
    step(
        "start",
        docker.start_container("ex", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    let exec = step(
        "exec create",
        docker.create_exec(
            "ex",
            CreateExecOptions {
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                cmd: Some(vec!["sh", "-c", "echo out; echo err >&2; exit 4"]),
                ..Default::default()
            },
        ),
    )
    .await
    .expect("exec create");
    let started = step("exec start", docker.start_exec(&exec.id, None))
        .await
        .expect("exec start");
    let StartExecResults::Attached { output, .. } = started else {
        panic!("expected an attached exec");
    };
    let mut out = String::new();
    let mut err = String::new();
    for item in step("exec output", output.try_collect::<Vec<_>>())
        .await
        .expect("exec output")
    {
        match item {
            bollard::container::LogOutput::StdOut { message } => {
                out.push_str(&String::from_utf8_lossy(&message))
            }
            bollard::container::LogOutput::StdErr { message } => {
                err.push_str(&String::from_utf8_lossy(&message))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((out.as_str(), err.as_str()), ("out\n", "err\n"));
    let inspect = step("exec inspect", docker.inspect_exec(&exec.id))
        .await
        .expect("exec inspect");
    assert_eq!(inspect.exit_code, Some(4));
    assert_eq!(inspect.running, Some(false));

    let detached = step(
        "exec create",
        docker.create_exec(
            "ex",
            CreateExecOptions {
                cmd: Some(vec!["sh", "-c", "exit 2"]),
                ..Default::default()
            },
        ),
    )
    .await
    .expect("exec create");
    let started = step(
        "exec start detached",
        docker.start_exec(
            &detached.id,
            Some(StartExecOptions {
                detach: true,
                ..Default::default()
            }),
        ),
    )
    .await
    .expect("detached start");
    assert!(matches!(started, StartExecResults::Detached));
    let code = common::poll_until_async("the detached exec to end", || async {
        let i = docker.inspect_exec(&detached.id).await.ok()?;
        (i.running == Some(false)).then_some(i.exit_code)
    })
    .await;
    assert_eq!(code, Some(2));
    let resize = q::ResizeExecOptionsBuilder::default().h(24).w(80).build();
    step("exec resize", docker.resize_exec(&exec.id, resize))
        .await
        .expect("exec resize");
    let err = step("exec inspect missing", docker.inspect_exec("nosuch"))
        .await
        .expect_err("missing");
    assert_eq!(server_error(err).0, 404);
}

#[tokio::test]
async fn logs_and_stats_streams() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    create(
        &docker,
        "chatty",
        body(
            "alpine",
            &["sh", "-c", "echo one; echo two >&2; sleep 1000"],
        ),
    )
    .await;
    step(
        "start",
        docker.start_container("chatty", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    // Follow: the records so far, then it ends when the container stops.
    let follow = q::LogsOptionsBuilder::default()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .build();
    let mut logs = Box::pin(docker.logs("chatty", Some(follow)));
    let first = step("first record", logs.next())
        .await
        .expect("a record")
        .expect("ok");
    assert_eq!(first.to_string(), "one\n");
    let second = step("second record", logs.next())
        .await
        .expect("a record")
        .expect("ok");
    assert!(
        matches!(&second, bollard::container::LogOutput::StdErr { message } if &message[..] == b"two\n"),
        "{second:?}"
    );
    let stats = q::StatsOptionsBuilder::default()
        .stream(false)
        .one_shot(true)
        .build();
    let one = step(
        "stats",
        docker.stats("chatty", Some(stats)).try_collect::<Vec<_>>(),
    )
    .await
    .expect("stats");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name.as_deref(), Some("/chatty"));
    let streamed = step(
        "stats stream",
        docker
            .stats("chatty", None::<q::StatsOptions>)
            .take(2)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("stats stream");
    assert_eq!(streamed.len(), 2);
    step(
        "stop",
        docker.stop_container("chatty", None::<q::StopContainerOptions>),
    )
    .await
    .expect("stop");
    assert!(step("log end", logs.next()).await.is_none());
    // Not following, with timestamps: 9 fractional digits.
    let stamped = q::LogsOptionsBuilder::default()
        .stdout(true)
        .timestamps(true)
        .build();
    let lines = step(
        "logs",
        docker.logs("chatty", Some(stamped)).try_collect::<Vec<_>>(),
    )
    .await
    .expect("logs");
    assert_eq!(lines.len(), 1);
    let line = lines[0].to_string();
    let (stamp, text) = line.split_once(' ').expect("timestamp");
    assert_eq!(text, "one\n");
    assert_eq!(
        stamp.len(),
        "2024-01-01T00:00:00.000000000Z".len(),
        "{stamp}"
    );
}

#[tokio::test]
async fn update_is_501_and_the_file_routes_answer() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    create(&docker, "idle", body("alpine", &["sleep", "1000"])).await;
    let update = step(
        "update",
        docker.update_container("idle", bollard::models::ContainerUpdateBody::default()),
    )
    .await
    .expect_err("update");
    let (status, message) = server_error(update);
    assert_eq!(status, 501, "update: {message}");
    assert!(
        message.ends_with("is not supported by sockerless"),
        "{message}"
    );
    let changes = step("changes", docker.container_changes("idle"))
        .await
        .expect("changes");
    assert_eq!(changes.unwrap_or_default().len(), 0);
    let export = step(
        "export",
        docker.export_container("idle").try_collect::<Vec<_>>(),
    )
    .await
    .expect("export");
    assert!(!export.is_empty());
    let archive = q::DownloadFromContainerOptionsBuilder::default()
        .path("/etc/hostname")
        .build();
    let download = step(
        "archive",
        docker
            .download_from_container("idle", Some(archive))
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("archive");
    let tar: Vec<u8> = download.concat();
    assert_eq!(&tar[..8], b"hostname");
    let commit = q::CommitContainerOptionsBuilder::default()
        .container("idle")
        .repo("snapshot")
        .build();
    let committed = step(
        "commit",
        docker.commit_container(commit, bollard::models::ContainerConfig::default()),
    )
    .await
    .expect("commit");
    assert!(committed.id.starts_with("sha256:"), "{}", committed.id);
}
