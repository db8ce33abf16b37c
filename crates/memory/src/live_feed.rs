//! What a container writes ([`LogEntry`]) and ends with ([`Live`]), and
//! [`LiveFeed`]: that output as it happens, to every attach and
//! log-follow subscriber. Each subscriber has its own queue, so a burst is never
//! dropped for a reader that is a little behind (a broadcast channel would make
//! it lag and lose records); but a queue holds at most
//! [`MAX_SUBSCRIBER_BACKLOG`] bytes of output: a reader that far behind (a
//! client that stopped reading an endless output) is cut off — its stream ends
//! after what was queued — instead of growing the daemon without bound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc;

use bytes::Bytes;
use std::time::SystemTime;

use sockerless_core::api::StdStream;

/// One write of the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogEntry {
    /// stdout or stderr.
    pub stream: StdStream,
    /// When it was written.
    pub time: SystemTime,
    /// The bytes.
    pub data: Bytes,
}

/// What attach and log-follow see live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Live {
    /// Output.
    Output(LogEntry),
    /// The process of run `.0` ended with status `.1`.
    Exit(u64, i64),
}

/// The most output bytes one subscriber may have queued and unread: 16 MiB
/// (sixteen times the default log limit).
pub(crate) const MAX_SUBSCRIBER_BACKLOG: usize = 16 << 20;

/// The bytes a queued item counts for (an exit counts as nothing).
fn weight(item: &Live) -> usize {
    match item {
        Live::Output(e) => e.data.len(),
        Live::Exit(..) => 0,
    }
}

/// One subscriber's sending side and the bytes it has queued.
#[derive(Debug)]
struct Subscriber {
    tx: mpsc::UnboundedSender<Live>,
    queued: Arc<AtomicUsize>,
}

/// The receiving side of a subscription.
#[derive(Debug)]
pub(crate) struct LiveReceiver {
    rx: mpsc::UnboundedReceiver<Live>,
    queued: Arc<AtomicUsize>,
}

impl LiveReceiver {
    /// The next item; `None` once the feed closed or cut this subscriber off
    /// (after everything queued before that).
    pub(crate) async fn recv(&mut self) -> Option<Live> {
        let item = self.rx.recv().await?;
        self.queued.fetch_sub(weight(&item), Ordering::Relaxed);
        Some(item)
    }
}

/// The live feed of one container (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct LiveFeed {
    subscribers: Mutex<Vec<Subscriber>>,
}

impl LiveFeed {
    fn subscribers(&self) -> MutexGuard<'_, Vec<Subscriber>> {
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends to every subscriber still listening; drops those that left and
    /// those whose backlog would pass [`MAX_SUBSCRIBER_BACKLOG`].
    pub(crate) fn send(&self, item: Live) {
        let size = weight(&item);
        self.subscribers().retain(|s| {
            let queued = s.queued.fetch_add(size, Ordering::Relaxed) + size;
            queued <= MAX_SUBSCRIBER_BACKLOG && s.tx.send(item.clone()).is_ok()
        });
    }

    /// A new subscriber's receiver.
    pub(crate) fn subscribe(&self) -> LiveReceiver {
        let (tx, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        self.subscribers().push(Subscriber {
            tx,
            queued: queued.clone(),
        });
        LiveReceiver { rx, queued }
    }

    /// Drops every subscriber: their streams end (reset).
    pub(crate) fn close_all(&self) {
        self.subscribers().clear();
    }

    /// How many subscribers are listening.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.subscribers().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(n: usize) -> Live {
        Live::Output(LogEntry {
            stream: StdStream::Stdout,
            time: std::time::SystemTime::UNIX_EPOCH,
            data: Bytes::from(vec![b'x'; n]),
        })
    }

    #[tokio::test]
    async fn a_reader_that_keeps_up_is_never_cut_off() {
        let feed = LiveFeed::default();
        let mut rx = feed.subscribe();
        for _ in 0..64 {
            feed.send(output(1 << 20));
            assert!(matches!(rx.recv().await, Some(Live::Output(_))));
        }
        assert_eq!(feed.len(), 1);
    }

    #[tokio::test]
    async fn a_reader_too_far_behind_gets_what_was_queued_then_the_end() {
        let feed = LiveFeed::default();
        let mut slow = feed.subscribe();
        let mut fast = feed.subscribe();
        let chunks = MAX_SUBSCRIBER_BACKLOG / (1 << 20);
        for _ in 0..chunks + 1 {
            feed.send(output(1 << 20));
            assert!(fast.recv().await.is_some());
        }
        assert_eq!(feed.len(), 1, "the slow reader was dropped, the fast kept");
        let mut got = 0;
        while let Some(Live::Output(e)) = slow.recv().await {
            got += e.data.len();
        }
        assert_eq!(got, MAX_SUBSCRIBER_BACKLOG);
        feed.send(Live::Exit(1, 0));
        assert_eq!(fast.recv().await, Some(Live::Exit(1, 0)));
    }
}
