//! `--client lean`: one keep-alive HTTP/1.1 connection driven by the
//! worker's own task — the request written from one reused buffer by one
//! `write_all`, the response read into another and parsed with `httparse`
//! (hyper's own parser), the body taken by `Content-Length`, chunked, or up
//! to the end of the connection.
//! No connection task, no channel between two tasks, no header map: on a
//! 2-core machine the load tool shares the cores with the server it
//! measures, and every microsecond it spends per request is one the server
//! does not get.
//!
//! Each request carries the method, the path and `Host`; with a body,
//! `Content-Type: application/json` and its `Content-Length`; a body-less
//! `POST` or `PUT` says `Content-Length: 0`, as the docker CLI does. One
//! request at a time per connection, never pipelined.

use std::io;
use std::pin::Pin;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A socket of either kind, boxed.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// The most a response head may take before it counts as malformed.
const MAX_HEAD: usize = 64 * 1024;
/// The most a response body may take (a list of many containers fits).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// One connection: the socket, and the buffers every request reuses.
pub struct LeanConn {
    stream: Pin<Box<dyn Stream>>,
    request: Vec<u8>,
    response: BytesMut,
    /// The server asked to close (`Connection: close`) or the body had no
    /// length: the next request needs a new connection.
    closed: bool,
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl LeanConn {
    /// A connection over `stream`, which is already connected.
    pub fn new(stream: Pin<Box<dyn Stream>>) -> LeanConn {
        LeanConn {
            stream,
            request: Vec::with_capacity(512),
            response: BytesMut::with_capacity(16 * 1024),
            closed: false,
        }
    }

    /// Whether the connection can carry another request.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Sends one request and reads the whole response: its status and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> io::Result<(u16, Bytes)> {
        self.request.clear();
        let r = &mut self.request;
        r.extend_from_slice(method.as_bytes());
        r.push(b' ');
        r.extend_from_slice(path.as_bytes());
        r.extend_from_slice(b" HTTP/1.1\r\nhost: localhost\r\n");
        match body {
            Some(b) => {
                r.extend_from_slice(b"content-type: application/json\r\ncontent-length: ");
                r.extend_from_slice(itoa::Buffer::new().format(b.len()).as_bytes());
                r.extend_from_slice(b"\r\n\r\n");
                r.extend_from_slice(b);
            }
            None if method == "POST" || method == "PUT" => {
                r.extend_from_slice(b"content-length: 0\r\n\r\n");
            }
            None => r.extend_from_slice(b"\r\n"),
        }
        let result = match self.stream.write_all(&self.request).await {
            Ok(()) => self.read_response(method == "HEAD").await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    /// Reads more of the response into the buffer; an error at end of file.
    async fn fill(&mut self) -> io::Result<()> {
        if self.response.capacity() - self.response.len() < 4096 {
            self.response.reserve(16 * 1024);
        }
        let n = self.stream.read_buf(&mut self.response).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection mid-response",
            ));
        }
        Ok(())
    }

    /// Reads until the buffer holds at least `n` bytes.
    async fn fill_to(&mut self, n: usize) -> io::Result<()> {
        while self.response.len() < n {
            self.fill().await?;
        }
        Ok(())
    }

    async fn read_response(&mut self, head_only: bool) -> io::Result<(u16, Bytes)> {
        // The head.
        let (status, head_len, length, close) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&self.response) {
                Ok(httparse::Status::Complete(head_len)) => {
                    let status = parsed.code.unwrap_or(0);
                    let mut length = BodyLength::UntilClose;
                    let mut close = false;
                    for h in parsed.headers.iter() {
                        if h.name.eq_ignore_ascii_case("content-length") {
                            let n = std::str::from_utf8(h.value)
                                .ok()
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .ok_or_else(|| invalid("a bad Content-Length"))?;
                            length = BodyLength::Exactly(n);
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
                            && h.value.eq_ignore_ascii_case(b"chunked")
                        {
                            length = BodyLength::Chunked;
                        } else if h.name.eq_ignore_ascii_case("connection")
                            && h.value.eq_ignore_ascii_case(b"close")
                        {
                            close = true;
                        }
                    }
                    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
                        length = BodyLength::Exactly(0);
                    }
                    break (status, head_len, length, close);
                }
                Ok(httparse::Status::Partial) if self.response.len() < MAX_HEAD => {}
                Ok(httparse::Status::Partial) => return Err(invalid("a response head too long")),
                Err(e) => return Err(invalid(format!("a malformed response head: {e}"))),
            }
            self.fill().await?;
        };
        self.response.advance(head_len);
        let body = match length {
            BodyLength::Exactly(n) => {
                if n > MAX_BODY {
                    return Err(invalid("a response body too long"));
                }
                self.fill_to(n).await?;
                self.response.split_to(n).freeze()
            }
            BodyLength::Chunked => self.read_chunked().await?,
            BodyLength::UntilClose => {
                loop {
                    match self.fill().await {
                        Ok(()) if self.response.len() <= MAX_BODY => {}
                        Ok(()) => return Err(invalid("a response body too long")),
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                        Err(e) => return Err(e),
                    }
                }
                self.closed = true;
                self.response.split().freeze()
            }
        };
        self.closed |= close;
        Ok((status, body))
    }

    /// A chunked body, de-chunked (trailers skipped).
    async fn read_chunked(&mut self) -> io::Result<Bytes> {
        let mut body = BytesMut::new();
        loop {
            let line = self.take_line().await?;
            let size = std::str::from_utf8(&line)
                .ok()
                .and_then(|l| usize::from_str_radix(l.split(';').next()?.trim(), 16).ok())
                .ok_or_else(|| invalid("a bad chunk size"))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while !self.take_line().await?.is_empty() {}
                return Ok(body.freeze());
            }
            if body.len() + size > MAX_BODY {
                return Err(invalid("a response body too long"));
            }
            self.fill_to(size + 2).await?;
            body.extend_from_slice(&self.response[..size]);
            if &self.response[size..size + 2] != b"\r\n" {
                return Err(invalid("a chunk not ended by CRLF"));
            }
            self.response.advance(size + 2);
        }
    }

    /// The next line of a chunked body (a size line or a trailer), without
    /// its CRLF, taken off the buffer.
    async fn take_line(&mut self) -> io::Result<BytesMut> {
        loop {
            if let Some(i) = self.response.windows(2).position(|w| w == b"\r\n") {
                let line = self.response.split_to(i);
                self.response.advance(2);
                return Ok(line);
            }
            if self.response.len() > MAX_HEAD {
                return Err(invalid("a line of a chunked body too long"));
            }
            self.fill().await?;
        }
    }
}

/// How the body of a response is delimited.
enum BodyLength {
    Exactly(usize),
    Chunked,
    UntilClose,
}
