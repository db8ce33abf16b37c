//! [`Drain`]: the shutdown signal and task tracker that long-lived work
//! (WebSocket pumps, hijacked connections) registers with, so the server can
//! close it normally and wait for it while draining.

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Cancelled at shutdown; tracks the tasks the server waits for.
#[derive(Debug, Clone, Default)]
pub struct Drain {
    /// Cancelled when the server starts draining: open streams end normally.
    pub shutdown: CancellationToken,
    /// Streaming tasks the server waits for (up to the drain timeout).
    pub tasks: TaskTracker,
}

impl Drain {
    /// A fresh drain handle.
    pub fn new() -> Self {
        Drain::default()
    }
}
