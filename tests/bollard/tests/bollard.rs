//! bollard 0.21 against `sockerless`: every route of the frontend's table from
//! Rust, through the client most Rust tools use. bollard sends every path
//! unversioned and `Content-Type: application/json` on every request.

#[path = "../../docker_common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Ipam, IpamConfig, NetworkConnectRequest,
    NetworkCreateRequest, NetworkDisconnectRequest, PortBinding, VolumeCreateRequest,
};
use bollard::query_parameters as q;
use bollard::{ClientVersion, Docker};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

use common::Daemon;

/// Deadline for any one client call or stream in these tests.
const STEP: Duration = Duration::from_secs(20);

fn client(daemon: &Daemon) -> Docker {
    Docker::connect_with_unix(
        &daemon.socket.to_string_lossy(),
        30,
        &ClientVersion {
            major_version: 1,
            minor_version: 44,
        },
    )
    .expect("bollard client")
}

/// Awaits `fut` within [`STEP`].
async fn step<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    timeout(STEP, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {STEP:?}"))
}

/// The status and message of a server error.
fn server_error(e: BollardError) -> (u16, String) {
    match e {
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => (status_code, message),
        other => panic!("expected a server error, got {other:?}"),
    }
}

async fn pull(docker: &Docker, image: &str) -> Vec<String> {
    let options = q::CreateImageOptionsBuilder::default()
        .from_image(image)
        .build();
    step(
        "pull",
        docker
            .create_image(Some(options), None, None)
            .map_ok(|info| info.status.unwrap_or_default())
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("pull")
}

fn body(image: &str, cmd: &[&str]) -> ContainerCreateBody {
    ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

async fn create(docker: &Docker, name: &str, body: ContainerCreateBody) -> String {
    let options = q::CreateContainerOptionsBuilder::default()
        .name(name)
        .build();
    step("create", docker.create_container(Some(options), body))
        .await
        .expect("create")
        .id
}

async fn state(docker: &Docker, name: &str) -> (String, i64) {
    let inspect = step("inspect", docker.inspect_container(name, None))
        .await
        .expect("inspect");
    let state = inspect.state.expect("state");
    (
        state.status.map(|s| s.to_string()).unwrap_or_default(),
        state.exit_code.unwrap_or(-1),
    )
}

#[tokio::test]
async fn system_routes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    assert_eq!(step("ping", docker.ping()).await.expect("ping"), "OK");
    let version = step("version", docker.version()).await.expect("version");
    assert_eq!(version.api_version.as_deref(), Some("1.44"));
    assert_eq!(version.min_api_version.as_deref(), Some("1.24"));
    assert_eq!(version.os.as_deref(), Some("linux"));
    let components = version.components.expect("components");
    assert_eq!(components[0].name, "Engine");
    let details = components[0].details.as_ref().expect("Engine details");
    assert_eq!(details.get("ApiVersion").map(String::as_str), Some("1.44"));
    let negotiated = step("negotiate", docker.clone().negotiate_version())
        .await
        .expect("negotiate");
    assert_eq!(negotiated.client_version().to_string(), "1.44");
    let info = step("info", negotiated.info()).await.expect("info");
    assert_eq!(info.os_type.as_deref(), Some("linux"));
    assert_eq!(info.containers, Some(0));
    step("df", docker.df(None)).await.expect("df");
}

#[tokio::test]
async fn pull_progress_and_image_routes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let statuses = pull(&docker, "alpine").await;
    assert_eq!(statuses[0], "Pulling from library/alpine");
    assert!(
        statuses.iter().any(|s| s == "Pulling fs layer"),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|s| s == "Pull complete"),
        "{statuses:?}"
    );
    assert!(statuses[statuses.len() - 2].starts_with("Digest: sha256:"));
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("Status: Downloaded newer image for alpine:latest")
    );
    // A bad reference is a plain HTTP error, before any progress.
    let bad = q::CreateImageOptionsBuilder::default()
        .from_image("Alpine")
        .build();
    let err = step(
        "bad pull",
        docker
            .create_image(Some(bad), None, None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("bad reference");
    assert_eq!(
        server_error(err),
        (
            400,
            "invalid reference format: repository name (library/Alpine) must be lowercase".into()
        )
    );

    let list = step("list", docker.list_images(None::<q::ListImagesOptions>))
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].repo_tags, ["alpine:latest"]);
    let inspect = step("inspect", docker.inspect_image("alpine"))
        .await
        .expect("inspect");
    assert_eq!(inspect.id.as_deref(), Some(list[0].id.as_str()));
    let err = step("inspect missing", docker.inspect_image("nosuch"))
        .await
        .expect_err("missing");
    assert_eq!(
        server_error(err),
        (404, "No such image: nosuch:latest".into())
    );

    // An image used by a container cannot be removed without force.
    create(&docker, "user", body("alpine", &["true"])).await;
    let err = step(
        "remove used",
        docker.remove_image("alpine", None::<q::RemoveImageOptions>, None),
    )
    .await
    .expect_err("conflict");
    let (status, message) = server_error(err);
    assert_eq!(status, 409, "{message}");
    assert!(
        message.starts_with(
            "conflict: unable to remove repository reference \"alpine\" (must force) - container "
        ),
        "{message}"
    );
    let tag = q::TagImageOptionsBuilder::default()
        .repo("my/alpine")
        .tag("v1")
        .build();
    step("tag", docker.tag_image("alpine", Some(tag)))
        .await
        .expect("tag");
    // A name with a slash routes to the right image.
    let mine = step("inspect my/alpine", docker.inspect_image("my/alpine:v1"))
        .await
        .expect("inspect tag");
    assert_eq!(mine.id, inspect.id);

    let removed = step(
        "remove tag",
        docker.remove_image("my/alpine:v1", None::<q::RemoveImageOptions>, None),
    )
    .await
    .expect("remove tag");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].untagged.as_deref(), Some("my/alpine:v1"));

    let pruned = step("prune", docker.prune_images(None::<q::PruneImagesOptions>))
        .await
        .expect("prune");
    assert_eq!(pruned.images_deleted.unwrap_or_default(), []);
    assert_eq!(pruned.space_reclaimed, Some(0));
    let build = step(
        "build prune",
        docker.prune_build(None::<q::PruneBuildOptions>),
    )
    .await
    .expect("build prune");
    assert_eq!(
        build.caches_deleted.unwrap_or_default(),
        Vec::<String>::new()
    );
    assert_eq!(build.space_reclaimed, Some(0));
}

#[tokio::test]
async fn unsupported_image_routes_are_501() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let err = step("history", docker.image_history("alpine"))
        .await
        .expect_err("history");
    let (status, message) = server_error(err);
    assert_eq!(status, 501);
    assert!(message.contains("not supported"), "{message}");
    let search = q::SearchImagesOptionsBuilder::default().term("x").build();
    let err = step("search", docker.search_images(search))
        .await
        .expect_err("search");
    assert_eq!(server_error(err).0, 501);
    let push = step(
        "push",
        docker
            .push_image("alpine", None::<q::PushImageOptions>, None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("push");
    assert_eq!(server_error(push).0, 501);
}

#[tokio::test]
async fn load_an_archive() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let tar = common::image_archive("loaded/app:2.0");
    let options = q::ImportImageOptionsBuilder::default().quiet(true).build();
    let records = step(
        "load",
        docker
            .import_image(options, bollard::body_full(tar.into()), None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("load");
    let streams: Vec<String> = records.into_iter().filter_map(|r| r.stream).collect();
    assert_eq!(streams, ["Loaded image: loaded/app:2.0\n"]);
    let inspect = step("inspect", docker.inspect_image("loaded/app:2.0"))
        .await
        .expect("inspect");
    assert_eq!(
        inspect.config.and_then(|c| c.cmd),
        Some(vec!["/app".to_string()])
    );
}

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
    // Register the wait before starting (bollard's stream is lazy: poll it now).
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
async fn networks() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let created = step(
        "network create",
        docker.create_network(NetworkCreateRequest {
            name: "n1".into(),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some("10.9.0.0/24".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }),
    )
    .await
    .expect("network create");
    assert_eq!(created.id.len(), 64);
    let err = step(
        "duplicate",
        docker.create_network(NetworkCreateRequest {
            name: "n1".into(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("duplicate");
    assert_eq!(server_error(err).0, 409);
    let list = step(
        "network list",
        docker.list_networks(None::<q::ListNetworksOptions>),
    )
    .await
    .expect("list");
    let mut names: Vec<String> = list.into_iter().filter_map(|n| n.name).collect();
    names.sort();
    assert_eq!(names, ["bridge", "host", "n1", "none"]);
    create(&docker, "c1", body("alpine", &["sleep", "1000"])).await;
    step(
        "start",
        docker.start_container("c1", None::<q::StartContainerOptions>),
    )
    .await
    .expect("start");
    step(
        "connect",
        docker.connect_network(
            "n1",
            NetworkConnectRequest {
                container: "c1".into(),
                endpoint_config: Some(EndpointSettings {
                    aliases: Some(vec!["a1".into()]),
                    ..Default::default()
                }),
            },
        ),
    )
    .await
    .expect("connect");
    let inspect = step(
        "network inspect",
        docker.inspect_network("n1", None::<q::InspectNetworkOptions>),
    )
    .await
    .expect("inspect");
    let members = inspect.containers.unwrap_or_default();
    assert_eq!(members.len(), 1);
    let err = step("remove in use", docker.remove_network("n1"))
        .await
        .expect_err("in use");
    assert_eq!(server_error(err).0, 403);
    step(
        "disconnect",
        docker.disconnect_network(
            "n1",
            NetworkDisconnectRequest {
                container: "c1".into(),
                force: Some(true),
            },
        ),
    )
    .await
    .expect("disconnect");
    step("remove", docker.remove_network("n1"))
        .await
        .expect("remove");
    let err = step(
        "inspect gone",
        docker.inspect_network("n1", None::<q::InspectNetworkOptions>),
    )
    .await
    .expect_err("gone");
    assert_eq!(server_error(err), (404, "network n1 not found".into()));
    step(
        "network create",
        docker.create_network(NetworkCreateRequest {
            name: "spare".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("create spare");
    let pruned = step(
        "prune",
        docker.prune_networks(None::<q::PruneNetworksOptions>),
    )
    .await
    .expect("prune");
    assert_eq!(pruned.networks_deleted, Some(vec!["spare".to_string()]));
}

#[tokio::test]
async fn volumes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let volume = step(
        "volume create",
        docker.create_volume(VolumeCreateRequest {
            name: Some("v1".into()),
            labels: Some(HashMap::from([("x".to_string(), "y".to_string())])),
            ..Default::default()
        }),
    )
    .await
    .expect("create");
    assert_eq!(volume.name, "v1");
    assert_eq!(volume.mountpoint, "/var/lib/docker/volumes/v1/_data");
    let list = step(
        "volume list",
        docker.list_volumes(None::<q::ListVolumesOptions>),
    )
    .await
    .expect("list");
    assert_eq!(list.warnings, Some(vec![]));
    let names: Vec<String> = list
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["v1"]);
    let mut cfg = body("alpine", &["true"]);
    cfg.host_config = Some(HostConfig {
        binds: Some(vec!["v1:/data".into()]),
        port_bindings: Some(HashMap::from([(
            "80/tcp".to_string(),
            Some(vec![PortBinding {
                host_ip: None,
                host_port: Some(String::new()),
            }]),
        )])),
        ..Default::default()
    });
    create(&docker, "user", cfg).await;
    let err = step(
        "remove used",
        docker.remove_volume("v1", None::<q::RemoveVolumeOptions>),
    )
    .await
    .expect_err("in use");
    assert_eq!(server_error(err).0, 409);
    let force = q::RemoveContainerOptionsBuilder::default()
        .force(true)
        .build();
    step(
        "remove container",
        docker.remove_container("user", Some(force)),
    )
    .await
    .expect("remove container");
    let pruned = step(
        "prune",
        docker.prune_volumes(Some(
            q::PruneVolumesOptionsBuilder::default()
                .filters(&HashMap::from([("all", vec!["true"])]))
                .build(),
        )),
    )
    .await
    .expect("prune");
    assert_eq!(pruned.volumes_deleted, Some(vec!["v1".to_string()]));
    let err = step("inspect gone", docker.inspect_volume("v1"))
        .await
        .expect_err("gone");
    assert_eq!(server_error(err), (404, "get v1: no such volume".into()));
}

#[tokio::test]
async fn events_replay_and_live() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let since = common::now_unix();
    pull(&docker, "alpine").await;
    create(&docker, "ev", body("alpine", &["true"])).await;
    // Replay: since..until, both in the past or now — the stream ends.
    let until = common::now_unix() + 1;
    let options = q::EventsOptionsBuilder::default()
        .since(&since.to_string())
        .until(&until.to_string())
        .build();
    let events = step(
        "events replay",
        docker.events(Some(options)).try_collect::<Vec<_>>(),
    )
    .await
    .expect("events");
    let actions: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.typ.map(|t| t.to_string()).unwrap_or_default(),
                e.action.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(actions, ["image pull", "container create"]);
    // Live: a stream with `since` and no `until` replays, then follows; a
    // volume created while it is open arrives on it.
    let live = q::EventsOptionsBuilder::default()
        .since(&since.to_string())
        .filters(&HashMap::from([("type", vec!["volume"])]))
        .build();
    let mut stream = Box::pin(docker.events(Some(live)));
    let next = tokio::spawn(async move { stream.next().await });
    step(
        "volume create",
        docker.create_volume(VolumeCreateRequest {
            name: Some("live".into()),
            ..Default::default()
        }),
    )
    .await
    .expect("volume create");
    let event = step("live event", next)
        .await
        .expect("task")
        .expect("an event")
        .expect("ok");
    assert_eq!(event.action.as_deref(), Some("create"));
    assert_eq!(event.actor.and_then(|a| a.id).as_deref(), Some("live"));
    let until_before_since = q::EventsOptionsBuilder::default()
        .since("200")
        .until("100")
        .build();
    let err = step(
        "bad window",
        docker
            .events(Some(until_before_since))
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("until < since");
    assert_eq!(server_error(err).0, 400);
}
