//! Listeners and the accept loop: a Unix socket (mode 0660, a stale file
//! replaced, a live one never stolen, removed on exit) and/or TCP; every
//! connection served by hyper with upgrades (WebSocket); graceful drain on
//! shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::conn::ConnIo;
use crate::connection_service::ConnectionService;
use crate::drain::Drain;
use crate::error_body::ErrorBodyIo;
use crate::head_deadline::Sweeper;
use crate::limit::BodyLimits;
use crate::Stack;

/// A listener could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ServerError(pub String);

/// The default mode of the Unix socket.
pub const SOCKET_MODE: u32 = 0o660;

/// What to listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenConfig {
    /// The Unix socket, if any.
    pub socket: Option<PathBuf>,
    /// Its mode, set between bind and listen.
    pub socket_mode: u32,
    /// Its group (name or number), if not the process's.
    pub socket_group: Option<String>,
    /// The TCP address, if any.
    pub tcp: Option<SocketAddr>,
}

/// The bound listeners.
#[derive(Debug)]
pub struct Listeners {
    unix: Option<(UnixListener, PathBuf)>,
    tcp: Option<TcpListener>,
}

impl Listeners {
    /// Binds what `config` asks for: the socket with its mode and group, and
    /// TCP (a non-loopback address gets a warning: the caller decides whether
    /// it is allowed).
    pub async fn bind(config: &ListenConfig) -> Result<Listeners, ServerError> {
        let gid = match &config.socket_group {
            Some(g) => Some(lookup_group(g)?),
            None => None,
        };
        let unix = match &config.socket {
            Some(path) => Some((bind_unix_with(path, config.socket_mode, gid)?, path.clone())),
            None => None,
        };
        Listeners::finish(unix, config.tcp).await
    }

    /// Binds a Unix socket and/or a TCP address.
    pub async fn bind_to(
        socket: Option<&Path>,
        tcp: Option<SocketAddr>,
    ) -> Result<Listeners, ServerError> {
        let unix = match socket {
            Some(path) => Some((bind_unix(path, SOCKET_MODE)?, path.to_path_buf())),
            None => None,
        };
        Listeners::finish(unix, tcp).await
    }

    async fn finish(
        unix: Option<(UnixListener, PathBuf)>,
        tcp: Option<SocketAddr>,
    ) -> Result<Listeners, ServerError> {
        let tcp = match tcp {
            Some(addr) => {
                let l = TcpListener::bind(addr)
                    .await
                    .map_err(|e| ServerError(format!("listen.tcp {addr}: {e}")))?;
                if !addr.ip().is_loopback() {
                    tracing::warn!(
                        address = %addr,
                        "insecure: listening on a TCP address that is not loopback; this API has no authentication and no TLS"
                    );
                }
                Some(l)
            }
            None => None,
        };
        if unix.is_none() && tcp.is_none() {
            return Err(ServerError("nothing to listen on".into()));
        }
        Ok(Listeners { unix, tcp })
    }

    /// The bound TCP address (the real port when 0 was asked for).
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The Unix socket path.
    pub fn socket_path(&self) -> Option<&Path> {
        self.unix.as_ref().map(|(_, p)| p.as_path())
    }
}

/// Binds a Unix socket at `path`: refuses a missing directory, a non-socket file
/// and a socket with a live server behind it; replaces a stale one; sets `mode`
/// between bind and listen so the socket is never reachable with looser
/// permissions.
pub fn bind_unix(path: &Path, mode: u32) -> Result<UnixListener, ServerError> {
    bind_unix_with(path, mode, None)
}

/// The group ID of a group name or number; unknown groups are an error.
pub fn lookup_group(group: &str) -> Result<u32, ServerError> {
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    let unknown = || ServerError(format!("listen.socket_group {group:?}: no such group"));
    let name = std::ffi::CString::new(group).map_err(|_| unknown())?;
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0u8; 16 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; buf outlives it.
    let rc = unsafe {
        libc::getgrnam_r(
            name.as_ptr(),
            &mut grp,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return Err(unknown());
    }
    Ok(grp.gr_gid)
}

/// [`bind_unix`] with a group: mode and group are both set between bind and
/// listen.
pub fn bind_unix_with(
    path: &Path,
    mode: u32,
    gid: Option<u32>,
) -> Result<UnixListener, ServerError> {
    let shown = path.display();
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(ServerError(format!(
            "listen.socket {shown}: directory {} does not exist",
            parent.display()
        )));
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(ServerError(format!(
                "listen.socket {shown}: the path exists and is not a socket"
            )));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(ServerError(format!(
                "listen.socket {shown}: another server is listening on it"
            )));
        }
        std::fs::remove_file(path).map_err(|e| {
            ServerError(format!(
                "listen.socket {shown}: removing the stale socket: {e}"
            ))
        })?;
        tracing::info!(socket = %shown, "replaced a stale socket file");
    }
    let fail =
        |what: &str, e: io::Error| ServerError(format!("listen.socket {shown}: {what}: {e}"));
    let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)
        .map_err(|e| fail("socket", e))?;
    let addr = socket2::SockAddr::unix(path).map_err(|e| fail("address", e))?;
    socket.bind(&addr).map_err(|e| fail("bind", e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| fail("chmod", e))?;
    if let Some(gid) = gid {
        std::os::unix::fs::chown(path, None, Some(gid)).map_err(|e| fail("chown", e))?;
    }
    socket.listen(1024).map_err(|e| fail("listen", e))?;
    socket
        .set_nonblocking(true)
        .map_err(|e| fail("nonblocking", e))?;
    let std_listener: std::os::unix::net::UnixListener = socket.into();
    UnixListener::from_std(std_listener).map_err(|e| fail("register", e))
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The request-body limits the stacks apply (the server itself reads no
    /// body): size and read time.
    pub body: BodyLimits,
    /// How long in-flight requests get at shutdown.
    pub drain_timeout: Duration,
    /// How long a client gets to send request headers (also bounds idle
    /// keep-alive waits).
    pub header_read_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Write response header names in Title-Case (`Api-Version`), as Docker does.
    pub title_case_headers: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            body: BodyLimits::default(),
            drain_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            title_case_headers: false,
        }
    }
}

/// Serves `svc` on `listeners` until `shutdown` resolves, then stops accepting,
/// removes the socket file, closes idle connections, cancels `drain` (streams
/// and upgraded connections registered there end normally), gives in-flight
/// requests and drain tasks up to the drain timeout, and returns.
pub async fn serve<S>(
    listeners: Listeners,
    svc: S,
    drain: Drain,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) where
    S: Stack<Incoming>,
{
    let graceful = Graceful::default();
    let Listeners { unix, tcp } = listeners;
    let (unix, socket_path) = match unix {
        Some((l, p)) => (Some(l), Some(p)),
        None => (None, None),
    };
    let limit = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let sweeper = Sweeper::new(options.header_read_timeout);
    // Stopped when serving ends.
    let _sweeping = sweeper.start().map_err(|e| {
        tracing::error!("no sweeper thread ({e}): the header-read timeout will not fire");
    });
    let conn = ConnOptions {
        title_case_headers: options.title_case_headers,
        sweeper,
    };
    tokio::pin!(shutdown);
    loop {
        // At the connection cap, stop accepting: the kernel's backlog holds the
        // excess until a connection ends.
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = Arc::clone(&limit).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        tokio::select! {
            _ = &mut shutdown => break,
            r = accept_unix(unix.as_ref()) => match r {
                Ok(stream) => serve_connection(stream, &svc, &graceful, &conn, permit),
                Err(e) => accept_error(e).await,
            },
            r = accept_tcp(tcp.as_ref()) => match r {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    serve_connection(stream, &svc, &graceful, &conn, permit)
                }
                Err(e) => accept_error(e).await,
            },
        }
    }
    drop(unix);
    drop(tcp);
    if let Some(path) = socket_path {
        let _ = std::fs::remove_file(&path);
    }
    tracing::info!("shutting down: draining in-flight requests");
    drain.shutdown.cancel();
    drain.tasks.close();
    let drained = tokio::time::timeout(options.drain_timeout, async {
        graceful.shutdown().await;
        drain.tasks.wait().await;
    })
    .await;
    match drained {
        Ok(()) => tracing::info!("drained; bye"),
        Err(_) => tracing::warn!("drain timeout elapsed; closing the remaining connections"),
    }
}

async fn accept_unix(l: Option<&UnixListener>) -> io::Result<tokio::net::UnixStream> {
    match l {
        Some(l) => l.accept().await.map(|(s, _)| s),
        None => std::future::pending().await,
    }
}

async fn accept_tcp(l: Option<&TcpListener>) -> io::Result<tokio::net::TcpStream> {
    match l {
        Some(l) => l.accept().await.map(|(s, _)| s),
        None => std::future::pending().await,
    }
}

/// The accept loop survives transient errors: log, back off, continue.
async fn accept_error(e: io::Error) {
    let resource = matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    );
    if resource {
        tracing::warn!(error = %e, "accept failed: out of resources; backing off");
        tokio::time::sleep(Duration::from_millis(100)).await;
    } else {
        tracing::debug!(error = %e, "accept failed; continuing");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Per-connection settings.
#[derive(Debug)]
struct ConnOptions {
    title_case_headers: bool,
    /// The header-read timeout's sweeper (one deadline per connection).
    sweeper: Sweeper,
}

/// Graceful shutdown of the served connections: one signal tells every
/// connection to finish its in-flight request and close; a tracker waits for
/// them.
#[derive(Debug, Default)]
struct Graceful {
    signal: CancellationToken,
    /// Set before the signal: a connection woken for any other reason reads
    /// this flag, not the signal (whose every poll takes its lock).
    stopping: Arc<AtomicBool>,
    connections: TaskTracker,
}

impl Graceful {
    /// Tells every connection to close after its in-flight request, then waits
    /// for all of them (upgraded ones are tracked by [`Drain`]).
    async fn shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
        self.signal.cancel();
        self.connections.close();
        self.connections.wait().await;
    }
}

/// Serves one connection with HTTP/1.1 only (as Docker's socket: an HTTP/2
/// preface is a malformed request) and upgrades. The connection-cap permit
/// travels inside the IO, so an upgraded connection (WebSocket, hijacked
/// stream) keeps counting against the cap until it is dropped.
fn serve_connection<IO, S>(
    stream: IO,
    svc: &S,
    graceful: &Graceful,
    options: &ConnOptions,
    permit: OwnedSemaphorePermit,
) where
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    S: Stack<Incoming>,
{
    // The header-read timeout is the connection's deadline, not hyper's
    // (hyper's is off, and it gets no timer: see `head_deadline`).
    let deadline = options.sweeper.deadline();
    let hyper_svc = ConnectionService::new(svc, Arc::clone(&deadline));
    let io = TokioIo::new(ErrorBodyIo::new(ConnIo::new(stream, permit, deadline)));
    let conn = http1::Builder::new()
        .header_read_timeout(None)
        .title_case_headers(options.title_case_headers)
        .serve_connection(io, hyper_svc)
        .with_upgrades();
    let signal = graceful.signal.clone().cancelled_owned();
    let stopping = Arc::clone(&graceful.stopping);
    graceful.connections.spawn(async move {
        tokio::pin!(conn);
        tokio::pin!(signal);
        // The signal is polled once to register the task's waker, then only
        // once the flag says it fired: not at every wake of the connection.
        let mut registered = false;
        let mut asked_to_close = false;
        let result = std::future::poll_fn(|cx| {
            if !asked_to_close && (!registered || stopping.load(Ordering::Acquire)) {
                registered = true;
                if signal.as_mut().poll(cx).is_ready() {
                    asked_to_close = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
            conn.as_mut().poll(cx)
        })
        .await;
        if let Err(e) = result {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{empty_body, full_body};
    use bytes::Bytes;
    use std::convert::Infallible;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// Answers `ok`; for `/echo`, the request's body once it has all come;
    /// for `GET /upgrade`, 101, and then holds the upgraded connection open
    /// until the client closes it.
    fn test_service() -> impl Stack<Incoming> {
        // Boxed: the server's stacks have `Unpin` futures.
        tower::service_fn(|mut req: http::Request<Incoming>| {
            Box::pin(async move {
                if req.uri().path() == "/upgrade" {
                    let on_upgrade = hyper::upgrade::on(&mut req);
                    tokio::spawn(async move {
                        if let Ok(up) = on_upgrade.await {
                            let mut io = TokioIo::new(up);
                            // Echoes what it reads.
                            let mut buf = [0u8; 256];
                            while let Ok(n @ 1..) = io.read(&mut buf).await {
                                if io.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    });
                    let mut res = http::Response::new(empty_body());
                    *res.status_mut() = http::StatusCode::SWITCHING_PROTOCOLS;
                    res.headers_mut()
                        .insert(http::header::CONNECTION, "Upgrade".parse().unwrap());
                    res.headers_mut()
                        .insert(http::header::UPGRADE, "tcp".parse().unwrap());
                    return Ok::<_, Infallible>(res);
                }
                if req.uri().path() == "/echo" {
                    let body = http_body_util::BodyExt::collect(req.into_body())
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    return Ok(http::Response::new(full_body(body)));
                }
                Ok(http::Response::new(full_body(Bytes::from_static(b"ok"))))
            })
        })
    }

    struct Running {
        addr: SocketAddr,
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        done: tokio::task::JoinHandle<()>,
    }

    async fn start(options: ServeOptions) -> Running {
        let listeners = Listeners::bind_to(None, Some("127.0.0.1:0".parse().unwrap()))
            .await
            .unwrap();
        let addr = listeners.tcp_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            serve(listeners, test_service(), Drain::new(), options, async {
                let _ = rx.await;
            })
            .await;
        });
        Running {
            addr,
            stop: Some(tx),
            done,
        }
    }

    impl Running {
        async fn stop(mut self) {
            if let Some(tx) = self.stop.take() {
                let _ = tx.send(());
            }
            let _ = tokio::time::timeout(Duration::from_secs(10), self.done).await;
        }
    }

    /// Reads until EOF (or the deadline); what was read.
    async fn read_to_eof(stream: &mut TcpStream, deadline: Duration) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        tokio::time::timeout(deadline, stream.read_to_end(&mut out))
            .await
            .ok()?
            .ok()?;
        Some(out)
    }

    /// A new connection to `addr` with `request` sent on it.
    async fn send(addr: SocketAddr, request: &[u8]) -> TcpStream {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(request).await.unwrap();
        s
    }

    /// The request that upgrades a connection of [`test_service`].
    const UPGRADE: &[u8] =
        b"GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

    async fn get(addr: SocketAddr, path: &str) -> String {
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut s = send(addr, req.as_bytes()).await;
        let out = read_to_eof(&mut s, Duration::from_secs(10)).await.unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn http2_prior_knowledge_is_not_served() {
        let server = start(ServeOptions::default()).await;
        let mut s = send(server.addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
        let out = read_to_eof(&mut s, Duration::from_secs(10))
            .await
            .expect("the connection is closed, not kept for HTTP/2");
        // No HTTP/2 SETTINGS frame (type 4 at byte 3 of the first frame): at
        // most an HTTP/1.1 error response.
        assert!(
            out.is_empty() || out.starts_with(b"HTTP/1.1 "),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        assert!(get(server.addr, "/").await.starts_with("HTTP/1.1 200"));
        server.stop().await;
    }

    #[tokio::test]
    async fn a_request_still_waiting_when_first_polled_is_answered_when_ready() {
        // The server polls a response future once as soon as it is made (with
        // no waker to call): one that waits for a body still on its way must
        // be woken when the body comes, and the connection serve its next
        // request.
        let server = start(ServeOptions::default()).await;
        let head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
        let mut s = send(server.addr, head).await;
        // Not a synchronisation: the test passes whether or not the server
        // polled before the body came; the pause makes the late body likely.
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.write_all(b"hello").await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let out = read_to_eof(&mut s, Duration::from_secs(10))
            .await
            .expect("both answered, then closed");
        let out = String::from_utf8_lossy(&out);
        let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
        assert_eq!(answers.len(), 2, "{out}");
        assert!(
            answers[0].starts_with("200 OK") && answers[0].ends_with("\r\n\r\nhello"),
            "{out}"
        );
        assert!(
            answers[1].starts_with("200 OK") && answers[1].ends_with("\r\n\r\nok"),
            "{out}"
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_after_the_header_read_timeout() {
        let server = start(ServeOptions {
            header_read_timeout: Duration::from_millis(300),
            ..ServeOptions::default()
        })
        .await;
        let mut silent = TcpStream::connect(server.addr).await.unwrap();
        let out = read_to_eof(&mut silent, Duration::from_secs(10))
            .await
            .expect("closed by the server");
        assert!(
            out.is_empty() || out.starts_with(b"HTTP/1.1 408"),
            "{out:?}"
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn upgraded_connections_count_against_the_cap() {
        let server = start(ServeOptions {
            max_connections: 1,
            ..ServeOptions::default()
        })
        .await;
        let mut upgraded = send(server.addr, UPGRADE).await;
        let mut head = vec![0u8; 12];
        upgraded.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 101");
        // The only slot is held by the upgraded stream: a second request waits.
        let addr = server.addr;
        let second = tokio::spawn(async move { get(addr, "/").await });
        let waited = tokio::time::timeout(Duration::from_millis(300), async {
            while !second.is_finished() {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(waited.is_err(), "served past the cap");
        drop(upgraded);
        let res = tokio::time::timeout(Duration::from_secs(10), second)
            .await
            .expect("served once the upgraded stream closed")
            .unwrap();
        assert!(res.starts_with("HTTP/1.1 200"), "{res}");
        server.stop().await;
    }

    /// Sends `request` on a new connection; the answer's status line and body.
    async fn answer(addr: SocketAddr, request: &[u8]) -> (String, String) {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // The server may answer and close before it read everything.
        let _ = s.write_all(request).await;
        let out = read_to_eof(&mut s, Duration::from_secs(10)).await.unwrap();
        let out = String::from_utf8_lossy(&out).into_owned();
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        let status = head.lines().next().unwrap_or_default().to_string();
        assert!(head.contains("content-type: application/json"), "{head}");
        (status, body.to_string())
    }

    #[tokio::test]
    async fn the_errors_hyper_answers_itself_are_json() {
        let server = start(ServeOptions::default()).await;
        let cases: [(Vec<u8>, &str, &str); 3] = [
            (
                b"GARBAGE\r\n\r\n".to_vec(),
                "HTTP/1.1 400 Bad Request",
                "malformed HTTP request",
            ),
            (
                format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000)).into_bytes(),
                "HTTP/1.1 414 URI Too Long",
                "request URI too long",
            ),
            (
                format!(
                    "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                    "b".repeat(1 << 20)
                )
                .into_bytes(),
                "HTTP/1.1 431 Request Header Fields Too Large",
                "request header fields too large",
            ),
        ];
        for (request, status, message) in cases {
            let (got_status, body) = answer(server.addr, &request).await;
            assert_eq!(got_status, status);
            assert_eq!(body, format!(r#"{{"message":"{message}"}}"#));
        }
        server.stop().await;
    }

    #[tokio::test]
    async fn an_upgraded_stream_passes_error_lookalikes_untouched() {
        let server = start(ServeOptions::default()).await;
        let mut s = send(server.addr, UPGRADE).await;
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            s.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let lookalike = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        s.write_all(lookalike).await.unwrap();
        let mut echoed = vec![0u8; lookalike.len()];
        s.read_exact(&mut echoed).await.unwrap();
        assert_eq!(echoed, lookalike);
        drop(s);
        server.stop().await;
    }
}
