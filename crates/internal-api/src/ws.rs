//! WebSocket streams: dispatch calls the backend *before* the upgrade (so an
//! unknown container is a plain 404) and replies with a [`Pump`]; [`upgrade`]
//! answers the handshake and a task tracked by the server's drain pumps the
//! stream. At shutdown every open stream gets a normal close.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use hyper_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use hyper_tungstenite::tungstenite::protocol::CloseFrame;
use hyper_tungstenite::tungstenite::Message;
use hyper_tungstenite::HyperWebsocket;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use sockerless_core::api::*;
use sockerless_core::error::{Error, Result};
use sockerless_http::{Drain, Response};

/// Answers a WebSocket upgrade of `head` (the request without its body) and
/// hands the socket to a task, tracked by `drain`, that pumps `pump`.
pub(crate) fn upgrade(head: &mut http::Request<()>, pump: Pump, drain: &Drain) -> Result<Response> {
    let (res, socket) = hyper_tungstenite::upgrade(head, None)
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

impl Pump {
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
