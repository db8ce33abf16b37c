//! WebSocket streams: dispatch calls the backend *before* the upgrade (so an
//! unknown container is a plain 404) and replies with a [`Pump`]; [`upgrade`]
//! answers the handshake and a task tracked by the server's drain pumps the
//! stream. At shutdown every open stream gets a normal close.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use hyper_tungstenite::tungstenite::error::CapacityError;
use hyper_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use hyper_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use hyper_tungstenite::tungstenite::{Error as WsError, Message};
use hyper_tungstenite::HyperWebsocket;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use sockerless_core::api::*;
use sockerless_core::error::{Error, Result};
use sockerless_http::{Drain, Response};

/// Checks that `head` is a WebSocket upgrade this server answers (RFC 6455
/// §4.2.1: `GET`, `Connection: Upgrade`, `Upgrade: websocket`, a
/// `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`), before the backend is
/// called: a refused upgrade must not act (start an exec, close a stdin).
pub(crate) fn check_upgrade(head: &http::Request<()>) -> Result<()> {
    if !hyper_tungstenite::is_upgrade_request(head) {
        return Err(Error::bad_request(format!(
            "{} is served over WebSocket: upgrade required",
            head.uri().path()
        )));
    }
    let headers = head.headers();
    if head.method() != http::Method::GET {
        return Err(Error::bad_request(
            "WebSocket upgrade failed: the method must be GET",
        ));
    }
    if headers.get("sec-websocket-key").is_none() {
        return Err(Error::bad_request(
            "WebSocket upgrade failed: missing Sec-WebSocket-Key",
        ));
    }
    match headers.get("sec-websocket-version") {
        Some(v) if v == "13" => Ok(()),
        Some(v) => Err(Error::UpgradeRequired {
            message: format!(
                "WebSocket upgrade failed: unsupported Sec-WebSocket-Version {}: only 13 is supported",
                String::from_utf8_lossy(v.as_bytes())
            ),
            versions: "13".to_string(),
        }),
        None => Err(Error::bad_request(
            "WebSocket upgrade failed: missing Sec-WebSocket-Version",
        )),
    }
}

/// Answers a WebSocket upgrade of `head` (the request without its body) and
/// hands the socket to a task, tracked by `drain`, that pumps `pump`.
pub(crate) fn upgrade(head: &mut http::Request<()>, pump: Pump, drain: &Drain) -> Result<Response> {
    let limit = pump.max_message();
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(limit);
    config.max_frame_size = Some(limit);
    let (res, socket) = hyper_tungstenite::upgrade(head, Some(config))
        .map_err(|e| Error::bad_request(format!("WebSocket upgrade failed: {e}")))?;
    drain.tasks.spawn(run(socket, pump, drain.shutdown.clone()));
    Ok(res.map(|b| b.map_err(|never| match never {}).boxed_unsync()))
}

/// What a WebSocket carries.
pub(crate) enum Pump {
    /// Server → client text messages, then a normal close.
    Json(BoxStream<String>),
    /// Attach framing both ways; `Option<Sender>` forwards stdin.
    Attach(BoxStream<AttachEvent>, Option<mpsc::Sender<Bytes>>),
}

/// Largest client message on a socket that forwards stdin: 64 KiB (the
/// Docker frontend sends reads of 16 KiB).
pub const MAX_STDIN_MESSAGE: usize = 64 << 10;

/// Largest client message on a socket that ignores client input: 4 KiB
/// (only close and ping frames matter there).
pub const MAX_IGNORED_MESSAGE: usize = 4 << 10;

impl Pump {
    /// The largest message the client may send: a bigger one is never
    /// buffered whole; the socket closes with 1009 (message too big).
    fn max_message(&self) -> usize {
        match self {
            Pump::Attach(_, Some(_)) => MAX_STDIN_MESSAGE,
            Pump::Json(_) | Pump::Attach(_, None) => MAX_IGNORED_MESSAGE,
        }
    }

    /// One text message per item, each serialised to JSON.
    pub(crate) fn json<T: Serialize + Send + 'static>(s: BoxStream<T>) -> Pump {
        Pump::Json(Box::pin(s.map(|v| {
            serde_json::to_string(&v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        })))
    }
}

/// A channel for the client's stdin messages when `wanted`: the sender stays
/// with the socket, the stream goes to the backend.
pub(crate) fn stdin_channel(
    wanted: bool,
) -> (Option<mpsc::Sender<Bytes>>, Option<BoxStream<Bytes>>) {
    if !wanted {
        return (None, None);
    }
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    (Some(tx), Some(Box::pin(stream)))
}

fn close(code: CloseCode, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// The close frame for a client message over the socket's limit.
fn too_big(e: CapacityError) -> Message {
    close(CloseCode::Size, format!("message too big: {e}"))
}

/// Pumps one socket until the stream ends, the client leaves, or the server shuts
/// down (then the client gets a normal close).
async fn run(socket: HyperWebsocket, pump: Pump, shutdown: CancellationToken) {
    let ws = tokio::select! {
        ws = socket => match ws { Ok(ws) => ws, Err(_) => return },
        _ = shutdown.cancelled() => return,
    };
    let (mut sink, mut source) = ws.split();
    match pump {
        Pump::Json(mut items) => loop {
            tokio::select! {
                item = items.next() => match item {
                    Some(text) => {
                        if sink.send(Message::text(text)).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        let _ = sink.send(close(CloseCode::Normal, String::new())).await;
                        break;
                    }
                },
                msg = source.next() => match msg {
                    Some(Err(WsError::Capacity(e))) => {
                        let _ = sink.send(too_big(e)).await;
                        break;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                _ = shutdown.cancelled() => {
                    let _ = sink.send(close(CloseCode::Normal, "server shutting down".into())).await;
                    break;
                }
            }
        },
        Pump::Attach(mut out, mut stdin) => loop {
            tokio::select! {
                ev = out.next() => match ev {
                    Some(AttachEvent::Output(stream, data)) => {
                        let mut frame = Vec::with_capacity(data.len() + 1);
                        frame.push(stream.byte());
                        frame.extend_from_slice(&data);
                        if sink.send(Message::binary(frame)).await.is_err() {
                            return;
                        }
                    }
                    Some(AttachEvent::Exit(code)) => {
                        let _ = sink.send(close(CloseCode::Normal, code.to_string())).await;
                        break;
                    }
                    None => {
                        let _ = sink.send(close(CloseCode::Normal, String::new())).await;
                        break;
                    }
                },
                msg = source.next() => match msg {
                    Some(Ok(Message::Binary(b))) => forward(&mut stdin, b).await,
                    Some(Ok(Message::Text(t))) => forward(&mut stdin, Bytes::from(t.as_str().to_owned())).await,
                    Some(Err(WsError::Capacity(e))) => {
                        let _ = sink.send(too_big(e)).await;
                        break;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                _ = shutdown.cancelled() => {
                    let _ = sink.send(close(CloseCode::Normal, "server shutting down".into())).await;
                    break;
                }
            }
        },
    }
    // Let the close handshake finish, but never wait on a silent client for long.
    let _ = sink.flush().await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(msg)) = source.next().await {
            if msg.is_close() {
                break;
            }
        }
    })
    .await;
}

/// Stdin bytes go to the process; an empty message is EOF (drops the sender).
async fn forward(stdin: &mut Option<mpsc::Sender<Bytes>>, bytes: Bytes) {
    if bytes.is_empty() {
        *stdin = None;
        return;
    }
    if let Some(tx) = stdin {
        if tx.send(bytes).await.is_err() {
            *stdin = None;
        }
    }
}
