//! The streaming routes of the internal API over WebSocket, client side: one
//! fresh connection per stream, one task that owns the socket and forwards
//! stdin to it and its messages to a channel. When the consumer drops the
//! stream, the task closes the WebSocket (so a Docker client that leaves
//! closes the backend stream too); when the socket breaks, the stream ends
//! cleanly (and a wait answers an error naming the backend).

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::header::ALLOW;
use serde::de::DeserializeOwned;
use sockerless_core::api::{AttachEvent, BoxStream, StdStream, WaitError, WaitResponse};
use sockerless_core::error::{Error, Result};
use sockerless_core::BoxFuture;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use super::transport::{connect_raw, target, Stream, Transport};
use crate::route::Route;

/// Messages queued from the backend before it is back-pressured.
const QUEUE: usize = 64;

/// Largest message accepted from a backend.
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// What a backend socket delivered.
#[derive(Debug)]
pub(crate) enum WsEvent {
    /// A text message (JSON).
    Text(String),
    /// A binary message (attach framing).
    Binary(Bytes),
    /// A close frame with its reason (an attach's exit code).
    Closed(String),
    /// The connection broke; the detail names what happened.
    Broken(String),
}

/// Opens the WebSocket of `route` (with `query`). A refusal before the
/// upgrade (404, 409, 400, 501 …) is the backend's own error.
pub(crate) async fn open(
    transport: &Transport,
    route: Route,
    query: &str,
) -> Result<WebSocketStream<Stream>> {
    let (_, path_and_query) = target(&route, query)?;
    let timeouts = transport.timeouts();
    let stream = connect_raw(transport.address(), timeouts.connect)
        .await
        .map_err(|e| transport.unreachable(e))?;
    let request = format!("ws://sockerless{path_and_query}")
        .into_client_request()
        .map_err(|e| Error::internal(format!("building a backend WebSocket request: {e}")))?;
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(MAX_MESSAGE);
    config.max_frame_size = Some(MAX_MESSAGE);
    let handshake = tokio_tungstenite::client_async_with_config(request, stream, Some(config));
    match tokio::time::timeout(timeouts.stream_head, handshake).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(tungstenite::Error::Http(res))) => {
            let status = res.status();
            let allow = res
                .headers()
                .get(ALLOW)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = res.body().as_deref().unwrap_or_default();
            let message = super::transport::error_message(status, body);
            Err(Error::from_status(status, message, allow))
        }
        Ok(Err(e)) => Err(transport.broken(format!("WebSocket handshake: {e}"))),
        Err(_) => Err(transport.unreachable(format!(
            "no WebSocket answer within {} s",
            timeouts.stream_head.as_secs_f64()
        ))),
    }
}

/// Spawns the task that owns `ws`: stdin chunks go out as binary messages (an
/// empty one at stdin's end = EOF), the backend's messages come back on the
/// returned channel.
pub(crate) fn pump(
    mut ws: WebSocketStream<Stream>,
    mut stdin: Option<BoxStream<Bytes>>,
    backend: String,
) -> mpsc::Receiver<WsEvent> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                msg = ws.next() => {
                    let event = match msg {
                        Some(Ok(Message::Text(t))) => WsEvent::Text(t.as_str().to_owned()),
                        Some(Ok(Message::Binary(b))) => WsEvent::Binary(b),
                        Some(Ok(Message::Close(frame))) => {
                            let reason = frame.map(|f| f.reason.as_str().to_owned()).unwrap_or_default();
                            let _ = tx.send(WsEvent::Closed(reason)).await;
                            return;
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => {
                            let _ = tx.send(WsEvent::Broken(format!("backend {backend}: stream broken: {e}"))).await;
                            return;
                        }
                        None => {
                            let _ = tx.send(WsEvent::Broken(format!("backend {backend}: stream ended without a close"))).await;
                            return;
                        }
                    };
                    if tx.send(event).await.is_err() {
                        let _ = ws.close(None).await;
                        return;
                    }
                }
                chunk = next_stdin(&mut stdin), if stdin.is_some() => {
                    let message = match chunk {
                        Some(b) if b.is_empty() => continue,
                        Some(b) => Message::Binary(b),
                        None => {
                            stdin = None;
                            Message::Binary(Bytes::new())
                        }
                    };
                    if ws.send(message).await.is_err() {
                        stdin = None;
                    }
                }
                _ = tx.closed() => {
                    let _ = ws.close(None).await;
                    return;
                }
            }
        }
    });
    rx
}

async fn next_stdin(stdin: &mut Option<BoxStream<Bytes>>) -> Option<Bytes> {
    match stdin {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// The text messages as values of `T`, until the socket closes or breaks (a
/// message that does not parse ends the stream and is logged).
pub(crate) fn json_stream<T: DeserializeOwned + Send + 'static>(
    rx: mpsc::Receiver<WsEvent>,
) -> BoxStream<T> {
    Box::pin(futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await? {
                WsEvent::Text(text) => match serde_json::from_str::<T>(&text) {
                    Ok(v) => return Some((v, Some(rx))),
                    Err(e) => {
                        tracing::warn!(error = %e, "backend stream: a message that does not parse");
                        return None;
                    }
                },
                WsEvent::Binary(_) => continue,
                WsEvent::Closed(_) => return None,
                WsEvent::Broken(detail) => {
                    tracing::warn!(detail = %detail, "backend stream broken");
                    return None;
                }
            }
        }
    }))
}

/// Attach framing: `[1|2][payload]` binary messages are output; the close
/// reason is the exit code, and the stream ends with it.
pub(crate) fn attach_stream(rx: mpsc::Receiver<WsEvent>) -> BoxStream<AttachEvent> {
    Box::pin(futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await? {
                WsEvent::Binary(b) => {
                    if let Some(event) = attach_frame(&b) {
                        return Some((event, Some(rx)));
                    }
                }
                WsEvent::Text(_) => continue,
                WsEvent::Closed(reason) => {
                    let code = reason.trim().parse::<i64>().ok()?;
                    return Some((AttachEvent::Exit(code), None));
                }
                WsEvent::Broken(detail) => {
                    tracing::warn!(detail = %detail, "backend attach stream broken");
                    return None;
                }
            }
        }
    }))
}

fn attach_frame(frame: &Bytes) -> Option<AttachEvent> {
    let stream = match frame.first() {
        Some(1) => StdStream::Stdout,
        Some(2) => StdStream::Stderr,
        _ => return None,
    };
    let data = frame.slice(1..);
    (!data.is_empty()).then_some(AttachEvent::Output(stream, data))
}

/// The wait result: the first text message, or an error naming the backend
/// when the socket closes or breaks before it.
pub(crate) fn wait_future(
    mut rx: mpsc::Receiver<WsEvent>,
    backend: String,
) -> BoxFuture<WaitResponse> {
    Box::pin(async move {
        let failed = |message: String| WaitResponse {
            status_code: -1,
            error: Some(WaitError { message }),
        };
        loop {
            match rx.recv().await {
                Some(WsEvent::Text(text)) => {
                    return serde_json::from_str(&text).unwrap_or_else(|e| {
                        failed(format!(
                            "backend {backend}: a wait result that does not parse: {e}"
                        ))
                    })
                }
                Some(WsEvent::Binary(_)) => continue,
                Some(WsEvent::Closed(_)) | None => {
                    return failed(format!(
                        "backend {backend}: the wait ended without a result"
                    ))
                }
                Some(WsEvent::Broken(detail)) => return failed(detail),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_frames() {
        assert_eq!(
            attach_frame(&Bytes::from_static(b"\x01hi")),
            Some(AttachEvent::Output(
                StdStream::Stdout,
                Bytes::from_static(b"hi")
            ))
        );
        assert_eq!(
            attach_frame(&Bytes::from_static(b"\x02e")),
            Some(AttachEvent::Output(
                StdStream::Stderr,
                Bytes::from_static(b"e")
            ))
        );
        assert_eq!(attach_frame(&Bytes::from_static(b"\x01")), None);
        assert_eq!(attach_frame(&Bytes::from_static(b"\x07x")), None);
        assert_eq!(attach_frame(&Bytes::new()), None);
    }

    #[tokio::test]
    async fn attach_ends_with_the_exit_code_of_the_close() {
        let (tx, rx) = mpsc::channel(8);
        tx.send(WsEvent::Binary(Bytes::from_static(b"\x01out")))
            .await
            .unwrap();
        tx.send(WsEvent::Closed("3".into())).await.unwrap();
        let events: Vec<AttachEvent> = attach_stream(rx).collect().await;
        assert_eq!(
            events,
            vec![
                AttachEvent::Output(StdStream::Stdout, Bytes::from_static(b"out")),
                AttachEvent::Exit(3)
            ]
        );
    }

    #[tokio::test]
    async fn a_broken_wait_answers_an_error_naming_the_backend() {
        let (tx, rx) = mpsc::channel(8);
        tx.send(WsEvent::Broken(
            "backend unix:///b.sock: stream broken: reset".into(),
        ))
        .await
        .unwrap();
        let res = wait_future(rx, "unix:///b.sock".into()).await;
        assert_eq!(res.status_code, -1);
        assert_eq!(
            res.error.unwrap().message,
            "backend unix:///b.sock: stream broken: reset"
        );
    }
}
