//! Client set-up and small helpers shared by the suite's modules.

use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters as q;
use bollard::{ClientVersion, Docker};
use futures_util::TryStreamExt;
use tokio::time::timeout;

use crate::common::Daemon;

/// Deadline for any one client call or stream in these tests.
pub const STEP: Duration = Duration::from_secs(20);

/// A bollard client of the daemon's socket, pinned to API 1.44.
pub fn client(daemon: &Daemon) -> Docker {
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
pub async fn step<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    timeout(STEP, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {STEP:?}"))
}

/// The status and message of a server error.
pub fn server_error(e: BollardError) -> (u16, String) {
    match e {
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => (status_code, message),
        other => panic!("expected a server error, got {other:?}"),
    }
}

/// Pulls `image` and returns the `status` of every progress record.
pub async fn pull(docker: &Docker, image: &str) -> Vec<String> {
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

/// A create body running `cmd` in `image`.
pub fn body(image: &str, cmd: &[&str]) -> ContainerCreateBody {
    ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

/// Creates container `name`; returns its ID.
pub async fn create(docker: &Docker, name: &str, body: ContainerCreateBody) -> String {
    let options = q::CreateContainerOptionsBuilder::default()
        .name(name)
        .build();
    step("create", docker.create_container(Some(options), body))
        .await
        .expect("create")
        .id
}

/// The container's `State.Status` and `State.ExitCode`.
pub async fn state(docker: &Docker, name: &str) -> (String, i64) {
    let inspect = step("inspect", docker.inspect_container(name, None))
        .await
        .expect("inspect");
    let state = inspect.state.expect("state");
    (
        state.status.map(|s| s.to_string()).unwrap_or_default(),
        state.exit_code.unwrap_or(-1),
    )
}
