//! A coarse timer for hyper's header-read timeout: one slot per connection,
//! one sweeper thread per server, no timer-wheel entry per request.
//!
//! hyper arms the header-read timeout at the start of every request head. With
//! `hyper_util`'s `TokioTimer` that is a boxed `tokio::time::Sleep` per
//! request, inserted into tokio's timer wheel when the head is not there yet
//! (on a keep-alive connection, always: the next request has not been sent) and
//! removed when it arrives, each under the time driver's lock.
//!
//! [`CoarseTimer`] is the [`Timer`] of one connection. It owns a slot
//! registered once, when the connection starts, with the server's
//! [`Sweeper`]. A sleep writes its deadline and its task's waker into the slot
//! and clears the deadline when dropped; the sweeper ticks every eighth of the
//! timeout (between 10 ms and 250 ms) while connections exist, and wakes the
//! slots whose deadline has passed. A timeout therefore fires after its
//! deadline, never before it, and at most one tick late. A server with no
//! connection does not tick at all.
//!
//! The sweeper runs on a thread of its own, sleeping in the operating system,
//! not in tokio's timer wheel: a timer in the wheel, even one, sends every
//! parking worker down the time driver's timed path (the clock read twice, the
//! wheel's next expiry computed, the timers processed), about 1.2 k
//! instructions per park, which on a keep-alive connection served one
//! request at a time is once per request.
//!
//! hyper asks a timer for one sleep at a time per connection (the next head's
//! sleep is made after the last one was dropped), which is what makes one slot
//! per connection enough.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;
use hyper::rt::{Sleep, Timer};

/// A slot's deadline when no sleep is armed in it.
const UNARMED: u64 = u64::MAX;
/// A slot's deadline once the sweeper has found it passed.
const FIRED: u64 = 0;

/// The shortest and the longest tick.
const TICK_BOUNDS: (Duration, Duration) = (Duration::from_millis(10), Duration::from_millis(250));

/// The server's sweeper: the registry of connection slots and the tick that
/// wakes the expired ones. Start it with [`Sweeper::start`]; give each
/// connection a [`Sweeper::timer`].
#[derive(Debug)]
pub struct Sweeper {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Deadlines are nanoseconds since this instant (plus one, so that none
    /// is [`FIRED`]).
    start: Instant,
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

/// One connection's deadline and the waker of the task waiting on it.
#[derive(Debug)]
struct Slot {
    deadline: AtomicU64,
    waker: AtomicWaker,
}

impl Slot {
    /// Marks an armed deadline at or before `now` fired and wakes its task.
    fn fire_if_passed(&self, now: u64) {
        let deadline = self.deadline.load(Ordering::Acquire);
        if deadline != UNARMED
            && deadline != FIRED
            && deadline <= now
            && self
                .deadline
                .compare_exchange(deadline, FIRED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.waker.wake();
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
                start: Instant::now(),
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

    /// The timer of a new connection (its slot is registered until the timer
    /// is dropped, with the connection).
    pub fn timer(&self) -> CoarseTimer {
        let slot = Arc::new(Slot {
            deadline: AtomicU64::new(UNARMED),
            waker: AtomicWaker::new(),
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
        CoarseTimer {
            shared: Arc::clone(&self.shared),
            slot,
            index,
        }
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
            let now = self.nanos(Instant::now());
            for slot in registry.slots.iter().flatten() {
                slot.fire_if_passed(now);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The registry's updates cannot panic half-way; a poisoned lock is
        // still consistent.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `t` in the slots' unit: nanoseconds since `start`, plus one.
    fn nanos(&self, t: Instant) -> u64 {
        let since = t.saturating_duration_since(self.start).as_nanos();
        u64::try_from(since)
            .unwrap_or(UNARMED - 1)
            .saturating_add(1)
    }
}

/// The [`Timer`] of one connection (see the module docs).
#[derive(Debug)]
pub struct CoarseTimer {
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    index: usize,
}

impl Drop for CoarseTimer {
    fn drop(&mut self) {
        let mut registry = self.shared.lock();
        if let Some(entry) = registry.slots.get_mut(self.index) {
            *entry = None;
            registry.free.push(self.index);
        }
    }
}

impl Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep {
            slot: Arc::clone(&self.slot),
            deadline: self.shared.nanos(deadline),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<CoarseSleep>() {
            Some(mut s) => {
                s.disarm();
                s.deadline = self.shared.nanos(new_deadline);
            }
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A sleep of a [`CoarseTimer`]: armed in its connection's slot while polled.
struct CoarseSleep {
    slot: Arc<Slot>,
    deadline: u64,
}

impl CoarseSleep {
    /// Clears the slot if it holds this sleep's deadline (or its firing).
    fn disarm(&self) {
        let current = self.slot.deadline.load(Ordering::Acquire);
        if current == self.deadline || current == FIRED {
            let _ = self.slot.deadline.compare_exchange(
                current,
                UNARMED,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let current = this.slot.deadline.load(Ordering::Acquire);
        if current == FIRED {
            return Poll::Ready(());
        }
        // The waker first: a sweep that sees the deadline finds it.
        this.slot.waker.register(cx.waker());
        if current != this.deadline {
            // Racing a sweep that fires the old value only delays the firing
            // by a tick: the next sweep sees this deadline passed.
            this.slot.deadline.store(this.deadline, Ordering::Release);
        }
        Poll::Pending
    }
}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        self.disarm();
    }
}

impl Sleep for CoarseSleep {}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    /// A running sweeper for `timeout` (stopped when the guard drops) and a
    /// connection's timer.
    fn swept(timeout: Duration) -> (Sweeping, CoarseTimer) {
        let sweeper = Sweeper::new(timeout);
        let timer = sweeper.timer();
        (sweeper.start().expect("a sweeper thread"), timer)
    }

    #[tokio::test]
    async fn a_sleep_fires_after_its_deadline_never_before() {
        let (_sweeping, timer) = swept(Duration::from_millis(200));
        let started = Instant::now();
        let sleep = timer.sleep(Duration::from_millis(200));
        timeout(Duration::from_secs(5), sleep)
            .await
            .expect("fired in time");
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
    }

    #[tokio::test]
    async fn a_dropped_sleep_leaves_the_slot_for_the_next() {
        let (_sweeping, timer) = swept(Duration::from_millis(80));
        // Polled once (armed), then dropped before its deadline.
        let mut first = timer.sleep(Duration::from_millis(80));
        assert!(futures_util::poll!(first.as_mut()).is_pending());
        drop(first);
        assert_eq!(timer.slot.deadline.load(Ordering::Acquire), UNARMED);
        // The next sleep of the connection still fires.
        let next = timer.sleep(Duration::from_millis(80));
        timeout(Duration::from_secs(5), next)
            .await
            .expect("fired in time");
    }

    #[tokio::test]
    async fn reset_moves_the_deadline() {
        let (_sweeping, timer) = swept(Duration::from_millis(80));
        let mut sleep = timer.sleep(Duration::from_secs(3600));
        assert!(futures_util::poll!(sleep.as_mut()).is_pending());
        timer.reset(&mut sleep, Instant::now() + Duration::from_millis(50));
        timeout(Duration::from_secs(5), sleep)
            .await
            .expect("fired at the new deadline");
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
            let _timer = sweeper.timer();
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
        let a = sweeper.timer();
        let b = sweeper.timer();
        assert_eq!(sweeper.live(), 2);
        drop(a);
        assert_eq!(sweeper.live(), 1);
        // A freed index is reused.
        let c = sweeper.timer();
        assert_eq!((sweeper.live(), c.index), (2, 0));
        drop((b, c));
        assert_eq!(sweeper.live(), 0);
    }
}
