//! Hijacked streams (attach, exec start): HTTP `101` with `Upgrade: tcp`, then
//! raw bytes both ways on the connection.
//!
//! The order is what makes `docker run` work (contract §4.1, pitfalls 3–7):
//! 1. [`Hijack::take`] claims hyper's upgrade handle before anything else;
//! 2. the handler resolves and checks everything that can fail — those errors
//!    go out as JSON, never after the `101`;
//! 3. it subscribes to the backend (attach, exec start) *before* answering, so
//!    output produced the instant the client sends `start` is not lost;
//! 4. [`Hijack::respond`] answers `101` and spawns the pump, tracked by the
//!    server's drain: output frames (or raw TTY bytes) to the client; client
//!    bytes to stdin when wanted, else discarded; a read of 0 bytes
//!    (half-close) ends stdin but never the output; at exit the write side is
//!    flushed and shut down; a failed write means the client left, and the
//!    backend stream is dropped. While a write to the client is pending (a
//!    client that does not read its output), stdin is not read: a process
//!    that echoes its input (`cat`) cannot make the daemon queue output
//!    without bound, and the client's own writes back up, as with Docker,
//!    where the process blocks on its full stdout pipe.
//!
//! Without an `Upgrade` header (curl), the answer is `200` with a chunked
//! `application/vnd.docker.raw-stream` body carrying the output only.

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::{HeaderValue, CONNECTION, CONTENT_TYPE, UPGRADE};
use http::StatusCode;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use sockerless_core::api::{AttachEvent, BoxStream};
use sockerless_http::body::empty_body;
use sockerless_http::drain::Drain;
use sockerless_http::Response;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use crate::reply;
use crate::stdcopy;

/// Bytes read from the client at a time.
const READ_BUF: usize = 16 * 1024;

/// Chunks of stdin queued for the backend before the client is back-pressured.
const STDIN_QUEUE: usize = 16;

/// How long output waits after the `101` for a client that neither writes
/// nor half-closes (see [`pump`]).
const FIRST_OUTPUT_GRACE: std::time::Duration = std::time::Duration::from_millis(50);

/// A request that may be hijacked: the upgrade handle, taken before the body
/// is read, when the client asked for an upgrade.
#[derive(Debug)]
pub struct Hijack {
    upgrade: Option<OnUpgrade>,
}

/// How the stream is framed and what goes where.
#[derive(Debug, Clone, Copy)]
pub struct StreamMode {
    /// Raw bytes (TTY) instead of stdcopy frames.
    pub tty: bool,
    /// The `Content-Type` of a `101`.
    pub media_type: &'static str,
}

/// The client → backend half: the sender of stdin bytes; `None` discards.
pub type StdinSender = Option<mpsc::Sender<Bytes>>;

/// A stdin channel for the backend when `wanted`: the sender for the pump, the
/// stream for the backend call. Not wanted: both `None` (bytes discarded).
pub fn stdin_channel(wanted: bool) -> (StdinSender, Option<BoxStream<Bytes>>) {
    if !wanted {
        return (None, None);
    }
    let (tx, rx) = mpsc::channel::<Bytes>(STDIN_QUEUE);
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    (Some(tx), Some(Box::pin(stream)))
}

impl Hijack {
    /// Claims the upgrade handle of `req` when it carries an `Upgrade` header
    /// (all three clients send `Upgrade: tcp`).
    pub fn take<B>(req: &mut http::Request<B>) -> Hijack {
        let upgrade = req
            .headers()
            .contains_key(UPGRADE)
            .then(|| hyper::upgrade::on(&mut *req));
        Hijack { upgrade }
    }

    /// Whether the client asked for an upgrade.
    pub fn upgrading(&self) -> bool {
        self.upgrade.is_some()
    }

    /// Answers: `101` and a pump task when upgrading; otherwise `200` with the
    /// output as a chunked raw-stream body (stdin is closed at once).
    pub fn respond(
        self,
        mode: StreamMode,
        output: BoxStream<AttachEvent>,
        stdin: StdinSender,
        drain: &Drain,
    ) -> Response {
        let Some(upgrade) = self.upgrade else {
            drop(stdin);
            return fallback(mode, output);
        };
        let shutdown = drain.shutdown.clone();
        drain.tasks.spawn(async move {
            match upgrade.await {
                Ok(upgraded) => pump(TokioIo::new(upgraded), mode, output, stdin, shutdown).await,
                Err(e) => tracing::debug!(error = %e, "hijack: the upgrade failed"),
            }
        });
        let mut res = http::Response::new(empty_body());
        *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let h = res.headers_mut();
        h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(UPGRADE, HeaderValue::from_static("tcp"));
        h.insert(CONTENT_TYPE, HeaderValue::from_static(mode.media_type));
        res
    }
}

/// The no-`Upgrade` answer: `200`, output only, framed by the same rule.
fn fallback(mode: StreamMode, output: BoxStream<AttachEvent>) -> Response {
    let tty = mode.tty;
    let bytes = output
        .take_while(|ev| futures_util::future::ready(matches!(ev, AttachEvent::Output(..))))
        .filter_map(move |ev| {
            futures_util::future::ready(match ev {
                AttachEvent::Output(stream, data) => Some(stdcopy::encode(tty, stream, &data)),
                AttachEvent::Exit(_) => None,
            })
        });
    reply::byte_stream(Box::pin(bytes), stdcopy::RAW_STREAM)
}

/// Pumps one hijacked connection until the output ends, the client leaves or
/// the server shuts down; then flushes and shuts down the write side.
pub async fn pump<IO>(
    io: IO,
    mode: StreamMode,
    mut output: BoxStream<AttachEvent>,
    stdin: StdinSender,
    shutdown: CancellationToken,
) where
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (rd, mut wr) = tokio::io::split(io);
    // Stdin has its own task so a process that does not read its stdin (a full
    // queue) never holds up its output.
    let (heard, heard_rx) = oneshot::channel();
    // True while a write to the client is pending: stdin waits for it.
    let (writing, writing_rx) = watch::channel(false);
    let reader = tokio::spawn(forward_stdin(rd, stdin, heard, writing_rx));
    // Output waits until the client has been heard from (the CLI half-closes
    // at once) or for a moment: docker-py reads the `101` head through a
    // buffered reader and then reads the raw socket, so bytes that arrive with
    // the head are lost to it (a real daemon's process takes milliseconds to
    // start; a simulated one does not).
    let _ = tokio::time::timeout(FIRST_OUTPUT_GRACE, heard_rx).await;
    loop {
        tokio::select! {
            ev = output.next() => match ev {
                Some(AttachEvent::Output(stream, data)) => {
                    let bytes = stdcopy::encode(mode.tty, stream, &data);
                    if bytes.is_empty() {
                        continue;
                    }
                    writing.send_replace(true);
                    let written = wr.write_all(&bytes).await.is_ok() && wr.flush().await.is_ok();
                    writing.send_replace(false);
                    if !written {
                        // The client left: dropping `output` ends the backend stream.
                        reader.abort();
                        return;
                    }
                }
                Some(AttachEvent::Exit(_)) | None => break,
            },
            _ = shutdown.cancelled() => break,
        }
    }
    let _ = wr.flush().await;
    let _ = wr.shutdown().await;
    // The read half goes with the task: the connection closes.
    reader.abort();
}

/// Client bytes to the process's stdin (or nowhere): a read of 0 bytes — the
/// client's half-close — or an error ends stdin (the sender is dropped: EOF)
/// and the task; the output side is not affected. Stdin is not read while
/// `writing` says a write to the client is pending (see the module docs).
async fn forward_stdin<R: AsyncRead + Unpin>(
    mut rd: R,
    mut stdin: StdinSender,
    heard: oneshot::Sender<()>,
    mut writing: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; READ_BUF];
    let mut heard = Some(heard);
    loop {
        if stdin.is_some() {
            // An error means the pump is gone: go on until the read fails.
            let _ = writing.wait_for(|pending| !pending).await;
        }
        let read = rd.read(&mut buf).await;
        if let Some(h) = heard.take() {
            let _ = h.send(());
        }
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if let Some(tx) = &stdin {
            if tx.send(Bytes::copy_from_slice(&buf[..n])).await.is_err() {
                stdin = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockerless_core::api::StdStream;

    fn events(items: Vec<AttachEvent>) -> BoxStream<AttachEvent> {
        Box::pin(futures_util::stream::iter(items))
    }

    const MUX: StreamMode = StreamMode {
        tty: false,
        media_type: stdcopy::MULTIPLEXED_STREAM,
    };

    #[tokio::test]
    async fn output_after_half_close_then_eof() {
        let (client, server) = tokio::io::duplex(1024);
        let (tx, rx) = mpsc::channel::<AttachEvent>(4);
        let output: BoxStream<AttachEvent> =
            Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|e| (e, rx))
            }));
        let task = tokio::spawn(pump(server, MUX, output, None, CancellationToken::new()));
        let (mut crd, mut cwr) = tokio::io::split(client);
        cwr.shutdown().await.unwrap();
        tx.send(AttachEvent::Output(
            StdStream::Stdout,
            Bytes::from_static(b"hi\n"),
        ))
        .await
        .unwrap();
        tx.send(AttachEvent::Exit(0)).await.unwrap();
        let mut got = Vec::new();
        crd.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n");
        task.await.unwrap();
    }

    #[tokio::test]
    async fn stdin_is_forwarded_and_ends_at_half_close() {
        let (client, server) = tokio::io::duplex(1024);
        let (stdin_tx, stdin_rx) = stdin_channel(true);
        let mut stdin_rx = stdin_rx.unwrap();
        let (tx, rx) = mpsc::channel::<AttachEvent>(4);
        let output: BoxStream<AttachEvent> =
            Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|e| (e, rx))
            }));
        let tty = StreamMode {
            tty: true,
            media_type: stdcopy::RAW_STREAM,
        };
        let task = tokio::spawn(pump(
            server,
            tty,
            output,
            stdin_tx,
            CancellationToken::new(),
        ));
        let (mut crd, mut cwr) = tokio::io::split(client);
        cwr.write_all(b"ls\r").await.unwrap();
        assert_eq!(stdin_rx.next().await.unwrap(), Bytes::from_static(b"ls\r"));
        cwr.shutdown().await.unwrap();
        assert_eq!(stdin_rx.next().await, None, "EOF after the half-close");
        tx.send(AttachEvent::Output(
            StdStream::Stderr,
            Bytes::from_static(b"raw"),
        ))
        .await
        .unwrap();
        drop(tx);
        let mut got = Vec::new();
        crd.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"raw");
        task.await.unwrap();
    }

    #[tokio::test]
    async fn unread_stdin_never_holds_up_output() {
        let (client, server) = tokio::io::duplex(64 * 1024);
        // A process that never reads its stdin: the queue fills up.
        let (stdin_tx, _unread) = stdin_channel(true);
        let (tx, rx) = mpsc::channel::<AttachEvent>(4);
        let output: BoxStream<AttachEvent> =
            Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|e| (e, rx))
            }));
        let task = tokio::spawn(pump(
            server,
            MUX,
            output,
            stdin_tx,
            CancellationToken::new(),
        ));
        let (mut crd, mut cwr) = tokio::io::split(client);
        for _ in 0..(STDIN_QUEUE * 4) {
            cwr.write_all(&[b'x'; 512]).await.unwrap();
            cwr.flush().await.unwrap();
            tokio::task::yield_now().await;
        }
        tx.send(AttachEvent::Output(
            StdStream::Stdout,
            Bytes::from_static(b"ok"),
        ))
        .await
        .unwrap();
        tx.send(AttachEvent::Exit(0)).await.unwrap();
        let mut got = Vec::new();
        crd.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"\x01\x00\x00\x00\x00\x00\x00\x02ok");
        task.await.unwrap();
    }

    /// A `cat` for the tests: stdin chunks back out as stdout, through an
    /// unbounded queue (as the backend's live feed is); counts what it echoed.
    fn cat(
        mut stdin: BoxStream<Bytes>,
        echoed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) -> BoxStream<AttachEvent> {
        let (tx, rx) = mpsc::unbounded_channel::<AttachEvent>();
        tokio::spawn(async move {
            while let Some(chunk) = stdin.next().await {
                echoed.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
                if tx
                    .send(AttachEvent::Output(StdStream::Stdout, chunk))
                    .is_err()
                {
                    return;
                }
            }
        });
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|e| (e, rx))
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_reads_gets_backpressure_not_a_daemon_buffer() {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let (stdin_tx, stdin_rx) = stdin_channel(true);
        let echoed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let output = cat(stdin_rx.unwrap(), echoed.clone());
        let _task = tokio::spawn(pump(
            server,
            MUX,
            output,
            stdin_tx,
            CancellationToken::new(),
        ));
        let (_never_read, mut cwr) = tokio::io::split(client);
        // 64 MiB of stdin, never reading a byte of output: the writes must
        // stall (the paused clock advances only when every task is idle).
        let flood = async {
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..1024 {
                cwr.write_all(&chunk).await.unwrap();
            }
        };
        let stalled = tokio::time::timeout(std::time::Duration::from_secs(5), flood).await;
        assert!(
            stalled.is_err(),
            "64 MiB of stdin went in with no output read"
        );
        let n = echoed.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            n < 2 * 1024 * 1024,
            "{n} bytes echoed into the daemon's queue"
        );
    }

    #[tokio::test]
    async fn fallback_is_output_only() {
        use http_body_util::BodyExt;
        let res = fallback(
            MUX,
            events(vec![
                AttachEvent::Output(StdStream::Stderr, Bytes::from_static(b"e")),
                AttachEvent::Exit(3),
            ]),
        );
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[CONTENT_TYPE], stdcopy::RAW_STREAM);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"\x02\x00\x00\x00\x00\x00\x00\x01e");
    }
}
