//! `sockerless-backend-memory`: flags → config → tracing → memory backend →
//! server, until SIGTERM or SIGINT.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use sockerless::config::{Cli, Config};
use sockerless::daemon::{
    bind, block_on, build_backend, init_tracing, shutdown_signal, write_state,
};
use sockerless::internal_api::serve;

/// mimalloc: a request's short-lived allocations (about twenty) cost a third
/// of what glibc's malloc takes (BENCHMARKS.md, "The stack, round four"),
/// asked without alignment where none is needed ([`sockerless::allocator`]).
#[global_allocator]
static ALLOCATOR: sockerless::allocator::Allocator = sockerless::allocator::Allocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sockerless-backend-memory: {e}");
            return ExitCode::from(2);
        }
    };
    let _log_guard = match init_tracing(&config.logging) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("sockerless-backend-memory: starting the log writer: {e}");
            return ExitCode::FAILURE;
        }
    };
    block_on(
        "sockerless-backend-memory",
        config.server.worker_threads(),
        run(config),
    )
}

async fn run(config: Config) -> ExitCode {
    // Install the handlers before binding, so a signal right after the socket
    // appears is a graceful shutdown, never the default action.
    let shutdown = match shutdown_signal() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sockerless-backend-memory: installing signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let backend = match build_backend(&config.memory) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sockerless-backend-memory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listeners = match bind(
        config.listen_config(),
        "listening; all state is lost on restart (testing only)",
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sockerless-backend-memory: {e}");
            return ExitCode::FAILURE;
        }
    };

    serve(listeners, backend.clone(), config.serve_options(), shutdown).await;
    if let Some(path) = &config.memory.state_file {
        if let Err(e) = write_state(&backend, Path::new(path)) {
            eprintln!("sockerless-backend-memory: memory.state_file {path}: {e}");
            return ExitCode::FAILURE;
        }
        tracing::info!(path = %path, "state written");
    }
    ExitCode::SUCCESS
}
