//! A blocking HTTP/1.1 client over a Unix socket, enough for the corpus: plain
//! and chunked bodies, bodies that never end (read for a bounded time), and
//! hijacked connections (`Upgrade: tcp`) with stdin sent after the head.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// One request as sent.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query (with the `/v1.44` prefix).
    pub target: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body (a `Content-Length` is sent for POST/PUT and any body).
    pub body: Vec<u8>,
    /// Ask for a hijack (`Connection: Upgrade`, `Upgrade: tcp`).
    pub hijack: bool,
    /// Bytes written after the response head (stdin of a hijack).
    pub send: Vec<u8>,
    /// Half-close the write side after `send`.
    pub close_write: bool,
    /// Stop reading after this long even if the body has not ended.
    pub read_for: Duration,
    /// Stop reading after this many body bytes.
    pub max_bytes: usize,
}

/// A response: status, lowercased headers, the body read (de-chunked; for a
/// hijack, the raw bytes read). The Docker tests' own type.
pub use crate::docker::common::RawResponse as Response;

/// Sends `req` and reads the response; `head_seen` (if any) is told once the
/// head has arrived, so a caller can go on while this one reads the body.
pub fn send(
    socket: &Path,
    req: &Request,
    head_seen: Option<Sender<()>>,
) -> Result<Response, String> {
    let mut stream = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockerless-fidelity\r\n",
        req.method, req.target
    );
    if req.hijack {
        head.push_str("Connection: Upgrade\r\nUpgrade: tcp\r\n");
    } else {
        head.push_str("Connection: close\r\n");
    }
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !req.body.is_empty() || req.method == "POST" || req.method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", req.body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&req.body);
    // A server may answer before reading a body it does not need.
    let _ = stream.write_all(&bytes);
    let deadline = Instant::now() + req.read_for;
    let mut buf = Vec::new();
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if !read_some(&mut stream, &mut buf, deadline)? {
            return Err(format!(
                "no response head: {:?}",
                String::from_utf8_lossy(&buf)
            ));
        }
    };
    let (status, headers) = parse_head(&String::from_utf8_lossy(&buf[..end]))?;
    if let Some(tx) = head_seen {
        let _ = tx.send(());
    }
    let mut rest = buf[end + 4..].to_vec();
    let mut res = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if req.method == "HEAD" || status == 204 || status == 304 {
        return Ok(res);
    }
    if status == 101
        || (req.hijack
            && res
                .header("content-type")
                .is_some_and(|c| c.contains("raw-stream")))
    {
        if !req.send.is_empty() {
            stream
                .write_all(&req.send)
                .map_err(|e| format!("send: {e}"))?;
        }
        if req.close_write {
            let _ = stream.shutdown(std::net::Shutdown::Write);
        }
        while rest.len() < req.max_bytes && read_some(&mut stream, &mut rest, deadline)? {}
        res.body = rest;
        return Ok(res);
    }
    let chunked = res
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let length: Option<usize> = res.header("content-length").and_then(|v| v.parse().ok());
    loop {
        if chunked {
            let (body, done) = dechunk(&rest);
            if done || body.len() >= req.max_bytes {
                res.body = body;
                return Ok(res);
            }
        } else if let Some(n) = length {
            if rest.len() >= n {
                rest.truncate(n);
                res.body = rest;
                return Ok(res);
            }
        }
        if !read_some(&mut stream, &mut rest, deadline)? {
            res.body = if chunked { dechunk(&rest).0 } else { rest };
            return Ok(res);
        }
    }
}

/// Reads what is there into `buf`; false at end of stream or at `deadline`.
fn read_some(
    stream: &mut UnixStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Result<bool, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Ok(false);
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|e| format!("timeout: {e}"))?;
    let mut chunk = [0u8; 16384];
    match stream.read(&mut chunk) {
        Ok(0) => Ok(false),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(true)
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(false),
        Err(e) => Err(format!("read: {e}")),
    }
}

fn parse_head(head: &str) -> Result<(u16, Vec<(String, String)>), String> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers))
}

/// De-chunks what has arrived; true once the last chunk was seen.
fn dechunk(mut data: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let size_text = String::from_utf8_lossy(&data[..eol]).into_owned();
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
        else {
            return (out, true);
        };
        if size == 0 {
            return (out, true);
        }
        data = &data[eol + 2..];
        if data.len() < size {
            return (out, false);
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}
