//! The real `docker` CLI (28.2.2) against `sockerless` on a temp socket: each
//! test starts its own daemon, runs `docker` with `DOCKER_HOST=unix://<socket>`
//! and a deadline, and asserts exact output and exit codes.

use std::process::Command;
use std::time::Duration;

use super::common::{now_unix, poll_until, run_with_timeout, Daemon, Output, COMMAND_TIMEOUT};

/// A daemon plus a private docker config dir (no contexts, no credential helpers).
pub(super) struct Cli {
    pub(super) daemon: Daemon,
    config: tempfile::TempDir,
}

impl Cli {
    /// A fresh daemon ([`Daemon::start`]) and its CLI.
    pub(super) fn start() -> Cli {
        Cli::with_daemon(Daemon::start())
    }

    /// The CLI of `daemon`; fails when there is no `docker` on PATH.
    pub(super) fn with_daemon(daemon: Daemon) -> Cli {
        let found = Command::new("docker")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
        match found {
            Ok(v) if v.starts_with("Docker version") => {}
            _ => panic!(
                "the docker CLI is not on PATH; install it (docker-ce-cli 28.2.2 from \
                 Docker's apt repository, or the static binary docker-28.2.2.tgz, into \
                 /usr/local/bin) — these tests need only the client, no Docker daemon"
            ),
        }
        Cli {
            daemon,
            config: tempfile::tempdir().expect("config dir"),
        }
    }

    /// `docker args…` with this daemon and config, not yet run.
    pub(super) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("docker");
        cmd.args(args)
            .env("DOCKER_HOST", self.daemon.host())
            .env("DOCKER_CONFIG", self.config.path())
            .env("DOCKER_CLI_HINTS", "false")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_API_VERSION")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH");
        cmd
    }

    /// `docker events --since S --until U [--filter F] --format T`: the
    /// events of a closed window, as the CLI prints them.
    pub(super) fn events(
        &self,
        since: u64,
        until: u64,
        filter: Option<&str>,
        format: &str,
    ) -> String {
        let (since, until) = (since.to_string(), until.to_string());
        let mut args = vec!["events", "--since", &since, "--until", &until];
        if let Some(f) = filter {
            args.extend(["--filter", f]);
        }
        args.extend(["--format", format]);
        self.ok(&args)
    }

    /// Runs `docker args…` to completion.
    pub(super) fn run(&self, args: &[&str]) -> Output {
        run_with_timeout(self.command(args), None, COMMAND_TIMEOUT)
    }

    /// Runs `docker args…` with `input` on stdin.
    pub(super) fn run_input(&self, args: &[&str], input: &[u8]) -> Output {
        run_with_timeout(self.command(args), Some(input), COMMAND_TIMEOUT)
    }

    /// Runs `docker args…`, asserts exit 0 and returns stdout.
    pub(super) fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            Some(0),
            "docker {args:?} failed: {out:?}\ndaemon log:\n{}",
            self.daemon.log()
        );
        out.stdout
    }

    /// Runs `docker args…`, asserts it failed with `code` and returns stderr.
    pub(super) fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.code, Some(code), "docker {args:?}: {out:?}");
        out.stderr
    }

    /// `docker pull -q alpine`.
    pub(super) fn pull_alpine(&self) {
        self.ok(&["pull", "-q", "alpine"]);
    }
}

#[test]
fn version_shows_the_engine_details() {
    let cli = Cli::start();
    let out = cli.ok(&[
        "version",
        "--format",
        "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}} {{.Client.APIVersion}}",
    ]);
    assert_eq!(out, "1.44 1.24 linux 1.44\n");
    let full = cli.ok(&["version"]);
    assert!(
        full.contains("API version:      1.44 (minimum version 1.24)"),
        "{full}"
    );
    assert!(full.contains("Engine:"), "{full}");
}

#[test]
fn info_renders() {
    let cli = Cli::start();
    assert_eq!(
        cli.ok(&["info", "--format", "{{.OSType}} {{.Swarm.LocalNodeState}}"]),
        "linux inactive\n"
    );
    let out = cli.run(&["info"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("Server Version:"), "{}", out.stdout);
    assert!(!out.stderr.contains("ERROR"), "{}", out.stderr);
}

#[test]
fn pull_then_images() {
    let cli = Cli::start();
    let out = cli.ok(&["pull", "alpine"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"Using default tag: latest"), "{out}");
    assert!(
        out.contains("Status: Downloaded newer image for alpine:latest"),
        "{out}"
    );
    assert_eq!(
        lines.last(),
        Some(&"docker.io/library/alpine:latest"),
        "{out}"
    );
    // A second pull is up to date.
    let again = cli.ok(&["pull", "alpine"]);
    assert!(
        again.contains("Status: Image is up to date for alpine:latest"),
        "{again}"
    );
    cli.ok(&["pull", "-q", "busybox:1.36"]);
    let mut images: Vec<String> = cli
        .ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .lines()
        .map(str::to_string)
        .collect();
    images.sort();
    assert_eq!(images, ["alpine:latest", "busybox:1.36"]);
    let id = cli.ok(&["image", "inspect", "-f", "{{.Id}}", "alpine"]);
    assert!(id.starts_with("sha256:") && id.len() == 72, "{id}");
    // A digest reference, and a platform.
    let digest = cli.ok(&[
        "image",
        "inspect",
        "-f",
        "{{index .RepoDigests 0}}",
        "alpine",
    ]);
    let digest = digest.trim();
    assert_eq!(
        cli.ok(&["pull", "-q", digest]),
        format!("docker.io/library/{digest}\n")
    );
    cli.ok(&["pull", "-q", "--platform", "linux/arm64", "busybox"]);
    assert_eq!(
        cli.ok(&[
            "image",
            "inspect",
            "-f",
            "{{.Os}}/{{.Architecture}}",
            "busybox"
        ]),
        "linux/arm64\n"
    );
    let err = cli.fails(&["pull", "--platform", "windows/amd64", "alpine"], 1);
    assert!(
        err.ends_with(
            "Error response from daemon: image operating system \"windows\" cannot be used on this platform\n"
        ),
        "{err}"
    );
    let err = cli.fails(&["image", "inspect", "nosuch"], 1);
    assert!(err.contains("No such image: nosuch"), "{err}");
}

#[test]
fn login_with_password_stdin() {
    let cli = Cli::start();
    let out = cli.run_input(
        &["login", "-u", "user", "--password-stdin", "localhost:5000"],
        b"pw\n",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "Login Succeeded\n");
}

#[test]
fn tag_rmi_and_image_prune() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["tag", "alpine", "my/alpine:v1"]);
    // The CLI groups an image's tags by repository in a Go map: any order.
    let mut images: Vec<String> = cli
        .ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .lines()
        .map(str::to_string)
        .collect();
    images.sort();
    assert_eq!(images, ["alpine:latest", "my/alpine:v1"]);
    assert_eq!(cli.ok(&["rmi", "my/alpine:v1"]), "Untagged: my/alpine:v1\n");
    // Nothing dangling: prune removes nothing.
    assert_eq!(
        cli.ok(&["image", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );
    // -a removes every unused image.
    let out = cli.ok(&["image", "prune", "-af"]);
    assert!(
        out.starts_with("Deleted Images:\nuntagged: alpine:latest\n"),
        "{out}"
    );
    assert_eq!(cli.ok(&["images", "-q"]), "");
}

#[test]
fn run_rm_echo_prints_hi() {
    let cli = Cli::start();
    let out = cli.run(&["run", "--rm", "alpine", "echo", "hi"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "hi\n");
    // --rm: nothing left behind.
    assert_eq!(cli.ok(&["ps", "-aq"]), "");
}

#[test]
fn run_exit_code_is_the_cli_status() {
    let cli = Cli::start();
    cli.pull_alpine();
    let out = cli.run(&["run", "alpine", "sh", "-c", "exit 3"]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert_eq!(out.stdout, "");
}

#[test]
fn run_interactive_pipes_stdin() {
    let cli = Cli::start();
    cli.pull_alpine();
    let out = cli.run_input(&["run", "-i", "--rm", "alpine", "cat"], b"hi\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "hi\n");
}

#[test]
fn run_detached_logs_follow_and_stop() {
    let cli = Cli::start();
    cli.pull_alpine();
    let id = cli.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "alpine",
        "sh",
        "-c",
        "echo started; sleep 1000",
    ]);
    assert_eq!(id.trim().len(), 64, "{id}");
    // logs -f follows until the container stops.
    let mut follow = cli.command(&["logs", "-f", "web"]);
    follow.stdout(std::process::Stdio::piped());
    let follower = std::thread::spawn(move || run_with_timeout(follow, None, COMMAND_TIMEOUT));
    poll_until("the start line in the log", Duration::from_secs(10), || {
        (cli.ok(&["logs", "web"]) == "started\n").then_some(())
    });
    assert_eq!(cli.ok(&["stop", "web"]), "web\n");
    let logs = follower.join().expect("logs -f");
    assert_eq!(logs.code, Some(0), "{logs:?}");
    assert_eq!(logs.stdout, "started\n");
    assert_eq!(
        cli.ok(&["inspect", "-f", "{{.State.ExitCode}}", "web"]),
        "143\n"
    );
    assert_eq!(cli.ok(&["wait", "web"]), "143\n");
}

#[test]
fn kill_gives_137() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["run", "-d", "--name", "killed", "alpine", "sleep", "1000"]);
    assert_eq!(cli.ok(&["kill", "killed"]), "killed\n");
    assert_eq!(
        cli.ok(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            "killed"
        ]),
        "exited 137\n"
    );
}

#[test]
fn ps_filters_and_inspect_format() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["run", "--name", "done", "--label", "a=b", "alpine", "true"]);
    cli.ok(&[
        "run", "-d", "--name", "up", "--label", "a=b", "alpine", "sleep", "1000",
    ]);
    cli.ok(&["create", "--name", "new", "alpine", "true"]);
    assert_eq!(cli.ok(&["ps", "--format", "{{.Names}}"]), "up\n");
    assert_eq!(
        cli.ok(&[
            "ps",
            "-a",
            "--filter",
            "status=exited",
            "--format",
            "{{.Names}}"
        ]),
        "done\n"
    );
    assert_eq!(
        cli.ok(&[
            "ps",
            "-a",
            "--filter",
            "label=a=b",
            "--format",
            "{{.Names}} {{.Status}}"
        ])
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect::<Vec<_>>(),
        ["up", "done"]
    );
    assert_eq!(
        cli.ok(&[
            "ps",
            "-a",
            "--filter",
            "status=created",
            "--format",
            "{{.Names}}"
        ]),
        "new\n"
    );
    assert_eq!(
        cli.ok(&[
            "inspect",
            "-f",
            "{{.Name}} {{.Config.Image}} {{.State.Running}}",
            "up"
        ]),
        "/up alpine true\n"
    );
}

#[test]
fn exec_output_and_exit_code() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["run", "-d", "--name", "box", "alpine", "sleep", "1000"]);
    assert_eq!(cli.ok(&["exec", "box", "echo", "hi"]), "hi\n");
    let out = cli.run(&["exec", "box", "sh", "-c", "echo oops >&2; exit 5"]);
    assert_eq!(out.code, Some(5), "{out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "oops\n");
    let piped = cli.run_input(&["exec", "-i", "box", "cat"], b"through stdin\n");
    assert_eq!(piped.code, Some(0), "{piped:?}");
    assert_eq!(piped.stdout, "through stdin\n");
    assert_eq!(cli.ok(&["exec", "-d", "box", "sleep", "1"]), "");
}

#[test]
fn wait_rename_pause_unpause_rm() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["run", "-d", "--name", "first", "alpine", "sleep", "1000"]);
    cli.ok(&["rename", "first", "second"]);
    assert_eq!(cli.ok(&["ps", "--format", "{{.Names}}"]), "second\n");
    assert_eq!(cli.ok(&["pause", "second"]), "second\n");
    assert_eq!(
        cli.ok(&["inspect", "-f", "{{.State.Status}}", "second"]),
        "paused\n"
    );
    assert_eq!(cli.ok(&["unpause", "second"]), "second\n");
    assert_eq!(
        cli.ok(&["inspect", "-f", "{{.State.Status}}", "second"]),
        "running\n"
    );
    cli.ok(&[
        "run", "-d", "--name", "short", "alpine", "sh", "-c", "exit 7",
    ]);
    assert_eq!(cli.ok(&["wait", "short"]), "7\n");
    assert_eq!(cli.ok(&["rm", "-f", "second", "short"]), "second\nshort\n");
    assert_eq!(cli.ok(&["ps", "-aq"]), "");
}

#[test]
fn error_texts() {
    let cli = Cli::start();
    cli.pull_alpine();
    let err = cli.fails(&["rm", "nosuch"], 1);
    assert_eq!(
        err,
        "Error response from daemon: No such container: nosuch\n"
    );
    let err = cli.fails(&["inspect", "nosuch"], 1);
    assert_eq!(err, "Error: No such object: nosuch\n");
    let err = cli.fails(&["stop", "nosuch"], 1);
    assert_eq!(
        err,
        "Error response from daemon: No such container: nosuch\n"
    );
    let id = cli.ok(&["create", "--name", "dup", "alpine", "true"]);
    let id = id.trim();
    let conflict = format!(
        "Error response from daemon: Conflict. The container name \"/dup\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.\n"
    );
    let err = cli.fails(&["create", "--name", "dup", "alpine", "true"], 1);
    assert_eq!(err, conflict);
    // `docker run` prefixes `docker: ` and exits 125.
    let err = cli.fails(&["run", "--name", "dup", "alpine", "true"], 125);
    assert_eq!(
        err,
        format!("docker: {conflict}\nRun 'docker run --help' for more information\n")
    );
    cli.ok(&["run", "-d", "--name", "running", "alpine", "sleep", "1000"]);
    let err = cli.fails(&["rm", "running"], 1);
    assert_eq!(
        err,
        "Error response from daemon: cannot remove container \"/running\": container is running: stop the container before removing or force remove\n"
    );
}

#[test]
fn networks() {
    let cli = Cli::start();
    cli.pull_alpine();
    let id = cli.ok(&["network", "create", "--subnet", "10.9.0.0/24", "n1"]);
    assert_eq!(id.trim().len(), 64, "{id}");
    assert_eq!(
        cli.ok(&[
            "network",
            "ls",
            "--filter",
            "name=n1",
            "--format",
            "{{.Name}} {{.Driver}}"
        ]),
        "n1 bridge\n"
    );
    assert_eq!(
        cli.ok(&[
            "network",
            "inspect",
            "-f",
            "{{(index .IPAM.Config 0).Subnet}}",
            "n1"
        ]),
        "10.9.0.0/24\n"
    );
    cli.ok(&["run", "-d", "--name", "c1", "alpine", "sleep", "1000"]);
    assert_eq!(
        cli.ok(&["network", "connect", "--alias", "a1", "n1", "c1"]),
        ""
    );
    assert_eq!(
        cli.ok(&[
            "inspect",
            "-f",
            "{{(index .NetworkSettings.Networks \"n1\").IPAddress}}",
            "c1"
        ]),
        "10.9.0.2\n"
    );
    let err = cli.fails(&["network", "rm", "n1"], 1);
    assert!(err.contains("has active endpoints"), "{err}");
    assert_eq!(cli.ok(&["network", "disconnect", "n1", "c1"]), "");
    assert_eq!(cli.ok(&["network", "rm", "n1"]), "n1\n");
    let err = cli.fails(&["network", "inspect", "n1"], 1);
    assert_eq!(err, "Error response from daemon: network n1 not found\n");
    let err = cli.fails(&["network", "rm", "bridge"], 1);
    assert!(
        err.contains("bridge is a pre-defined network and cannot be removed"),
        "{err}"
    );
    cli.ok(&["network", "create", "unused"]);
    assert_eq!(
        cli.ok(&["network", "prune", "-f"]),
        "Deleted Networks:\nunused\n\n"
    );
}

#[test]
fn volumes_and_mounts() {
    let cli = Cli::start();
    cli.pull_alpine();
    assert_eq!(
        cli.ok(&["volume", "create", "--label", "x=y", "v1"]),
        "v1\n"
    );
    assert_eq!(
        cli.ok(&["volume", "ls", "--format", "{{.Name}} {{.Driver}}"]),
        "v1 local\n"
    );
    assert_eq!(
        cli.ok(&[
            "volume",
            "inspect",
            "-f",
            "{{.Mountpoint}} {{.Labels.x}}",
            "v1"
        ]),
        "/var/lib/docker/volumes/v1/_data y\n"
    );
    cli.ok(&["run", "--name", "mnt", "-v", "data:/data", "alpine", "true"]);
    assert_eq!(cli.ok(&["volume", "ls", "-q"]), "data\nv1\n");
    assert_eq!(
        cli.ok(&[
            "inspect",
            "-f",
            "{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}",
            "mnt"
        ]),
        "data:/data\n"
    );
    let err = cli.fails(&["volume", "rm", "data"], 1);
    assert!(err.contains("volume is in use"), "{err}");
    cli.ok(&["rm", "mnt"]);
    assert_eq!(cli.ok(&["volume", "rm", "data", "v1"]), "data\nv1\n");
    assert_eq!(cli.ok(&["volume", "ls", "-q"]), "");
    let err = cli.fails(&["volume", "inspect", "nosuch"], 1);
    assert_eq!(
        err,
        "Error response from daemon: get nosuch: no such volume\n"
    );
}

#[test]
fn published_ports() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&[
        "run", "-d", "--name", "pub", "-p", "8080", "alpine", "sleep", "1000",
    ]);
    let out = cli.ok(&["port", "pub"]);
    let line = out.lines().next().unwrap_or_default();
    let (left, host) = line.split_once(" -> ").unwrap_or_else(|| panic!("{out}"));
    assert_eq!(left, "8080/tcp");
    let port: u16 = host
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((32768..=60999).contains(&port), "{out}");
    cli.ok(&[
        "run",
        "-d",
        "--name",
        "fixed",
        "-p",
        "127.0.0.1:18080:80",
        "alpine",
        "sleep",
        "1000",
    ]);
    assert_eq!(cli.ok(&["port", "fixed", "80"]), "127.0.0.1:18080\n");
}

#[test]
fn events_since_until() {
    let cli = Cli::start();
    let start = now_unix();
    cli.pull_alpine();
    cli.ok(&["create", "--name", "ev", "alpine", "true"]);
    cli.ok(&["volume", "create", "evv"]);
    let until = now_unix() + 1;
    let out = cli.events(start, until, None, "{{.Type}} {{.Action}}");
    assert_eq!(out, "image pull\ncontainer create\nvolume create\n");
    let out = cli.events(
        start,
        until,
        Some("type=container"),
        "{{.Status}} {{.Actor.Attributes.name}}",
    );
    assert_eq!(out, "create ev\n");
}

#[test]
fn events_follow_until_interrupted() {
    use std::io::BufRead;
    let cli = Cli::start();
    let since = now_unix().to_string();
    // No --until: the CLI follows. --since makes the replay cover anything
    // that happens before the subscription is in place.
    let mut child = cli
        .command(&[
            "events",
            "--since",
            &since,
            "--filter",
            "type=volume",
            "--format",
            "{{.Type}} {{.Action}} {{.Actor.ID}}",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("docker events");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    cli.ok(&["volume", "create", "live1"]);
    cli.ok(&["volume", "create", "live2"]);
    let mut lines = Vec::new();
    while lines.len() < 2 {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(line)) => lines.push(line),
            other => {
                let _ = child.kill();
                panic!("no event line within 20 s: {other:?} after {lines:?}");
            }
        }
    }
    // Still following: the process has not exited on its own.
    assert!(matches!(child.try_wait(), Ok(None)), "docker events exited");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(lines, ["volume create live1", "volume create live2"]);
}

#[test]
fn stats_top_and_system_df() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&[
        "run", "-d", "--name", "st", "-v", "sv:/data", "alpine", "sleep", "1000",
    ]);
    let out = cli.ok(&["stats", "--no-stream", "--format", "{{.Name}}"]);
    assert_eq!(out, "st\n");
    let out = cli.ok(&[
        "stats",
        "--no-stream",
        "--format",
        "{{.Name}} {{.PIDs}}",
        "st",
    ]);
    assert_eq!(out, "st 1\n");
    let top = cli.ok(&["top", "st"]);
    let header = top.lines().next().unwrap_or_default();
    assert!(header.starts_with("UID"), "{top}");
    assert!(top.contains("sleep 1000"), "{top}");
    let df = cli.ok(&[
        "system",
        "df",
        "--format",
        "{{.Type}} {{.TotalCount}} {{.Active}}",
    ]);
    assert_eq!(
        df,
        "Images 1 1\nContainers 1 1\nLocal Volumes 1 1\nBuild Cache 0 0\n"
    );
    let verbose = cli.ok(&["system", "df", "-v"]);
    assert!(verbose.contains("Local Volumes space usage:"), "{verbose}");
    assert!(verbose.contains("sv "), "{verbose}");
}

#[test]
fn container_prune_removes_stopped() {
    let cli = Cli::start();
    cli.pull_alpine();
    let id = cli.ok(&["run", "--name", "gone", "alpine", "true"]);
    assert_eq!(id, "");
    let id = cli.ok(&["ps", "-aq", "--no-trunc"]);
    cli.ok(&["run", "-d", "--name", "stays", "alpine", "sleep", "1000"]);
    assert_eq!(
        cli.ok(&["container", "prune", "-f"]),
        format!("Deleted Containers:\n{id}\nTotal reclaimed space: 0B\n")
    );
    assert_eq!(cli.ok(&["ps", "-a", "--format", "{{.Names}}"]), "stays\n");
}

#[test]
fn load_from_a_file_and_from_stdin() {
    let cli = Cli::start();
    let tar = cli.daemon.dir().join("app.tar");
    std::fs::write(&tar, super::common::image_archive("loaded/app:2.0")).expect("write tar");
    assert_eq!(
        cli.ok(&["load", "-i", &tar.to_string_lossy()]),
        "Loaded image: loaded/app:2.0\n"
    );
    let piped = cli.run_input(&["load"], &super::common::image_archive("piped:1"));
    assert_eq!(piped.code, Some(0), "{piped:?}");
    assert_eq!(piped.stdout, "Loaded image: piped:1\n");
    let mut images: Vec<String> = cli
        .ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .lines()
        .map(str::to_string)
        .collect();
    images.sort();
    assert_eq!(images, ["loaded/app:2.0", "piped:1"]);
    assert_eq!(
        cli.ok(&["image", "inspect", "-f", "{{json .Config.Cmd}}", "piped:1"]),
        "[\"/app\"]\n"
    );
}

#[test]
fn unsupported_image_commands_say_so() {
    let cli = Cli::start();
    cli.pull_alpine();
    let err = cli.fails(&["history", "alpine"], 1);
    assert_eq!(
        err,
        "Error response from daemon: GET /images/alpine/history is not supported by sockerless\n"
    );
    let err = cli.fails(&["push", "alpine"], 1);
    assert!(
        err.ends_with(
            "Error response from daemon: POST /images/docker.io/library/alpine/push is not supported by sockerless\n"
        ),
        "{err}"
    );
    // Builder-Version 1 in /_ping steers the CLI to the legacy builder.
    let context = cli.daemon.dir().join("context");
    std::fs::create_dir(&context).expect("context dir");
    std::fs::write(context.join("Dockerfile"), "FROM alpine\n").expect("Dockerfile");
    // Exit 1 either way; the 501's words reach the CLI only when the daemon
    // reads the context it does not need before answering (not yet: the CLI
    // may see its upload cut instead).
    cli.fails(&["build", "-t", "built", &context.to_string_lossy()], 1);
    let err = cli.fails(&["search", "alpine"], 1);
    assert_eq!(
        err,
        "Error response from daemon: GET /images/search is not supported by sockerless\n"
    );
}
