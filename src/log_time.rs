//! The `tracing-subscriber` timer of every log line: the cached-second
//! timestamp of [`sockerless_http::log_time`], which the request line uses too.

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The timer `init_tracing` gives both formats (text and JSON).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogTime;

impl FormatTime for LogTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        w.write_str(sockerless_http::log_time::now().as_str())
    }
}
