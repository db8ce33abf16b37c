//! [`ErrorBodyIo`]: hyper answers a request it cannot parse (400), a URI too
//! long (414) or a head too large (431) by itself, with an empty body, before
//! any service of ours sees the request. The contract says every error is
//! `{"message": …}`; this wrapper of the connection's IO recognises exactly
//! those answers on their way out and gives them that body.
//!
//! It recognises a write that is one whole response head and nothing else:
//! the status line of one of those three, `content-length: 0`, and only
//! `date` or `connection` besides — a head our services never produce (every
//! error of theirs is JSON already). After a `101` the connection carries raw
//! bytes (WebSocket, hijacked streams) and nothing is looked at again.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pin_project_lite::pin_project! {
    /// An IO stream whose writes of hyper's own empty error answers get a JSON
    /// body (see the module docs).
    pub struct ErrorBodyIo<IO> {
        #[pin]
        inner: IO,
        // A rewritten answer and how much of it has been written.
        pending: Option<(Vec<u8>, usize)>,
        // The connection was upgraded: pass everything through.
        raw: bool,
    }
}

impl<IO> ErrorBodyIo<IO> {
    /// Wraps `inner`.
    pub fn new(inner: IO) -> Self {
        ErrorBodyIo {
            inner,
            pending: None,
            raw: false,
        }
    }
}

/// The message of each status hyper answers by itself.
fn message_for(status_line: &str) -> Option<&'static str> {
    match status_line {
        "HTTP/1.1 400 Bad Request" | "HTTP/1.0 400 Bad Request" => Some("malformed HTTP request"),
        "HTTP/1.1 414 URI Too Long" | "HTTP/1.0 414 URI Too Long" => Some("request URI too long"),
        "HTTP/1.1 431 Request Header Fields Too Large"
        | "HTTP/1.0 431 Request Header Fields Too Large" => Some("request header fields too large"),
        _ => None,
    }
}

/// `head` with a JSON body, when it is one of hyper's own empty error answers.
fn with_json_body(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.strip_suffix("\r\n\r\n")?.split("\r\n");
    let message = message_for(lines.next()?)?;
    let mut kept = Vec::new();
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value.trim() == "0" => empty = true,
            "date" | "connection" => kept.push(line),
            _ => return None,
        }
    }
    if !empty {
        return None;
    }
    let body = serde_json::json!({ "message": message }).to_string();
    let mut out = String::with_capacity(text.len() + body.len() + 48);
    out.push_str(text.split("\r\n").next()?);
    out.push_str("\r\ncontent-type: application/json\r\n");
    out.push_str(&format!("content-length: {}\r\n", body.len()));
    for line in kept {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<IO: AsyncWrite> ErrorBodyIo<IO> {
    /// Writes what is pending, if anything (inlined: at every write but the
    /// one after a rewritten answer it is one test of `pending`).
    #[inline]
    fn poll_pending(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut this = self.project();
        while let Some((bytes, done)) = this.pending.as_mut() {
            if *done == bytes.len() {
                *this.pending = None;
                break;
            }
            let n = ready!(this.inner.as_mut().poll_write(cx, &bytes[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Looks at a write that starts at `first` (`total` bytes in all): marks
    /// an upgrade, or takes a whole error head to rewrite (then the write is
    /// `Some(len)`, consumed).
    fn inspect(self: Pin<&mut Self>, first: &[u8], total: impl FnOnce() -> usize) -> Option<usize> {
        let this = self.project();
        if *this.raw || !may_be_ours(first) {
            return None;
        }
        if first.starts_with(b"HTTP/1.1 101 ") {
            *this.raw = true;
            return None;
        }
        let total = total();
        if first.len() != total || !first.starts_with(b"HTTP/1.") {
            return None;
        }
        let rewritten = with_json_body(first)?;
        *this.pending = Some((rewritten, 0));
        Some(total)
    }
}

/// Whether a write can be a head this wrapper acts on: a `1xx` (an upgrade's
/// `101`) or a `4xx` (hyper's own errors). In `HTTP/1.x NNN` the status's
/// first digit is the tenth byte; every other write, the responses of every
/// request served, passes without a further look.
fn may_be_ours(first: &[u8]) -> bool {
    matches!(first.get(9), Some(b'1' | b'4'))
}

impl<IO: AsyncRead> AsyncRead for ErrorBodyIo<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite> AsyncWrite for ErrorBodyIo<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.as_mut().poll_pending(cx))?;
        if let Some(n) = self.as_mut().inspect(buf, || buf.len()) {
            // Taken whole; the rest goes out with the next write or flush.
            let _ = self.as_mut().poll_pending(cx)?;
            return Poll::Ready(Ok(n));
        }
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.as_mut().poll_pending(cx))?;
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            let total = || bufs.iter().map(|b| b.len()).sum();
            if let Some(n) = self.as_mut().inspect(first, total) {
                let _ = self.as_mut().poll_pending(cx)?;
                return Poll::Ready(Ok(n));
            }
        }
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_pending(cx))?;
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_pending(cx))?;
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_error_heads_get_a_json_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 17:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(with_json_body(head).expect("rewritten")).expect("utf8");
        let body = r#"{"message":"request header fields too large"}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\ndate: Tue, 01 Dec 2026 17:00:00 GMT\r\n\r\n{body}",
                body.len()
            )
        );
        let title = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        assert!(with_json_body(title).is_some());
    }

    #[test]
    fn only_1xx_and_4xx_heads_are_looked_at() {
        for head in [
            &b"HTTP/1.1 101 Switching Protocols\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\n",
            b"HTTP/1.0 431 Request Header Fields Too Large\r\n",
        ] {
            assert!(may_be_ours(head), "{}", String::from_utf8_lossy(head));
        }
        for write in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"HTTP/1.1 500 Internal Server Error\r\n",
            b"HTTP/1.1 ",
            b"",
        ] {
            assert!(!may_be_ours(write), "{}", String::from_utf8_lossy(write));
        }
    }

    #[test]
    fn other_heads_pass_untouched() {
        for head in [
            // Ours: it has a content type and a body.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n"[..],
            // A status hyper does not answer by itself.
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            // Not a whole head.
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nmore",
        ] {
            assert_eq!(with_json_body(head), None, "{}", String::from_utf8_lossy(head));
        }
    }
}
