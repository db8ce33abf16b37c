//! What both daemons (`sockerless-backend-memory` and `sockerless`) do around
//! their server: logging, the memory backend from the configuration (and its
//! state file), writing the state at a clean exit, and the shutdown signals.

use std::path::Path;
use std::sync::Arc;

use sockerless_memory::controls::StateDocument;
use sockerless_memory::MemoryBackend;

use sockerless_http::log_writer::{LogWriter, LogWriterGuard};
use sockerless_http::request_line::{self, LineFormat};
use sockerless_http::{ListenConfig, Listeners};

use crate::config::{ConfigError, LoggingConfig, MemorySettings};

/// Logs go to stderr through [`LogWriter`]: each thread formats its lines
/// into its own buffer and one writer thread does the writes, so a request
/// never waits on the write syscall of its log line and a line costs no
/// allocation; the timestamp's second is formatted once per second and
/// thread ([`crate::log_time`]). The request line skips `tracing`'s event
/// machinery and is formatted straight into the same buffers
/// ([`request_line`]), except on a terminal, which gets colours. Nothing is dropped (a full buffer waits for the writer), and
/// the returned guard writes what is buffered when it is dropped.
pub fn init_tracing(logging: &LoggingConfig) -> std::io::Result<LogWriterGuard> {
    let filter = tracing_subscriber::EnvFilter::new(logging.level.to_ascii_lowercase());
    let (writer, guard) = LogWriter::new(std::io::stderr())?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let json = logging.format == "json";
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer({
            let writer = writer.clone();
            move || writer.line()
        })
        .with_timer(crate::log_time::LogTime)
        .with_ansi(ansi);
    if json {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
    // After the subscriber: the installation asks its filter once.
    if !ansi {
        let format = if json {
            LineFormat::Json
        } else {
            LineFormat::Text
        };
        request_line::install(writer, format);
    }
    Ok(guard)
}

/// The backend of the configuration, with the state file's state when the file
/// exists.
pub fn build_backend(memory: &MemorySettings) -> Result<Arc<MemoryBackend>, String> {
    let options = memory.options().map_err(|e| e.to_string())?;
    let backend = MemoryBackend::try_with_options(options).map_err(|e| e.to_string())?;
    if let Some(path) = &memory.state_file {
        match std::fs::read(path) {
            Ok(bytes) => {
                let doc: StateDocument = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("memory.state_file {path}: {e}"))?;
                backend
                    .load_state(doc)
                    .map_err(|e| format!("memory.state_file {path}: {e}"))?;
                tracing::info!(path = %path, "state loaded");
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("memory.state_file {path}: {e}")),
        }
    }
    Ok(backend)
}

/// Writes the state atomically: a temporary file next to it, then a rename.
pub fn write_state(backend: &MemoryBackend, path: &Path) -> std::io::Result<()> {
    let doc = backend.snapshot();
    let bytes = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp.{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Resolves at the first SIGTERM or SIGINT; the handlers are installed when
/// this is called, so call it before binding.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
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

/// Binds the listeners a configuration asks for and logs where the daemon
/// listens; the error is one line for the daemon to print.
pub async fn bind(
    listen: Result<ListenConfig, ConfigError>,
    what: &str,
) -> Result<Listeners, String> {
    let listen = listen.map_err(|e| e.to_string())?;
    let listeners = Listeners::bind(&listen).await.map_err(|e| e.to_string())?;
    tracing::info!(
        socket = listeners.socket_path().map(|p| p.display().to_string()),
        tcp = listeners.tcp_addr().map(|a| a.to_string()),
        version = env!("CARGO_PKG_VERSION"),
        "{what}"
    );
    Ok(listeners)
}

/// Runs a daemon's async main on a multi-threaded runtime; a runtime that
/// cannot start is one line naming the daemon and a failure exit.
pub fn block_on(
    name: &str,
    worker_threads: Option<usize>,
    main: impl std::future::Future<Output = std::process::ExitCode>,
) -> std::process::ExitCode {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = worker_threads {
        builder.worker_threads(n);
    }
    match builder.enable_all().build() {
        Ok(runtime) => runtime.block_on(main),
        Err(e) => {
            eprintln!("{name}: starting the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
