//! `sockerless-backend-memory`: flags → config → tracing → memory backend →
//! server, until SIGTERM or SIGINT.

use std::process::ExitCode;

use clap::Parser;
use sockerless::config::{Cli, Config};
use sockerless::server::{serve, Listeners, ServeOptions};
use sockerless::MemoryBackend;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sockerless-backend-memory: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sockerless-backend-memory: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::new(config.logging.level.to_ascii_lowercase());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if config.logging.format == "json" {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
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
    let listeners = match Listeners::bind(&config).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sockerless-backend-memory: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        socket = listeners.socket_path().map(|p| p.display().to_string()),
        tcp = listeners.tcp_addr().map(|a| a.to_string()),
        version = env!("CARGO_PKG_VERSION"),
        "listening; all state is lost on restart (testing only)"
    );
    let backend = MemoryBackend::new();
    serve(
        listeners,
        backend,
        ServeOptions::from_config(&config),
        shutdown,
    )
    .await;
    ExitCode::SUCCESS
}

fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "shutdown requested");
    })
}
