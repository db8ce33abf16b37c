//! Differences from Docker Engine 26.1 that the fidelity corpus
//! (`tests/fidelity`, issue 15) found and sockerless fixed, each seen the way a
//! client sees it: through the real `docker` CLI.

use super::cli::Cli;
use super::common::now_unix;

/// Docker's router wraps every kill error in `cannot kill container: <ref>: `,
/// and checks the signal before it looks the container up.
#[test]
fn kill_errors_in_dockers_words() {
    let cli = Cli::start();
    cli.pull_alpine();
    let id = cli.ok(&["create", "--name", "idle", "alpine", "sleep", "100"]);
    let id = id.trim();
    assert_eq!(
        cli.fails(&["kill", "idle"], 1),
        format!(
            "Error response from daemon: cannot kill container: idle: container {id} is not running\n"
        )
    );
    assert_eq!(
        cli.fails(&["kill", "-s", "NOPE", "idle"], 1),
        "Error response from daemon: cannot kill container: idle: invalid signal: NOPE\n"
    );
    assert_eq!(
        cli.fails(&["kill", "-s", "99", "nosuch"], 1),
        "Error response from daemon: cannot kill container: nosuch: the linux daemon does not support signal 99\n"
    );
    assert_eq!(
        cli.fails(&["kill", "nosuch"], 1),
        "Error response from daemon: cannot kill container: nosuch: No such container: nosuch\n"
    );
}

/// Docker counts an image's containers only for `system df`; the image list
/// says -1 (the CLI shows N/A).
#[test]
fn image_list_does_not_count_containers() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&["create", "alpine", "true"]);
    assert_eq!(
        cli.ok(&["image", "ls", "--format", "{{.Repository}} {{.Containers}}"]),
        "alpine N/A\n"
    );
    let df = cli.ok(&["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]);
    assert!(df.starts_with("Images 1\nContainers 1\n"), "{df}");
}

/// Docker 26's event attributes: `die` has `execDuration` (whole seconds),
/// `exec_die` has `exitCode`, and the exec actions are `exec_create: <entrypoint>
/// <args…>` with the space after the entrypoint even without arguments.
#[test]
fn exec_and_die_events_carry_dockers_attributes() {
    let cli = Cli::start();
    let start = now_unix();
    cli.pull_alpine();
    cli.ok(&["run", "-d", "--name", "ev", "alpine", "sleep", "100"]);
    cli.ok(&["exec", "ev", "true"]);
    assert_eq!(cli.run(&["exec", "ev", "sh", "-c", "exit 3"]).code, Some(3));
    cli.ok(&["kill", "ev"]);
    let until = now_unix() + 1;
    let out = cli.events(
        start,
        until,
        Some("type=container"),
        "{{.Action}}|{{.Actor.Attributes.exitCode}}|{{.Actor.Attributes.execDuration}}",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..lines.len() - 1],
        [
            "create|<no value>|<no value>",
            "start|<no value>|<no value>",
            "exec_create: true |<no value>|<no value>",
            "exec_start: true |<no value>|<no value>",
            "exec_die|0|<no value>",
            "exec_create: sh -c exit 3|<no value>|<no value>",
            "exec_start: sh -c exit 3|<no value>|<no value>",
            "exec_die|3|<no value>",
            "kill|<no value>|<no value>",
        ],
        "{out}"
    );
    let die = lines[lines.len() - 1];
    let secs = die
        .strip_prefix("die|137|")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(secs.parse::<u64>().is_ok(), "{out}");
}

/// A container that has never started: connecting it records the network and
/// nothing more (no `connect` event until it starts; a second connect changes
/// nothing), its endpoints and log path are empty until the first start, and
/// the container is looked up before the network.
#[test]
fn a_created_container_is_connected_at_its_first_start() {
    let cli = Cli::start();
    let start = now_unix();
    cli.pull_alpine();
    cli.ok(&["network", "create", "n1"]);
    let id = cli.ok(&["create", "--name", "cc", "alpine", "sleep", "100"]);
    let id = id.trim();
    cli.ok(&["network", "connect", "n1", "cc"]);
    cli.ok(&["network", "connect", "n1", "cc"]);
    let endpoints = "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{len $v.NetworkID}} {{end}}|{{.LogPath}}";
    assert_eq!(
        cli.ok(&["inspect", "-f", endpoints, "cc"]),
        "bridge=0 n1=0 |\n"
    );
    assert_eq!(
        cli.fails(&["network", "disconnect", "n1", "nosuch"], 1),
        "Error response from daemon: No such container: nosuch\n"
    );
    cli.ok(&["network", "disconnect", "n1", "cc"]);
    assert_eq!(
        cli.fails(&["network", "disconnect", "n1", "cc"], 1),
        format!("Error response from daemon: container {id} is not connected to the network n1\n")
    );
    cli.ok(&["network", "connect", "n1", "cc"]);
    cli.ok(&["start", "cc"]);
    assert_eq!(
        cli.ok(&["inspect", "-f", endpoints, "cc"]),
        format!("bridge=64 n1=64 |/var/lib/docker/containers/{id}/{id}-json.log\n")
    );
    let until = now_unix() + 1;
    let out = cli.events(
        start,
        until,
        Some("type=network"),
        "{{.Action}} {{.Actor.Attributes.name}}",
    );
    assert_eq!(
        out,
        "create n1\ndisconnect n1\nconnect bridge\nconnect n1\n"
    );
}

/// Docker puts the container's own `Env` first, then the image's entries it
/// does not override (moby's `merge`).
#[test]
fn container_env_comes_before_the_images() {
    let cli = Cli::start();
    cli.pull_alpine();
    cli.ok(&[
        "create", "--name", "envs", "-e", "FOO=bar", "alpine", "true",
    ]);
    assert_eq!(
        cli.ok(&["inspect", "-f", "{{json .Config.Env}}", "envs"]),
        "[\"FOO=bar\",\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]\n"
    );
}
