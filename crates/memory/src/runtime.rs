//! The live side of a container, kept apart from its (cloneable) record: the
//! state waiters watch, the simulated process's controls, its bounded log and
//! the live output feed that attach and log-follow subscribe to. At most one
//! per container: made when first needed (start, attach, wait, logs), so a
//! container that is only created costs nothing here; dropped when the
//! container is removed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use crate::hashing::ShardMap;
pub(crate) use crate::live_feed::{Live, LogEntry};
use crate::live_feed::{LiveFeed, LiveReceiver};

/// Default bound of a container's log: 1 MiB.
pub const DEFAULT_LOG_LIMIT: usize = 1024 * 1024;

/// What waiters watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WaitState {
    /// Running or paused.
    pub running: bool,
    /// How many times the container has exited.
    pub exits: u64,
    /// The last exit code.
    pub exit_code: i64,
    /// The container is gone.
    pub removed: bool,
    /// The backend was reset while the container existed: waiters end with an
    /// error.
    pub reset: bool,
}

/// A log bounded in bytes; the oldest entries go first.
#[derive(Debug)]
pub(crate) struct LogBuffer {
    entries: VecDeque<LogEntry>,
    bytes: usize,
    limit: usize,
}

impl LogBuffer {
    /// An empty log of at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        LogBuffer {
            entries: VecDeque::new(),
            bytes: 0,
            limit,
        }
    }

    /// Appends, dropping the oldest entries past the limit. A record larger
    /// than the whole limit keeps its newest `limit` bytes (a log that
    /// overflows keeps what was written last).
    pub(crate) fn push(&mut self, mut entry: LogEntry) {
        if entry.data.len() > self.limit {
            entry.data = entry.data.slice(entry.data.len() - self.limit..);
        }
        self.bytes += entry.data.len();
        self.entries.push_back(entry);
        while self.bytes > self.limit {
            match self.entries.pop_front() {
                Some(old) => self.bytes -= old.data.len(),
                None => break,
            }
        }
    }

    /// The entries, oldest first.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter()
    }

    /// Bytes held.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The controls of a running simulated process.
#[derive(Debug)]
pub(crate) struct ProcessControl {
    /// Which run it belongs to.
    pub run: u64,
    /// The task running its program; `None` while the program idles (it
    /// reads, writes and changes nothing until killed:
    /// [`sockerless_sim::interp::Program::idles`]), so there is nothing to
    /// run, and a signal that ends it ends the run where it is sent.
    pub task: Option<ProcessTask>,
}

/// The task of a simulated process that does something.
#[derive(Debug)]
pub(crate) struct ProcessTask {
    /// Signals to deliver.
    pub signals: mpsc::UnboundedSender<i32>,
    /// Freezes the process while true.
    pub paused: watch::Sender<bool>,
    /// Ends the task at once.
    pub abort: tokio::task::AbortHandle,
}

impl ProcessControl {
    /// Ends the task at once, if there is one.
    pub(crate) fn abort(&self) {
        if let Some(task) = &self.task {
            task.abort.abort();
        }
    }
}

/// The container's stdin: the sender attach writes to, and the receiver the next
/// process takes.
#[derive(Debug, Default)]
pub(crate) struct StdinSlot {
    /// Where attach clients write (None once closed).
    pub tx: Option<mpsc::Sender<Bytes>>,
    /// What the next process reads (taken at start).
    pub rx: Option<mpsc::Receiver<Bytes>>,
}

/// One container's live state.
#[derive(Debug)]
pub struct ContainerRuntime {
    /// Waiters subscribe here.
    pub wait: watch::Sender<WaitState>,
    /// The running process, if any.
    pub(crate) process: Mutex<Option<ProcessControl>>,
    /// The bounded log.
    pub(crate) logs: Mutex<LogBuffer>,
    /// Live output and exits.
    pub(crate) live: LiveFeed,
    /// Stdin (when the container has `OpenStdin`).
    pub(crate) stdin: Mutex<StdinSlot>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ContainerRuntime {
    /// A runtime whose waiters start from `wait`.
    pub(crate) fn new(log_limit: usize, wait: WaitState) -> Arc<Self> {
        let (wait, _) = watch::channel(wait);
        Arc::new(ContainerRuntime {
            wait,
            process: Mutex::new(None),
            logs: Mutex::new(LogBuffer::new(log_limit)),
            live: LiveFeed::default(),
            stdin: Mutex::new(StdinSlot::default()),
        })
    }

    /// The process slot.
    pub(crate) fn process(&self) -> MutexGuard<'_, Option<ProcessControl>> {
        lock(&self.process)
    }

    /// The log.
    pub(crate) fn logs(&self) -> MutexGuard<'_, LogBuffer> {
        lock(&self.logs)
    }

    /// The stdin slot.
    pub(crate) fn stdin(&self) -> MutexGuard<'_, StdinSlot> {
        lock(&self.stdin)
    }

    /// Records output: into the log and to live subscribers, under the log lock
    /// so a subscriber that snapshots the log and subscribes together sees every
    /// entry exactly once.
    pub(crate) fn record(&self, entry: LogEntry) {
        let mut logs = self.logs();
        logs.push(entry.clone());
        self.live.send(Live::Output(entry));
    }

    /// Tells live subscribers that run `run` ended with `code` (under the log
    /// lock, ordered with the output).
    pub(crate) fn exited(&self, run: u64, code: i64) {
        let _logs = self.logs();
        self.live.send(Live::Exit(run, code));
    }

    /// The log so far and a receiver for what follows, taken atomically.
    pub(crate) fn snapshot_and_subscribe(&self) -> (Vec<LogEntry>, LiveReceiver) {
        let logs = self.logs();
        let rx = self.live.subscribe();
        (logs.entries().cloned().collect(), rx)
    }

    /// A stdin sender for an attach client, creating the channel when none is
    /// open.
    pub(crate) fn stdin_sender(&self) -> mpsc::Sender<Bytes> {
        let mut slot = self.stdin();
        if let Some(tx) = &slot.tx {
            if !tx.is_closed() {
                return tx.clone();
            }
        }
        let (tx, rx) = mpsc::channel(1024);
        slot.tx = Some(tx.clone());
        slot.rx = Some(rx);
        tx
    }

    /// The receiver for a starting process (a fresh channel when none waits).
    pub(crate) fn take_stdin(&self) -> mpsc::Receiver<Bytes> {
        let mut slot = self.stdin();
        match slot.rx.take() {
            Some(rx) => rx,
            None => {
                let (tx, rx) = mpsc::channel(1024);
                slot.tx = Some(tx);
                rx
            }
        }
    }

    /// Closes stdin (EOF for the process once pending bytes are read).
    pub(crate) fn close_stdin(&self) {
        self.stdin().tx = None;
    }
}

/// Runtimes by container ID. Values are `Arc`s handed out by clone: no map guard
/// is ever held across an `.await`.
#[derive(Debug, Default)]
pub struct Runtimes {
    map: ShardMap<String, Arc<ContainerRuntime>>,
}

impl Runtimes {
    /// The runtime of a container, made when it has none: `wait` gives its
    /// waiters' starting state, or `None` when the container is gone (then
    /// none is made). `wait` runs under this map's entry lock, so a removal
    /// that takes the runtime out after removing the record never misses one
    /// made here.
    pub(crate) fn get_or_make(
        &self,
        id: &str,
        log_limit: usize,
        wait: impl FnOnce() -> Option<WaitState>,
    ) -> Option<Arc<ContainerRuntime>> {
        if let Some(rt) = self.get(id) {
            return Some(rt);
        }
        match self.map.entry(id.to_string()) {
            dashmap::mapref::entry::Entry::Occupied(o) => Some(Arc::clone(o.get())),
            dashmap::mapref::entry::Entry::Vacant(v) => {
                let rt = ContainerRuntime::new(log_limit, wait()?);
                v.insert(Arc::clone(&rt));
                Some(rt)
            }
        }
    }

    /// The runtime of a container.
    pub fn get(&self, id: &str) -> Option<Arc<ContainerRuntime>> {
        self.map.get(id).map(|r| Arc::clone(r.value()))
    }

    /// Removes a container's runtime, returning it.
    pub(crate) fn remove(&self, id: &str) -> Option<Arc<ContainerRuntime>> {
        self.map.remove(id).map(|(_, v)| v)
    }

    /// Removes every runtime, returning them (reset).
    pub(crate) fn drain(&self) -> Vec<Arc<ContainerRuntime>> {
        let ids: Vec<String> = self.map.iter().map(|r| r.key().clone()).collect();
        ids.iter().filter_map(|id| self.remove(id)).collect()
    }

    /// Number of runtimes.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockerless_core::api::StdStream;
    use std::time::SystemTime;

    fn entry(s: &str) -> LogEntry {
        LogEntry {
            stream: StdStream::Stdout,
            time: SystemTime::UNIX_EPOCH,
            data: Bytes::from(s.to_string()),
        }
    }

    #[test]
    fn log_buffer_drops_oldest_past_the_limit() {
        let mut b = LogBuffer::new(10);
        b.push(entry("aaaa"));
        b.push(entry("bbbb"));
        b.push(entry("cccc"));
        let kept: Vec<_> = b.entries().map(|e| e.data.clone()).collect();
        assert_eq!(kept, vec![Bytes::from("bbbb"), Bytes::from("cccc")]);
        assert_eq!(b.bytes(), 8);
    }

    #[test]
    fn a_record_over_the_limit_keeps_its_newest_bytes() {
        let mut b = LogBuffer::new(10);
        b.push(entry("old"));
        b.push(entry("0123456789abcdef"));
        let kept: Vec<_> = b.entries().map(|e| e.data.clone()).collect();
        assert_eq!(kept, vec![Bytes::from("6789abcdef")]);
        assert_eq!(b.bytes(), 10);
    }
}
