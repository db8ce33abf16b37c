//! Differences from Docker Engine 26.1 that the fidelity corpus
//! (`tests/fidelity`, issue 15) found and sockerless fixed, each seen the way a
//! client sees it: through the real `docker` CLI.

use super::cli::Cli;

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
