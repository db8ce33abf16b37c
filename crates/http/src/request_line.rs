//! The request line without `tracing`'s event machinery: the exact bytes
//! `tracing-subscriber` would write for the [`crate::trace`] event (text or
//! JSON, no colours), formatted straight into the [`LogWriter`]'s buffer of
//! this thread, whose writer thread does the write. No allocation and no
//! copy per line once the buffer has grown.
//!
//! A daemon [`install`]s it once, after its `tracing-subscriber`; the filter
//! still decides whether lines are written, asked once at installation (the
//! daemon's filter does not change). Without an installation — a library user, a
//! test, coloured output to a terminal — the line goes through `tracing` as
//! an ordinary event.

use std::sync::OnceLock;

use http::Method;
use sockerless_core::json_write::write_str;

use crate::log_time::{self, Stamp};
use crate::log_writer::LogWriter;
use crate::trace::REQUEST_TARGET;

/// The two line formats of `tracing-subscriber` the daemon offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// `fmt()`'s default (`Full`) format without ANSI colours.
    Text,
    /// `fmt().json()`.
    Json,
}

/// What a request's fields are.
#[derive(Debug, Clone, Copy)]
pub struct RequestFields<'a> {
    /// The method.
    pub method: &'a Method,
    /// The path (never the query: it may carry credentials).
    pub path: &'a str,
    /// The response's status code.
    pub status: u16,
    /// From the request's arrival to its response head, in microseconds.
    pub latency_us: u64,
}

struct Installed {
    writer: LogWriter,
    format: LineFormat,
    /// The filter's decision for the request lines, taken at installation.
    enabled: bool,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// Bytes of a line besides its path: the timestamp, the target, the field
/// names and values (the path may take more once escaped; the buffer's bound
/// is about a line, not exact).
const LINE_ROOM: usize = 192;

/// Sends request lines to `writer` in `format` from now on; false (and no
/// change) when the process already installed one. Call it once the global
/// `tracing` subscriber is set: whether its filter lets the request lines
/// through (`info` for [`REQUEST_TARGET`]) is asked then, once, not at every
/// request.
pub fn install(writer: LogWriter, format: LineFormat) -> bool {
    let enabled = tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO);
    INSTALLED
        .set(Installed {
            writer,
            format,
            enabled,
        })
        .is_ok()
}

/// Whether a request's line is wanted: the installation's decision, or the
/// filter's now without one.
pub(crate) fn enabled() -> bool {
    match INSTALLED.get() {
        Some(installed) => installed.enabled,
        None => tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO),
    }
}

/// Writes the line if [`install`] was called; false when it was not (the
/// caller then logs through `tracing`).
pub(crate) fn write(fields: RequestFields<'_>) -> bool {
    let Some(installed) = INSTALLED.get() else {
        return false;
    };
    let room = LINE_ROOM + fields.path.len();
    // A write error means the writer is gone; so is the log.
    let _ = installed.writer.append_with(room, |out| {
        format_line(out, installed.format, &log_time::now(), fields)
    });
    true
}

/// The request line as a `tracing` event: what is logged without an
/// installation, and what [`format_line`] must match byte for byte.
pub(crate) fn event(f: RequestFields<'_>) {
    tracing::info!(
        target: REQUEST_TARGET,
        method = %f.method,
        path = %f.path,
        status = f.status,
        latency_us = f.latency_us,
        "request"
    );
}

/// Appends one line (with its newline) in `format` to `out`.
pub fn format_line(out: &mut Vec<u8>, format: LineFormat, stamp: &Stamp, f: RequestFields<'_>) {
    let mut numbers = itoa::Buffer::new();
    match format {
        LineFormat::Text => {
            out.extend_from_slice(stamp.as_bytes());
            out.extend_from_slice(b"  INFO ");
            out.extend_from_slice(REQUEST_TARGET.as_bytes());
            out.extend_from_slice(b": request method=");
            out.extend_from_slice(f.method.as_str().as_bytes());
            out.extend_from_slice(b" path=");
            out.extend_from_slice(f.path.as_bytes());
            out.extend_from_slice(b" status=");
            out.extend_from_slice(numbers.format(f.status).as_bytes());
            out.extend_from_slice(b" latency_us=");
            out.extend_from_slice(numbers.format(f.latency_us).as_bytes());
        }
        LineFormat::Json => {
            out.extend_from_slice(b"{\"timestamp\":\"");
            out.extend_from_slice(stamp.as_bytes());
            out.extend_from_slice(
                b"\",\"level\":\"INFO\",\"fields\":{\"message\":\"request\",\"method\":",
            );
            write_str(out, f.method.as_str());
            out.extend_from_slice(b",\"path\":");
            write_str(out, f.path);
            out.extend_from_slice(b",\"status\":");
            out.extend_from_slice(numbers.format(f.status).as_bytes());
            out.extend_from_slice(b",\"latency_us\":");
            out.extend_from_slice(numbers.format(f.latency_us).as_bytes());
            out.extend_from_slice(b"},\"target\":\"");
            out.extend_from_slice(REQUEST_TARGET.as_bytes());
            out.extend_from_slice(b"\"}");
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::time::FormatTime;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Fixed(Stamp);

    impl FormatTime for Fixed {
        fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
            w.write_str(self.0.as_str())
        }
    }

    /// What `tracing-subscriber` writes for the request event, configured as
    /// the daemon configures it (no colours; JSON with the current span).
    fn by_tracing(format: LineFormat, stamp: Stamp, f: RequestFields<'_>) -> String {
        let out = Captured::default();
        let make = {
            let out = out.clone();
            move || out.clone()
        };
        let builder = tracing_subscriber::fmt()
            .with_writer(make)
            .with_timer(Fixed(stamp))
            .with_ansi(false);
        let emit = || event(f);
        match format {
            LineFormat::Text => tracing::subscriber::with_default(builder.finish(), emit),
            LineFormat::Json => tracing::subscriber::with_default(
                builder.json().with_current_span(true).finish(),
                emit,
            ),
        }
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    fn ours(format: LineFormat, stamp: Stamp, f: RequestFields<'_>) -> String {
        let mut out = Vec::new();
        format_line(&mut out, format, &stamp, f);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_are_byte_for_byte_what_tracing_subscriber_writes() {
        let stamp = log_time::stamp(1_796_157_420, 123_456);
        let purge = Method::from_bytes(b"PURGE").unwrap();
        let cases = [
            (Method::GET, "/internal/v1/capabilities", 200, 45),
            (Method::POST, "/v1.44/containers/create", 201, 0),
            (Method::DELETE, "/containers/a\"b\\c/é", 404, u64::MAX),
            (purge, "/", 500, 1_234_567),
        ];
        for (method, path, status, latency_us) in &cases {
            let f = RequestFields {
                method,
                path,
                status: *status,
                latency_us: *latency_us,
            };
            for format in [LineFormat::Text, LineFormat::Json] {
                assert_eq!(
                    ours(format, stamp, f),
                    by_tracing(format, stamp, f),
                    "{format:?} {method} {path}"
                );
            }
        }
    }

    #[test]
    fn the_text_line_reads_as_documented() {
        let f = RequestFields {
            method: &Method::GET,
            path: "/_ping",
            status: 200,
            latency_us: 7,
        };
        assert_eq!(
            ours(LineFormat::Text, log_time::stamp(0, 1), f),
            "1970-01-01T00:00:00.000001Z  INFO sockerless::request: request method=GET path=/_ping status=200 latency_us=7\n"
        );
    }
}
