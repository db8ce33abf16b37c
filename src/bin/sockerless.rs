//! `sockerless`: the Docker Engine API daemon. flags → config → tracing → the
//! backend (the memory backend embedded, or a backend daemon over the internal
//! API) → the Docker frontend, with `/internal/v1` (the internal API and the
//! memory controls) on the same listeners, until SIGTERM or SIGINT.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use sockerless::config::sockerless::{BackendChoice, DaemonConfig, SOCKERLESS};
use sockerless::daemon::{
    bind, block_on, build_backend, init_tracing, shutdown_signal, write_state,
};
use sockerless::docker_api::{self, DockerOptions};
use sockerless::http::{Body, Drain};
use sockerless::internal_api::client::{RemoteBackend, Timeouts};
use sockerless::internal_api::{self, AppOptions};
use sockerless::{Backend, MemoryBackend};

/// mimalloc: a request's short-lived allocations (about twenty) cost a third
/// of what glibc's malloc takes (BENCHMARKS.md, "The stack, round four"),
/// asked without alignment where none is needed ([`sockerless::allocator`]).
#[global_allocator]
static ALLOCATOR: sockerless::allocator::Allocator = sockerless::allocator::Allocator;

fn main() -> ExitCode {
    let matches = SOCKERLESS.command().get_matches();
    let config = match DaemonConfig::load(&matches) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::from(2);
        }
    };
    let _log_guard = match init_tracing(&config.logging) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("sockerless: starting the log writer: {e}");
            return ExitCode::FAILURE;
        }
    };
    block_on("sockerless", config.server.worker_threads(), run(config))
}

/// The backend to serve, and the memory backend when it is embedded (its
/// state file is written at exit).
async fn backend(
    config: &DaemonConfig,
) -> Result<(Arc<dyn Backend>, Option<Arc<MemoryBackend>>), String> {
    match config.backend().map_err(|e| e.to_string())? {
        BackendChoice::Embedded => {
            let memory = build_backend(&config.memory)?;
            Ok((memory.clone(), Some(memory)))
        }
        BackendChoice::Remote(address) => {
            let remote = RemoteBackend::connect(address, Timeouts::default())
                .await
                .map_err(|e| e.to_string())?;
            Ok((Arc::new(remote), None))
        }
    }
}

async fn run(config: DaemonConfig) -> ExitCode {
    // Handlers first: a signal right after the socket appears is a clean stop.
    let shutdown = match shutdown_signal() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sockerless: installing signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (backend, memory) = match backend(&config).await {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::FAILURE;
        }
    };
    let what = format!("serving the Docker API, backend {}", config.backend.url);
    let listeners = match bind(config.listen_config(), &what).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::FAILURE;
        }
    };

    let serve_options = config.serve_options();
    let drain = Drain::new();
    let internal = internal_api::app::<Body>(
        backend.clone(),
        AppOptions {
            body: serve_options.body,
            drain: drain.clone(),
        },
    );
    let app = docker_api::stack::<hyper::body::Incoming>(
        backend,
        DockerOptions {
            body: serve_options.body,
            drain: drain.clone(),
            internal: Some(internal),
        },
    );
    sockerless::http::serve(listeners, app, drain, serve_options, shutdown).await;
    if let (Some(memory), Some(path)) = (&memory, &config.memory.state_file) {
        if let Err(e) = write_state(memory, Path::new(path)) {
            eprintln!("sockerless: memory.state_file {path}: {e}");
            return ExitCode::FAILURE;
        }
        tracing::info!(path = %path, "state written");
    }
    ExitCode::SUCCESS
}
