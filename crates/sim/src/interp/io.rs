//! Stdio plumbing: the process's stdin ([`Input`]), its output channel plus
//! capture buffers for pipes and command substitution ([`Sinks`]), and the
//! targets of fds 1 and 2 ([`Fds`]), bundled per command as [`Io`].

use bytes::Bytes;
use tokio::sync::mpsc::{Receiver, UnboundedSender};

/// Standard stream of an output chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdStream {
    /// Standard output (fd 1).
    Stdout,
    /// Standard error (fd 2).
    Stderr,
}

/// The simulated process's stdio.
#[derive(Debug)]
pub struct ProcessIo {
    /// Standard input: `None` means no stdin (`/dev/null`, immediate EOF); a
    /// closed channel is EOF.
    pub stdin: Option<Receiver<Bytes>>,
    /// Every chunk the process writes, tagged with its stream, in order.
    pub output: UnboundedSender<(StdStream, Bytes)>,
}

/// A readable stdin: the process's channel, or a buffer (pipes).
pub(crate) struct Input<'r> {
    rx: Option<&'r mut Receiver<Bytes>>,
    buf: Vec<u8>,
    /// Prefix of `buf` known to hold no newline.
    scanned: usize,
    eof: bool,
}

impl<'r> Input<'r> {
    /// Reads the process's stdin channel; `None` is an immediate EOF.
    pub(crate) fn new(rx: Option<&'r mut Receiver<Bytes>>) -> Self {
        let eof = rx.is_none();
        Input {
            rx,
            buf: Vec::new(),
            scanned: 0,
            eof,
        }
    }

    /// A stdin that holds `buf` and then ends (a pipe stage's input).
    pub(crate) fn from_bytes(buf: Vec<u8>) -> Input<'static> {
        Input {
            rx: None,
            buf,
            scanned: 0,
            eof: true,
        }
    }

    /// Receives one more chunk into the buffer; false at EOF. Cancel-safe.
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let Some(rx) = self.rx.as_mut() else {
            self.eof = true;
            return false;
        };
        match rx.recv().await {
            Some(chunk) => {
                self.buf.extend_from_slice(&chunk);
                true
            }
            None => {
                self.eof = true;
                false
            }
        }
    }

    /// The next available bytes, or `None` at EOF.
    pub(crate) async fn read_chunk(&mut self) -> Option<Vec<u8>> {
        loop {
            if !self.buf.is_empty() {
                self.scanned = 0;
                return Some(std::mem::take(&mut self.buf));
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// The next line including its `\n` (the last one may lack it), or
    /// `None` at EOF.
    pub(crate) async fn read_line(&mut self) -> Option<Vec<u8>> {
        loop {
            let from = self.scanned.min(self.buf.len());
            if let Some(i) = self.buf[from..].iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(from + i + 1);
                self.scanned = 0;
                return Some(std::mem::replace(&mut self.buf, rest));
            }
            self.scanned = self.buf.len();
            if !self.fill().await {
                self.scanned = 0;
                return if self.buf.is_empty() {
                    None
                } else {
                    Some(std::mem::take(&mut self.buf))
                };
            }
        }
    }

    /// Everything up to EOF.
    pub(crate) async fn read_all(&mut self) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(chunk) = self.read_chunk().await {
            all.extend_from_slice(&chunk);
        }
        all
    }
}

/// Where a file descriptor points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    Stdout,
    Stderr,
    Null,
    /// Buffered (pipe stage or command substitution), by capture-stack index.
    Capture(usize),
}

/// The current targets of fds 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fds {
    pub(crate) out: Dest,
    pub(crate) err: Dest,
}

impl Default for Fds {
    fn default() -> Self {
        Fds {
            out: Dest::Stdout,
            err: Dest::Stderr,
        }
    }
}

/// The process's output channel plus a stack of capture buffers.
pub(crate) struct Sinks {
    pub(crate) tx: UnboundedSender<(StdStream, Bytes)>,
    pub(crate) captures: Vec<Vec<u8>>,
}

impl Sinks {
    /// Writes to a destination; empty writes and `Null` are dropped.
    fn write(&mut self, dest: Dest, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let stream = match dest {
            Dest::Stdout => StdStream::Stdout,
            Dest::Stderr => StdStream::Stderr,
            Dest::Null => return,
            Dest::Capture(i) => {
                if let Some(buf) = self.captures.get_mut(i) {
                    buf.extend_from_slice(data);
                }
                return;
            }
        };
        // A dropped receiver means nobody listens any more: discard.
        let _ = self.tx.send((stream, Bytes::copy_from_slice(data)));
    }

    /// Starts a capture buffer; its destination is returned.
    pub(crate) fn push_capture(&mut self) -> Dest {
        self.captures.push(Vec::new());
        Dest::Capture(self.captures.len() - 1)
    }

    /// Ends the innermost capture and returns what it caught.
    pub(crate) fn pop_capture(&mut self) -> Vec<u8> {
        self.captures.pop().unwrap_or_default()
    }
}

/// Stdio of one command: stdin, sinks and fd targets.
pub(crate) struct Io<'a, 'r> {
    pub(crate) input: &'a mut Input<'r>,
    pub(crate) sinks: &'a mut Sinks,
    pub(crate) fds: Fds,
}

impl<'r> Io<'_, 'r> {
    /// Writes to fd 1.
    pub(crate) fn out(&mut self, data: impl AsRef<[u8]>) {
        self.sinks.write(self.fds.out, data.as_ref());
    }

    /// Writes to fd 2.
    pub(crate) fn err(&mut self, data: impl AsRef<[u8]>) {
        self.sinks.write(self.fds.err, data.as_ref());
    }

    /// The same stdin and sinks with other fd targets.
    pub(crate) fn with_fds(&mut self, fds: Fds) -> Io<'_, 'r> {
        Io {
            input: &mut *self.input,
            sinks: &mut *self.sinks,
            fds,
        }
    }
}
