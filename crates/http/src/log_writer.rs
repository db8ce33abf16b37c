//! The log sink: every thread appends whole formatted lines to a buffer of its
//! own (no allocation once the buffer has grown, no lock another thread holds
//! for long), and one writer thread moves the buffers to the output.
//!
//! A request's log line thus costs the request thread some formatting and a
//! `memcpy`; the `write` system calls happen on the writer thread, a batch of
//! lines at a time. Nothing is dropped: a thread whose buffer is full waits for
//! the writer (back-pressure when the output is slower than the logging).
//!
//! Plug it into `tracing-subscriber` with
//! `.with_writer(move || log_writer.line())` and keep the [`LogWriterGuard`]
//! alive until exit: dropping it writes what is still buffered.

use std::cell::RefCell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

/// A thread's buffer stops taking lines at this size until the writer empties it.
const THREAD_BUFFER_BYTES: usize = 256 * 1024;

/// While lines keep coming, the writer writes a batch this often; the
/// threads that log never wake it then (a wake-up per line would cost a
/// system call per line, what the buffers are there to avoid).
const BATCH_INTERVAL: Duration = Duration::from_millis(5);

/// The writer's longest sleep when idle; the first line after an idle spell
/// wakes it at once, so this only bounds a missed wake-up.
const IDLE_WAKE: Duration = Duration::from_millis(500);

/// Where the lines go, shared by every handle.
#[derive(Clone)]
pub struct LogWriter {
    shared: Arc<Shared>,
}

/// Keeps the writer thread running; dropping it writes every buffered line
/// and stops the thread.
pub struct LogWriterGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// One log record's writer (what `tracing-subscriber` asks for per event).
pub struct LogLine {
    shared: Arc<Shared>,
}

struct Shared {
    /// Every thread's buffer, in registration order.
    buffers: Mutex<Vec<Arc<ThreadBuffer>>>,
    /// The output; only the writer thread (or a caller after shutdown) writes it.
    sink: Mutex<Box<dyn Write + Send>>,
    writer: Mutex<Option<Thread>>,
    /// The writer found nothing to write and sleeps until woken.
    idle: AtomicBool,
    stopped: AtomicBool,
}

struct ThreadBuffer {
    bytes: Mutex<Vec<u8>>,
    /// Signalled when the writer has emptied this buffer.
    emptied: Condvar,
}

thread_local! {
    /// This thread's buffer, with the `Shared` it belongs to.
    static LOCAL: RefCell<Option<(usize, Arc<ThreadBuffer>)>> = const { RefCell::new(None) };
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LogWriter {
    /// A writer to `sink` and the guard of its writer thread.
    pub fn new(sink: impl Write + Send + 'static) -> io::Result<(LogWriter, LogWriterGuard)> {
        let shared = Arc::new(Shared {
            buffers: Mutex::new(Vec::new()),
            sink: Mutex::new(Box::new(sink)),
            writer: Mutex::new(None),
            idle: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        });
        let thread = std::thread::Builder::new()
            .name("sockerless-log".into())
            .spawn({
                let shared = shared.clone();
                move || shared.run()
            })?;
        *lock(&shared.writer) = Some(thread.thread().clone());
        Ok((
            LogWriter {
                shared: shared.clone(),
            },
            LogWriterGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }

    /// Appends whole lines to this thread's buffer (what [`LogLine`] does,
    /// without a handle per record).
    pub fn append(&self, lines: &[u8]) -> io::Result<()> {
        self.shared.append(lines)
    }

    /// Appends what `format` writes (whole lines) straight into this thread's
    /// buffer, with no buffer of the caller's own to copy from. `room` is
    /// about how many bytes it writes: a buffer without that room left waits
    /// for the writer first, as [`LogWriter::append`] does.
    pub fn append_with(&self, room: usize, format: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        self.shared.append_with(room, format)
    }

    /// The writer of one record.
    pub fn line(&self) -> LogLine {
        LogLine {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for LogWriterGuard {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        // Lines appended after the writer's last pass.
        self.shared.write_all_buffers(&mut Vec::new());
    }
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.append(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.shared.append(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn id(&self) -> usize {
        self as *const Shared as usize
    }

    /// Runs `f` on this thread's buffer, registered on first use.
    fn with_thread_buffer<R>(&self, f: impl FnOnce(&ThreadBuffer) -> R) -> R {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            let buffer = match &*local {
                Some((id, buffer)) if *id == self.id() => buffer,
                _ => {
                    let buffer = Arc::new(ThreadBuffer {
                        bytes: Mutex::new(Vec::new()),
                        emptied: Condvar::new(),
                    });
                    lock(&self.buffers).push(buffer.clone());
                    &local.insert((self.id(), buffer)).1
                }
            };
            f(buffer)
        })
    }

    fn append(&self, line: &[u8]) -> io::Result<()> {
        self.append_with(line.len(), |bytes| bytes.extend_from_slice(line))
    }

    fn append_with(&self, room: usize, format: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        if self.stopped.load(Ordering::Acquire) {
            // After shutdown there is no writer: write through.
            let mut line = Vec::with_capacity(room);
            format(&mut line);
            return lock(&self.sink).write_all(&line);
        }
        self.with_thread_buffer(|buffer| {
            let mut bytes = lock(&buffer.bytes);
            while !bytes.is_empty()
                && bytes.len() + room > THREAD_BUFFER_BYTES
                && !self.stopped.load(Ordering::Acquire)
            {
                self.wake_writer();
                bytes = buffer
                    .emptied
                    .wait_timeout(bytes, BATCH_INTERVAL)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            format(&mut bytes);
        });
        if self.idle.load(Ordering::Acquire) && self.idle.swap(false, Ordering::AcqRel) {
            self.wake_writer();
        }
        Ok(())
    }

    fn wake_writer(&self) {
        if let Some(writer) = &*lock(&self.writer) {
            writer.unpark();
        }
    }

    /// The writer thread: empty every buffer every [`BATCH_INTERVAL`] while
    /// there are lines; when a pass finds none, sleep until a line wakes it.
    fn run(&self) {
        // Swapped into each buffer it empties, so a thread's buffer keeps a
        // grown capacity instead of growing again from nothing every batch.
        let mut spare = Vec::new();
        while !self.stopped.load(Ordering::Acquire) {
            if self.write_all_buffers(&mut spare) {
                std::thread::park_timeout(BATCH_INTERVAL);
                continue;
            }
            self.idle.store(true, Ordering::Release);
            // A line appended before `idle` was set saw it false and did not
            // wake us: look once more before sleeping.
            if self.write_all_buffers(&mut spare) {
                self.idle.store(false, Ordering::Release);
                continue;
            }
            std::thread::park_timeout(IDLE_WAKE);
            self.idle.store(false, Ordering::Release);
        }
        self.write_all_buffers(&mut spare);
    }

    /// Moves every buffer's lines to the sink, swapping `spare` (empty, of
    /// some capacity) in for each; true when there were any.
    fn write_all_buffers(&self, spare: &mut Vec<u8>) -> bool {
        let buffers: Vec<Arc<ThreadBuffer>> = {
            let mut all = lock(&self.buffers);
            // A buffer only this list still holds belongs to a finished thread.
            all.retain(|b| Arc::strong_count(b) > 1 || !lock(&b.bytes).is_empty());
            all.clone()
        };
        let mut wrote = false;
        let mut sink = lock(&self.sink);
        for buffer in buffers {
            {
                let mut bytes = lock(&buffer.bytes);
                if bytes.is_empty() {
                    continue;
                }
                std::mem::swap(&mut *bytes, spare);
            }
            buffer.emptied.notify_all();
            // A write error (a closed stderr) loses these lines; there is
            // nowhere left to report it.
            let _ = sink.write_all(spare);
            spare.clear();
            wrote = true;
        }
        let _ = sink.flush();
        wrote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink the test can read.
    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<u8>>>);

    impl Write for Collect {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_of_every_thread_arrives_whole_and_in_each_threads_order() {
        let out = Collect::default();
        let (writer, guard) = LogWriter::new(out.clone()).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..20_000 {
                        // Lines long enough to overflow the buffer many times.
                        let line = format!("t{t} {i:06} {}\n", "x".repeat(40));
                        writer.line().write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(guard);
        let text = String::from_utf8(lock(&out.0).clone()).unwrap();
        let mut next = [0usize; 4];
        let mut lines = 0;
        for line in text.lines() {
            let (t, rest) = line.split_once(' ').unwrap();
            let t: usize = t[1..].parse().unwrap();
            let (i, pad) = rest.split_once(' ').unwrap();
            assert_eq!(i.parse::<usize>().unwrap(), next[t], "thread {t}");
            assert_eq!(pad.len(), 40);
            next[t] += 1;
            lines += 1;
        }
        assert_eq!(lines, 80_000);
    }

    #[test]
    fn lines_written_after_the_guard_is_dropped_go_straight_to_the_sink() {
        let out = Collect::default();
        let (writer, guard) = LogWriter::new(out.clone()).unwrap();
        writer.line().write_all(b"before\n").unwrap();
        drop(guard);
        writer.line().write_all(b"after\n").unwrap();
        assert_eq!(&*lock(&out.0), b"before\nafter\n");
    }
}
