//! The header-read timeout, kept around hyper rather than by hyper's timer: a
//! client gets the timeout to send a whole request head, counted from when
//! its connection starts and from when each response has been written — which
//! also bounds how long an idle keep-alive connection is kept.
//!
//! hyper's own header-read timeout asks its `Timer` for a boxed sleep at the
//! start of every head, reads the clock for it, and, to arm it, runs its
//! connection's poll loop once more after every response (one more read
//! attempt, write and flush check): about 1 000 instructions per request of a
//! keep-alive connection, as much as the request line cost (BENCHMARKS.md,
//! "Round fifteen"). Here each connection has one [`HeadDeadline`]:
//! - armed when the connection starts, and when the body of a response is
//!   dropped — hyper drops it once it has taken all of it: a store, no clock
//!   read; the sweeper's next tick sets the deadline, its time + the timeout;
//! - cleared when a request head has arrived (the connection's service is
//!   called), so no time limit runs while a request is served;
//! - the server's [`Sweeper`], on a thread of its own, ticks every eighth of
//!   the timeout (10–250 ms) while connections exist: it sets the deadlines
//!   armed since the last tick, marks those that have passed fired and wakes
//!   their connections' tasks;
//! - the connection's IO ([`crate::conn::ConnIo`]) then fails the next read
//!   that finds nothing to read with `TimedOut`, and hyper closes the
//!   connection (no response: a head that did not arrive in time gets none).
//!
//! A deadline therefore runs from at most one tick after its arming, and
//! fires after it passes, never before, at most one tick late: a client gets
//! at least the timeout, and at most two ticks more. A response that upgrades
//! the connection (`101`) arms nothing: the upgraded stream may stay quiet as
//! long as its protocol lets it.
//!
//! The sweeper runs on a thread of its own, sleeping in the operating system,
//! not in tokio's timer wheel: a timer in the wheel, even one, sends every
//! parking worker down the time driver's timed path (the clock read twice,
//! the wheel's next expiry computed, the timers processed), about 1.2 k
//! instructions per park, which on a keep-alive connection served one request
//! at a time is once per request.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body::{Body as HttpBody, Frame, SizeHint};

use crate::{clock, Body, BoxError, Response};

/// A slot's deadline when none is armed.
const UNARMED: u64 = u64::MAX;
/// A slot's deadline once the sweeper has found it passed.
const FIRED: u64 = 0;
/// A slot armed since the sweeper's last tick: the next tick sets its
/// deadline.
const ARMED: u64 = u64::MAX - 1;

/// The shortest and the longest tick.
const TICK_BOUNDS: (Duration, Duration) = (Duration::from_millis(10), Duration::from_millis(250));

/// The server's sweeper: the registry of connection slots and the tick that
/// wakes the expired ones. Start it with [`Sweeper::start`]; give each
/// connection a [`Sweeper::deadline`].
#[derive(Debug)]
pub struct Sweeper {
    shared: Arc<Shared>,
}

/// Deadlines are [`clock::monotonic_nanos`] (never [`FIRED`], [`ARMED`] or
/// [`UNARMED`]).
#[derive(Debug)]
struct Shared {
    /// The header-read timeout, in nanoseconds.
    timeout: u64,
    tick: Duration,
    registry: Mutex<Registry>,
    /// Wakes the sweeper's thread when the first connection registers and
    /// when it is told to stop.
    changed: Condvar,
}

/// The connections' slots, by index; freed indexes are reused.
#[derive(Debug, Default)]
struct Registry {
    slots: Vec<Option<Arc<Slot>>>,
    free: Vec<usize>,
}

impl Registry {
    /// Slots in use: every index not free.
    fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

/// One connection's deadline and the waker of its task.
#[derive(Debug)]
struct Slot {
    deadline: AtomicU64,
    /// The connection's task, given once (a task's waker stays the same), and
    /// woken, not taken, at each firing.
    waker: Mutex<Option<Waker>>,
}

impl Slot {
    /// At a tick at `now`: sets the deadline of a slot armed since the last
    /// tick (`now` + `timeout`), or marks a deadline at or before `now` fired
    /// and wakes its task. A slot cleared or armed again meanwhile is left as
    /// it is (the exchange fails).
    fn sweep(&self, now: u64, timeout: u64) {
        let deadline = self.deadline.load(Ordering::Acquire);
        if deadline == ARMED {
            let set = now.saturating_add(timeout).min(ARMED - 1);
            let _ = self
                .deadline
                .compare_exchange(ARMED, set, Ordering::AcqRel, Ordering::Acquire);
            return;
        }
        if deadline != UNARMED
            && deadline != FIRED
            && deadline <= now
            && self
                .deadline
                .compare_exchange(deadline, FIRED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            let waker = self.waker.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(waker) = waker.as_ref() {
                waker.wake_by_ref();
            }
        }
    }
}

impl Sweeper {
    /// A sweeper for `timeout`: it ticks every eighth of it, bounded to
    /// 10–250 ms.
    pub fn new(timeout: Duration) -> Self {
        let (min, max) = TICK_BOUNDS;
        Sweeper {
            shared: Arc::new(Shared {
                timeout: u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX / 2),
                tick: (timeout / 8).clamp(min, max),
                registry: Mutex::new(Registry::default()),
                changed: Condvar::new(),
            }),
        }
    }

    /// Starts the sweeps on a thread of their own; they stop when the
    /// returned guard drops. Without a thread (the system refused one) the
    /// header-read timeout does not fire, and the error says so.
    pub fn start(&self) -> std::io::Result<Sweeping> {
        let shared = Arc::clone(&self.shared);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("sockerless-sweep".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || shared.sweep_every_tick(&stop)
            })?;
        Ok(Sweeping {
            shared: Arc::clone(&self.shared),
            stop,
            thread: Some(thread),
        })
    }

    /// The deadline of a new connection, armed from now (its slot is
    /// registered until the deadline is dropped, with the connection).
    pub fn deadline(&self) -> Arc<HeadDeadline> {
        let slot = Arc::new(Slot {
            deadline: AtomicU64::new(UNARMED),
            waker: Mutex::new(None),
        });
        let mut registry = self.shared.lock();
        let index = match registry.free.pop() {
            Some(i) => {
                registry.slots[i] = Some(Arc::clone(&slot));
                i
            }
            None => {
                registry.slots.push(Some(Arc::clone(&slot)));
                registry.slots.len() - 1
            }
        };
        if registry.live() == 1 {
            self.shared.changed.notify_all();
        }
        drop(registry);
        let deadline = HeadDeadline {
            shared: Arc::clone(&self.shared),
            slot,
            index,
        };
        deadline.arm();
        Arc::new(deadline)
    }

    /// Connections registered now.
    #[cfg(test)]
    fn live(&self) -> usize {
        self.shared.lock().live()
    }
}

/// The running sweeps of a [`Sweeper`]: dropping it stops them and waits
/// for their thread.
#[derive(Debug)]
pub struct Sweeping {
    shared: Arc<Shared>,
    /// This thread's stop (each start has its own).
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Sweeping {
    fn drop(&mut self) {
        {
            // Set under the lock: the thread reads it under the lock before
            // each wait, so the notification below cannot fall between.
            let _registry = self.shared.lock();
            self.stop.store(true, Ordering::Release);
        }
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            // It holds the lock only to sweep: the join is at most one sweep.
            let _ = thread.join();
        }
    }
}

impl Shared {
    /// The sweeper thread's loop: while connections exist, wait a tick and
    /// wake the slots whose deadline has passed; without any, wait for one.
    fn sweep_every_tick(&self, stop: &AtomicBool) {
        let mut registry = self.lock();
        while !stop.load(Ordering::Acquire) {
            if registry.live() == 0 {
                registry = self
                    .changed
                    .wait(registry)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Woken early (a first connection, a stop), the sweep is early:
            // it fires only deadlines already passed.
            registry = self
                .changed
                .wait_timeout(registry, self.tick)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if stop.load(Ordering::Acquire) {
                break;
            }
            let now = clock::monotonic_nanos();
            for slot in registry.slots.iter().flatten() {
                slot.sweep(now, self.timeout);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The registry's updates cannot panic half-way; a poisoned lock is
        // still consistent.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One connection's header-read deadline (see the module docs).
#[derive(Debug)]
pub struct HeadDeadline {
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    index: usize,
}

impl Drop for HeadDeadline {
    fn drop(&mut self) {
        let mut registry = self.shared.lock();
        if let Some(entry) = registry.slots.get_mut(self.index) {
            *entry = None;
            registry.free.push(self.index);
        }
    }
}

impl HeadDeadline {
    /// The next head must arrive within the timeout (counted from the
    /// sweeper's next tick).
    pub fn arm(&self) {
        self.slot.deadline.store(ARMED, Ordering::Release);
    }

    /// A head has arrived: no deadline runs while its request is served
    /// (even one that fired just now: the head made it).
    pub fn clear(&self) {
        self.slot.deadline.store(UNARMED, Ordering::Release);
    }

    /// Whether the deadline passed with no head.
    pub fn fired(&self) -> bool {
        self.slot.deadline.load(Ordering::Acquire) == FIRED
    }

    /// The response, with the deadline armed again once its body has been
    /// taken and dropped; a `101` arms nothing (the connection leaves HTTP).
    pub fn after(self: &Arc<Self>, res: Response) -> http::Response<ArmsWhenDropped> {
        let next = (res.status() != StatusCode::SWITCHING_PROTOCOLS).then(|| Arc::clone(self));
        res.map(|body| ArmsWhenDropped { body, next })
    }

    /// Gives the task to wake when the deadline fires.
    pub(crate) fn give_task(&self, waker: &Waker) {
        *self
            .slot
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(waker.clone());
    }
}

/// A response body that arms its connection's [`HeadDeadline`] when dropped.
pub struct ArmsWhenDropped {
    body: Body,
    next: Option<Arc<HeadDeadline>>,
}

impl Drop for ArmsWhenDropped {
    fn drop(&mut self) {
        if let Some(deadline) = &self.next {
            deadline.arm();
        }
    }
}

impl HttpBody for ArmsWhenDropped {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::empty_body;
    use crate::conn::ConnIo;
    use std::io;
    use std::time::Instant;
    use tokio::io::AsyncReadExt;
    use tokio::time::timeout;

    /// A running sweeper for `timeout` (stopped when the guard drops) and a
    /// connection's deadline, armed from now.
    fn swept(timeout: Duration) -> (Sweeping, Arc<HeadDeadline>) {
        let sweeper = Sweeper::new(timeout);
        let deadline = sweeper.deadline();
        (sweeper.start().expect("a sweeper thread"), deadline)
    }

    /// A read of a connection whose client sends nothing, under `deadline`.
    async fn read_silence(deadline: Arc<HeadDeadline>) -> io::Result<usize> {
        let (_client, server) = tokio::io::duplex(64);
        let permit = Arc::new(tokio::sync::Semaphore::new(1))
            .acquire_owned()
            .await
            .expect("a permit");
        let mut io = ConnIo::new(server, permit, deadline);
        let mut buf = [0u8; 8];
        io.read(&mut buf).await
    }

    #[tokio::test]
    async fn a_deadline_fails_the_read_after_it_passes_never_before() {
        let started = Instant::now();
        let (_sweeping, deadline) = swept(Duration::from_millis(200));
        let read = timeout(Duration::from_secs(5), read_silence(deadline))
            .await
            .expect("fired in time");
        assert_eq!(read.unwrap_err().kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
    }

    #[tokio::test]
    async fn a_cleared_deadline_lets_the_read_wait() {
        let (_sweeping, deadline) = swept(Duration::from_millis(80));
        deadline.clear();
        // Well past the deadline and its ticks, the read is still waiting.
        let waited = timeout(Duration::from_millis(400), read_silence(deadline)).await;
        assert!(waited.is_err(), "{waited:?}");
    }

    #[tokio::test]
    async fn a_response_arms_the_deadline_when_its_body_is_dropped() {
        let (_sweeping, deadline) = swept(Duration::from_secs(30));
        deadline.clear();
        let res = deadline.after(http::Response::new(empty_body()));
        assert_eq!(deadline.slot.deadline.load(Ordering::Acquire), UNARMED);
        drop(res);
        assert_eq!(deadline.slot.deadline.load(Ordering::Acquire), ARMED);
        // An upgrade's answer arms nothing.
        deadline.clear();
        let mut upgrade = http::Response::new(empty_body());
        *upgrade.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        drop(deadline.after(upgrade));
        assert_eq!(deadline.slot.deadline.load(Ordering::Acquire), UNARMED);
    }

    #[tokio::test]
    async fn an_armed_again_deadline_fires_again() {
        let (_sweeping, deadline) = swept(Duration::from_millis(80));
        // Fired once (its read failed), then a head made it just in time
        // (cleared), then a response armed it again: it fires again.
        let first = timeout(Duration::from_secs(5), read_silence(Arc::clone(&deadline)))
            .await
            .expect("fired in time");
        assert_eq!(first.unwrap_err().kind(), io::ErrorKind::TimedOut);
        deadline.clear();
        drop(deadline.after(http::Response::new(empty_body())));
        let again = timeout(Duration::from_secs(5), read_silence(deadline))
            .await
            .expect("fired again in time");
        assert_eq!(again.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn dropping_the_guard_stops_the_thread_idle_or_ticking() {
        let (done, stopped) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let sweeper = Sweeper::new(Duration::from_secs(30));
            // Idle: the thread waits for a first connection.
            drop(sweeper.start().expect("a sweeper thread"));
            // Ticking: a connection is registered; a second start of the
            // same sweeper has its own stop.
            let _deadline = sweeper.deadline();
            drop(sweeper.start().expect("a sweeper thread"));
            let _ = done.send(());
        });
        stopped
            .recv_timeout(Duration::from_secs(10))
            .expect("both guards returned");
    }

    #[tokio::test]
    async fn connections_register_and_leave() {
        let sweeper = Sweeper::new(Duration::from_secs(30));
        let a = sweeper.deadline();
        let b = sweeper.deadline();
        assert_eq!(sweeper.live(), 2);
        drop(a);
        assert_eq!(sweeper.live(), 1);
        // A freed index is reused.
        let c = sweeper.deadline();
        assert_eq!((sweeper.live(), c.index), (2, 0));
        drop((b, c));
        assert_eq!(sweeper.live(), 0);
    }
}
