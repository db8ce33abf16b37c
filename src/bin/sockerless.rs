//! `sockerless`: the Docker Engine API daemon. flags → config → tracing →
//! memory backend (embedded) → the Docker frontend, with `/internal/v1` (the
//! internal API and the memory controls) on the same listeners, until SIGTERM
//! or SIGINT.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use sockerless::config::{Config, SockerlessCli};
use sockerless::daemon::{build_backend, init_tracing, shutdown_signal, write_state};
use sockerless::docker_api::{self, DockerOptions};
use sockerless::http::{Body, Drain, Listeners};
use sockerless::internal_api::{self, AppOptions};
use sockerless::Backend;

fn main() -> ExitCode {
    let cli = SockerlessCli::parse_args();
    let config = match Config::load_sockerless(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::from(2);
        }
    };
    let _log_guard = init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sockerless: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: Config) -> ExitCode {
    // Handlers first: a signal right after the socket appears is a clean stop.
    let shutdown = match shutdown_signal() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sockerless: installing signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let memory = match build_backend(&config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = match config.docker_listen_config() {
        Ok(listen) => Listeners::bind(&listen).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let listeners = match bound {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sockerless: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        socket = listeners.socket_path().map(|p| p.display().to_string()),
        tcp = listeners.tcp_addr().map(|a| a.to_string()),
        version = env!("CARGO_PKG_VERSION"),
        "serving the Docker API (memory backend embedded: state is lost on restart)"
    );
    let serve_options = sockerless::http::ServeOptions {
        title_case_headers: true,
        ..config.serve_options()
    };
    let drain = Drain::new();
    let backend: Arc<dyn Backend> = memory.clone();
    let internal = internal_api::app::<Body>(
        backend.clone(),
        AppOptions {
            max_body_bytes: serve_options.max_body_bytes,
            drain: drain.clone(),
        },
    );
    let app = docker_api::app::<hyper::body::Incoming>(
        backend,
        DockerOptions {
            max_body_bytes: serve_options.max_body_bytes,
            drain: drain.clone(),
            internal: Some(internal),
        },
    );
    sockerless::http::serve(listeners, app, drain, serve_options, shutdown).await;
    if let Some(path) = &config.memory.state_file {
        if let Err(e) = write_state(&memory, Path::new(path)) {
            eprintln!("sockerless: memory.state_file {path}: {e}");
            return ExitCode::FAILURE;
        }
        tracing::info!(path = %path, "state written");
    }
    ExitCode::SUCCESS
}
