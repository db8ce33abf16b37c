//! Stdio plumbing: the process's stdin ([`Input`]), its output channel plus
//! capture buffers for pipes and command substitution ([`Sinks`]), and the
//! targets of fds 1 and 2 ([`Fds`]), bundled per command as [`Io`].

use std::collections::VecDeque;

use bytes::Bytes;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Receiver, Sender};

use super::limits::{MAX_CHUNK, MAX_VALUE};

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
    /// Every chunk the process writes, tagged with its stream, in order, each
    /// at most [`MAX_CHUNK`] bytes. The channel is bounded: a process whose
    /// reader falls behind waits, as at a full pipe.
    pub output: Sender<(StdStream, Bytes)>,
}

impl ProcessIo {
    /// Writes `data` to the output channel in chunks of at most
    /// [`MAX_CHUNK`] bytes (for output made outside the interpreter, such as
    /// scripted output); waits while the channel is full. Nothing is sent
    /// once the receiver is gone.
    pub async fn write(&self, stream: StdStream, data: Bytes) {
        for chunk in chunks(data) {
            if self.output.send((stream, chunk)).await.is_err() {
                return;
            }
        }
    }
}

/// `data` in pieces of at most [`MAX_CHUNK`] bytes (none when empty).
fn chunks(mut data: Bytes) -> impl Iterator<Item = Bytes> {
    std::iter::from_fn(move || {
        if data.is_empty() {
            return None;
        }
        let n = data.len().min(MAX_CHUNK);
        Some(data.split_to(n))
    })
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
    /// `None` at EOF. A line over [`MAX_VALUE`] bytes comes in pieces of
    /// that size.
    pub(crate) async fn read_line(&mut self) -> Option<Vec<u8>> {
        loop {
            let from = self.scanned.min(self.buf.len());
            if let Some(i) = self.buf[from..].iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(from + i + 1);
                self.scanned = 0;
                return Some(std::mem::replace(&mut self.buf, rest));
            }
            if self.buf.len() >= MAX_VALUE {
                // A line this long is cut: its first part is a line.
                let rest = self.buf.split_off(MAX_VALUE);
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

    /// Everything up to EOF, or its last [`MAX_VALUE`] bytes when longer.
    pub(crate) async fn read_all(&mut self) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(chunk) = self.read_chunk().await {
            all.extend_from_slice(&chunk);
            if all.len() > MAX_VALUE {
                all.drain(..all.len() - MAX_VALUE);
            }
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

/// A buffer catching output (a pipe stage or a command substitution), full at
/// [`MAX_VALUE`] bytes.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    pub(crate) data: Vec<u8>,
    /// Output was cut: more was written than the buffer holds.
    pub(crate) overflowed: bool,
}

/// The process's output channel plus a stack of capture buffers.
pub(crate) struct Sinks {
    pub(crate) tx: Sender<(StdStream, Bytes)>,
    /// Chunks written while the channel was full, sent by [`Sinks::flush`].
    /// One command's output at most: every command flushes when it ends.
    pub(crate) pending: VecDeque<(StdStream, Bytes)>,
    pub(crate) captures: Vec<Capture>,
}

impl Sinks {
    /// Sinks writing to `tx`.
    pub(crate) fn new(tx: Sender<(StdStream, Bytes)>) -> Self {
        Sinks {
            tx,
            pending: VecDeque::new(),
            captures: Vec::new(),
        }
    }

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
                if let Some(cap) = self.captures.get_mut(i) {
                    let room = MAX_VALUE.saturating_sub(cap.data.len());
                    cap.data.extend_from_slice(&data[..data.len().min(room)]);
                    cap.overflowed |= data.len() > room;
                }
                return;
            }
        };
        // A dropped receiver means nobody listens any more: discard.
        if self.tx.is_closed() {
            self.pending.clear();
            return;
        }
        for chunk in chunks(Bytes::copy_from_slice(data)) {
            if !self.pending.is_empty() {
                self.pending.push_back((stream, chunk));
                continue;
            }
            match self.tx.try_send((stream, chunk)) {
                Ok(()) | Err(TrySendError::Closed(_)) => {}
                Err(TrySendError::Full(item)) => self.pending.push_back(item),
            }
        }
    }

    /// Sends what waits for room in the channel; waits while it is full.
    pub(crate) async fn flush(&mut self) {
        while let Some(item) = self.pending.pop_front() {
            if self.tx.send(item).await.is_err() {
                self.pending.clear();
                return;
            }
        }
    }

    /// Whether writes to `dest` are lost from now on (a full capture, or an
    /// output nobody reads): a writer of endless output can stop.
    pub(crate) fn is_full(&self, dest: Dest) -> bool {
        match dest {
            Dest::Capture(i) => self.captures.get(i).is_none_or(|c| c.overflowed),
            Dest::Null => false,
            Dest::Stdout | Dest::Stderr => self.tx.is_closed(),
        }
    }

    /// Starts a capture buffer; its destination is returned.
    pub(crate) fn push_capture(&mut self) -> Dest {
        self.captures.push(Capture::default());
        Dest::Capture(self.captures.len() - 1)
    }

    /// Ends the innermost capture and returns what it caught.
    pub(crate) fn pop_capture(&mut self) -> Capture {
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

    /// Sends output that waits for room in the channel (see [`Sinks::flush`]).
    pub(crate) async fn flush(&mut self) {
        self.sinks.flush().await;
    }

    /// Whether what fd 1 receives is lost from now on (see [`Sinks::is_full`]).
    pub(crate) fn out_is_full(&self) -> bool {
        self.sinks.is_full(self.fds.out)
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
