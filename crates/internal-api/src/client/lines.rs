//! JSON-lines answers (pull progress, logs, stats, load) read as they arrive:
//! one value per line, each line bounded.

use bytes::{Buf, Bytes, BytesMut};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use sockerless_core::api::BoxStream;

/// Longest line accepted from a backend; a longer one ends the stream.
const MAX_LINE: usize = 16 * 1024 * 1024;

/// The values of a JSON-lines body, in order, until it ends or breaks (a broken
/// body or a line that does not parse ends the stream, logged with `backend`).
pub(crate) fn values<T: DeserializeOwned + Send + 'static>(
    body: Incoming,
    backend: String,
) -> BoxStream<T> {
    let frames = body.into_data_stream();
    let state = (frames, BytesMut::new(), false, backend);
    Box::pin(futures_util::stream::unfold(
        state,
        |(mut frames, mut buf, mut ended, backend)| async move {
            loop {
                if let Some(line) = take_line(&mut buf, ended) {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return match serde_json::from_slice::<T>(&line) {
                        Ok(v) => Some((v, (frames, buf, ended, backend))),
                        Err(e) => {
                            tracing::warn!(backend = %backend, error = %e, "a JSON line that does not parse");
                            None
                        }
                    };
                }
                if ended {
                    return None;
                }
                match frames.next().await {
                    Some(Ok(chunk)) => {
                        buf.extend_from_slice(&chunk);
                        if buf.len() > MAX_LINE && !buf.contains(&b'\n') {
                            tracing::warn!(backend = %backend, "a JSON line over the limit");
                            return None;
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!(backend = %backend, error = %e, "a JSON-lines answer broke");
                        return None;
                    }
                    None => ended = true,
                }
            }
        },
    ))
}

/// The next complete line of `buf` (without its `\n`), or, once the body has
/// ended, what is left.
fn take_line(buf: &mut BytesMut, ended: bool) -> Option<Bytes> {
    match buf.iter().position(|b| *b == b'\n') {
        Some(i) => {
            let line = buf.split_to(i).freeze();
            buf.advance(1);
            Some(line)
        }
        None if ended && !buf.is_empty() => Some(buf.split().freeze()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_newlines_and_keep_the_tail() {
        let mut buf = BytesMut::from(&b"{\"a\":1}\r\n{\"b\""[..]);
        assert_eq!(take_line(&mut buf, false).unwrap(), &b"{\"a\":1}\r"[..]);
        assert_eq!(take_line(&mut buf, false), None);
        assert_eq!(take_line(&mut buf, true).unwrap(), &b"{\"b\""[..]);
        assert_eq!(take_line(&mut buf, true), None);
    }
}
