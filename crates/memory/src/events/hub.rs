//! The event hub: a broadcast channel plus a bounded history.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::recorded::Recorded;

/// How many past events are kept for `since`.
pub(crate) const HISTORY: usize = 4096;

/// Broadcast channel plus bounded history.
#[derive(Debug)]
pub(crate) struct EventHub {
    tx: broadcast::Sender<Arc<Recorded>>,
    history: Mutex<VecDeque<Arc<Recorded>>>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventHub {
            tx,
            history: Mutex::new(VecDeque::with_capacity(HISTORY)),
        }
    }
}

impl EventHub {
    /// Records and broadcasts one event.
    pub(crate) fn publish(&self, event: Recorded) {
        let event = Arc::new(event);
        let mut h = self
            .history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if h.len() == HISTORY {
            h.pop_front();
        }
        h.push_back(Arc::clone(&event));
        // Sent while the history is locked, so a subscriber's snapshot and its
        // receiver agree: every event is in exactly one of them.
        let _ = self.tx.send(event);
    }

    /// Forgets the history (reset); live subscribers stay.
    pub(crate) fn clear_history(&self) {
        self.history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// A snapshot of the history and a receiver for what follows, taken together
    /// so nothing is missed or seen twice.
    pub(crate) fn subscribe(&self) -> (Vec<Arc<Recorded>>, broadcast::Receiver<Arc<Recorded>>) {
        let h = self
            .history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rx = self.tx.subscribe();
        (h.iter().cloned().collect(), rx)
    }
}
