//! Store benchmarks: our DashMap-backed [`Table`] and [`NameIndex`] against the
//! obvious baselines — `RwLock<HashMap<String, Arc<T>>>` with the same facade
//! (copy-on-write `update` through `Arc::make_mut`) and `Mutex<HashMap>` for names.
//!
//! Workloads (each at 1, 2, 4 and 8 threads, with 1 000 and 100 000 entries):
//! - `read100`: 100 % `get` of random existing IDs;
//! - `rw90`: 90 % `get`, 10 % `update` (a field of the record changes);
//! - `churn`: `insert_new` then `remove` of per-thread IDs (the table keeps its size);
//! - `names`: every thread reserves and releases names from one small shared set
//!   (heavy overlap, so reservations conflict), on an index that already holds the
//!   entries.
//!
//! Every thread does `BATCH` operations per iteration; the threads are spawned
//! before a `Barrier` and the clock runs from the barrier to the last join, so
//! the reported throughput (elements = threads × `BATCH`) is of the whole batch
//! across threads.
//!
//! ```text
//! cargo bench --bench store                                   # everything, ~4 min
//! cargo bench --bench store -- rw90                           # one workload
//! cargo bench --bench store -- --warm-up-time 1 --measurement-time 2 'read100_n1000/'
//! ```

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Barrier, Mutex, RwLock};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sockerless::memory::table::{NameIndex, Table};

/// Operations per thread per iteration.
const BATCH: u64 = 1_000;
const THREADS: [usize; 4] = [1, 2, 4, 8];
const SIZES: [usize; 2] = [1_000, 100_000];
/// Names shared by all threads in the `names` workload.
const HOT_NAMES: usize = 64;
/// Per-thread IDs cycled through by `churn`.
const CHURN_POOL: usize = 256;

/// A record shaped like a container's: a few strings and a label map, cloned on
/// write when a reader still holds the previous version.
#[derive(Debug, Clone)]
#[allow(dead_code)] // the fields give the record its realistic size; they are never read
struct Record {
    id: String,
    name: String,
    image: String,
    status: String,
    labels: HashMap<String, String>,
    restarts: u64,
}

fn record(i: usize) -> Record {
    let labels = (0..8)
        .map(|k| (format!("ci.label.{k}"), format!("value-{i}-{k}")))
        .collect();
    Record {
        id: id(i),
        name: format!("runner-{i}"),
        image: "docker.io/library/alpine:latest".into(),
        status: "running".into(),
        labels,
        restarts: 0,
    }
}

fn id(i: usize) -> String {
    format!("{:064x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The facade both stores offer.
trait Store: Send + Sync {
    fn get(&self, id: &str) -> Option<Arc<Record>>;
    fn insert_new(&self, id: String, value: Record) -> bool;
    fn update(&self, id: &str, f: &dyn Fn(&mut Record)) -> bool;
    fn remove(&self, id: &str) -> Option<Arc<Record>>;
}

impl Store for Table<Record> {
    fn get(&self, id: &str) -> Option<Arc<Record>> {
        Table::get(self, id)
    }
    fn insert_new(&self, id: String, value: Record) -> bool {
        Table::insert_new(self, id, value).is_ok()
    }
    fn update(&self, id: &str, f: &dyn Fn(&mut Record)) -> bool {
        Table::update(self, id, f).is_some()
    }
    fn remove(&self, id: &str) -> Option<Arc<Record>> {
        Table::remove(self, id)
    }
}

/// The baseline: one `RwLock` around a `HashMap`.
#[derive(Default)]
struct RwTable {
    map: RwLock<HashMap<String, Arc<Record>>>,
}

impl Store for RwTable {
    fn get(&self, id: &str) -> Option<Arc<Record>> {
        self.map.read().unwrap().get(id).cloned()
    }
    fn insert_new(&self, id: String, value: Record) -> bool {
        match self.map.write().unwrap().entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Arc::new(value));
                true
            }
        }
    }
    fn update(&self, id: &str, f: &dyn Fn(&mut Record)) -> bool {
        let mut map = self.map.write().unwrap();
        match map.get_mut(id) {
            Some(slot) => {
                f(Arc::make_mut(slot));
                true
            }
            None => false,
        }
    }
    fn remove(&self, id: &str) -> Option<Arc<Record>> {
        self.map.write().unwrap().remove(id)
    }
}

/// The name-reservation facade.
trait Names: Send + Sync {
    fn reserve(&self, name: &str, id: &str) -> Result<(), String>;
    fn release(&self, name: &str, id: &str) -> bool;
}

impl Names for NameIndex {
    fn reserve(&self, name: &str, id: &str) -> Result<(), String> {
        NameIndex::reserve(self, name, id)
    }
    fn release(&self, name: &str, id: &str) -> bool {
        NameIndex::release(self, name, id)
    }
}

/// The baseline: one `Mutex` around a `HashMap`, same semantics as `NameIndex`.
#[derive(Default)]
struct MutexNames {
    map: Mutex<HashMap<String, String>>,
}

impl Names for MutexNames {
    fn reserve(&self, name: &str, id: &str) -> Result<(), String> {
        let name = name.strip_prefix('/').unwrap_or(name);
        let mut map = self.map.lock().unwrap();
        match map.get(name) {
            Some(holder) if holder == id => Ok(()),
            Some(holder) => Err(holder.clone()),
            None => {
                map.insert(name.to_string(), id.to_string());
                Ok(())
            }
        }
    }
    fn release(&self, name: &str, id: &str) -> bool {
        let name = name.strip_prefix('/').unwrap_or(name);
        let mut map = self.map.lock().unwrap();
        if map.get(name).is_some_and(|h| h == id) {
            map.remove(name);
            true
        } else {
            false
        }
    }
}

/// A tiny xorshift generator: per thread, deterministic, no locking.
struct Rng(u64);

impl Rng {
    fn new(seed: usize) -> Self {
        Rng(0x2545_f491_4f6c_dd1d ^ ((seed as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

/// Runs `work(thread, iters)` on `threads` threads started together; returns the
/// time from the barrier to the last thread's end.
fn timed<F>(threads: usize, iters: u64, work: F) -> Duration
where
    F: Fn(usize, u64) + Sync,
{
    let barrier = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                let work = &work;
                s.spawn(move || {
                    barrier.wait();
                    work(t, iters);
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        for h in handles {
            h.join().expect("bench thread panicked");
        }
        start.elapsed()
    })
}

fn fill<S: Store + ?Sized>(store: &S, n: usize) {
    for i in 0..n {
        assert!(store.insert_new(id(i), record(i)));
    }
}

#[derive(Clone, Copy)]
enum Workload {
    Read100,
    Rw90,
    Churn,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Read100 => "read100",
            Workload::Rw90 => "rw90",
            Workload::Churn => "churn",
        }
    }
}

fn run_table(
    store: &dyn Store,
    keys: &[String],
    churn: &[Vec<String>],
    w: Workload,
    t: usize,
    iters: u64,
) {
    let mut rng = Rng::new(t);
    let template = record(usize::MAX / 2);
    let ops = iters * BATCH;
    match w {
        Workload::Read100 => {
            for _ in 0..ops {
                black_box(store.get(&keys[rng.below(keys.len())]));
            }
        }
        Workload::Rw90 => {
            for _ in 0..ops {
                let key = &keys[rng.below(keys.len())];
                if rng.below(10) == 0 {
                    black_box(store.update(key, &|r: &mut Record| {
                        r.restarts += 1;
                        r.status = if r.restarts % 2 == 0 {
                            "running"
                        } else {
                            "exited"
                        }
                        .into();
                    }));
                } else {
                    black_box(store.get(key));
                }
            }
        }
        Workload::Churn => {
            let pool = &churn[t];
            // Inserts the whole pool, then removes it: the table's size stays
            // within `CHURN_POOL` per thread of the prefilled size.
            for j in 0..ops as usize {
                let k = j % (2 * pool.len());
                if k < pool.len() {
                    black_box(store.insert_new(pool[k].clone(), template.clone()));
                } else {
                    black_box(store.remove(&pool[k - pool.len()]));
                }
            }
            // Leave no entries behind for the next sample.
            for key in pool {
                store.remove(key);
            }
        }
    }
}

fn bench_tables(c: &mut Criterion) {
    let churn: Vec<Vec<String>> = (0..*THREADS.iter().max().unwrap())
        .map(|t| {
            (0..CHURN_POOL)
                .map(|i| format!("churn-{t}-{i:058}"))
                .collect()
        })
        .collect();
    for n in SIZES {
        let keys: Vec<String> = (0..n).map(id).collect();
        let dash: Table<Record> = Table::new();
        fill(&dash, n);
        let rw = RwTable::default();
        fill(&rw, n);
        let stores: [(&str, &dyn Store); 2] = [("dashmap", &dash), ("rwlock", &rw)];
        for w in [Workload::Read100, Workload::Rw90, Workload::Churn] {
            let mut group = c.benchmark_group(format!("{}_n{n}", w.name()));
            for threads in THREADS {
                group.throughput(Throughput::Elements(threads as u64 * BATCH));
                for (label, store) in stores {
                    group.bench_with_input(
                        BenchmarkId::new(label, threads),
                        &threads,
                        |b, &threads| {
                            b.iter_custom(|iters| {
                                timed(threads, iters, |t, iters| {
                                    run_table(store, &keys, &churn, w, t, iters)
                                })
                            })
                        },
                    );
                }
            }
            group.finish();
        }
    }
}

fn run_names(names: &dyn Names, hot: &[String], t: usize, iters: u64) {
    let mut rng = Rng::new(t);
    let me = id(1_000_000 + t);
    for _ in 0..iters * BATCH {
        let name = &hot[rng.below(hot.len())];
        if names.reserve(name, &me).is_ok() {
            black_box(names.release(name, &me));
        }
    }
}

fn bench_names(c: &mut Criterion) {
    let hot: Vec<String> = (0..HOT_NAMES).map(|i| format!("/job-{i}-build")).collect();
    for n in SIZES {
        let dash = NameIndex::new();
        let mutex = MutexNames::default();
        for i in 0..n {
            let name = format!("runner-{i}");
            dash.reserve(&name, id(i)).unwrap();
            mutex.reserve(&name, &id(i)).unwrap();
        }
        let indexes: [(&str, &dyn Names); 2] = [("dashmap", &dash), ("mutex", &mutex)];
        let mut group = c.benchmark_group(format!("names_n{n}"));
        for threads in THREADS {
            group.throughput(Throughput::Elements(threads as u64 * BATCH));
            for (label, names) in indexes {
                group.bench_with_input(
                    BenchmarkId::new(label, threads),
                    &threads,
                    |b, &threads| {
                        b.iter_custom(|iters| {
                            timed(threads, iters, |t, iters| run_names(names, &hot, t, iters))
                        })
                    },
                );
            }
        }
        group.finish();
    }
}

/// 64 benchmarks × (0.5 s warm-up + 2 s measurement + analysis) ≈ 3–4 min.
/// Command-line flags (`--warm-up-time`, `--measurement-time`, `--sample-size`)
/// override these.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_tables, bench_names
}
criterion_main!(benches);
