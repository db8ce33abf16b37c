//! Differences from Docker Engine 26.1 that the fidelity corpus
//! (`tests/fidelity`, issue 15) found and sockerless fixed, each seen the way a
//! client sees it: through the real `docker` CLI.

use super::cli::Cli;

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
