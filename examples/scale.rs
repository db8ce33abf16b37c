//! Scale measurements of the memory backend, in-process (no HTTP): for N
//! containers created with a realistic CI-runner body — 10 labels, 15 env
//! entries, 2 named volumes in `Binds` (one shared cache, one per job), a user
//! network in `NetworkMode` and `EndpointsConfig` with aliases — it measures
//! - create rate (creates/s, sequential),
//! - `container_list` with `{"label":["ci.job=42"]}` (all=true): p50/p99/max,
//! - `container_inspect` by full ID of random containers: p50/p99/max,
//! - resident memory per container: VmRSS after the creates minus VmRSS before,
//!   divided by N; beside it the live heap bytes per container (a counting
//!   global allocator: what the allocator was asked for, without its own
//!   overhead and free-list slack).
//!
//! Each size runs in a fresh child process (this binary re-executed with
//! `--one N`), so a size's RSS is not skewed by memory the allocator kept from
//! a previous size. The parent prints a table (or JSON lines with `--json`).
//!
//! ```text
//! cargo run --release --example scale                        # 1 000 / 10 000 / 100 000
//! cargo run --release --example scale -- --sizes 1000 --json
//! cargo run --release --example scale -- --sizes 1000,100000 --interleave   # inspects only, one process
//! cargo run --release --example scale -- --sizes 1000,100000 --interleave --batch 10 --warm-up 10
//! ```
//!
//! Until `container_create` is implemented the rows say so (the error is shown)
//! instead of figures.

use sockerless::backend::prelude::*;
use std::num::NonZeroUsize;
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use serde_json::{json, Value};
use sockerless::api::{ContainerCreateBody, ContainerListOptions, Filters, PullOptions};
use sockerless::MemoryBackend;

#[derive(Debug, Parser)]
#[command(about = "Scale measurements of the memory backend (in-process)")]
struct Args {
    /// Container counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<usize>,
    /// Inspect samples per size.
    #[arg(long, default_value_t = 20_000)]
    inspects: usize,
    /// List-with-filter samples per size.
    #[arg(long, default_value_t = 50)]
    lists: usize,
    /// Exec instances to hold during the inspects: the first 100 containers
    /// are started and get `execs / 100` each (execs live while their
    /// container runs).
    #[arg(long, default_value_t = 0)]
    execs: usize,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    json: bool,
    /// Inspects only, all sizes in this one process in alternating batches
    /// (`--batch`, each after `--warm-up` unmeasured inspects of its size), so that every
    /// size sees the same moments of the machine. Before the first batch every
    /// container of every size is inspected once, unmeasured: on this VM the
    /// first read of memory written moments before is sometimes slow (a
    /// store's first batches after 100 000 creates had 24-93 inspects of
    /// 2 000 over 12 us, its later ones 5-15, with no page fault in the
    /// process), which would measure the host's handling of fresh memory,
    /// not a lookup in a store of that size.
    #[arg(long)]
    interleave: bool,
    /// With `--interleave`: measured inspects per batch. This VM has slow
    /// spells of 0.5-20 ms (most inspects in them 1.5-3 us slower); a
    /// 2 000-inspect batch (~9 ms) can put a whole spell on one size, which
    /// moves that size's p99. Batches of 10 share every spell between the
    /// sizes (BENCHMARKS.md, "Round eighteen").
    #[arg(long, default_value = "2000", requires = "interleave")]
    batch: NonZeroUsize,
    /// With `--interleave`: unmeasured inspects before each batch.
    #[arg(long, default_value_t = 1_000, requires = "interleave")]
    warm_up: usize,
    /// With `--interleave`: write every measured inspect to this file, one
    /// line each: the store's size, the start in ns since the first
    /// measured inspect, the time taken in ns (to see when the slow ones
    /// came).
    #[arg(long, requires = "interleave")]
    samples: Option<std::path::PathBuf>,
    /// Internal: measure one size in this process and print one JSON line.
    #[arg(long, hide = true)]
    one: Option<usize>,
}

/// The daemons' allocator (mimalloc), counting the bytes currently allocated
/// (requested sizes): heap per container beside RSS per container.
struct Counting;

static LIVE_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the daemons' allocator; the counter is only
// bookkeeping.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract is the allocator's.
        unsafe { sockerless::allocator::Allocator.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { sockerless::allocator::Allocator.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, std::sync::atomic::Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { sockerless::allocator::Allocator.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn heap_bytes() -> usize {
    LIVE_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The CI-runner create body of container `i` (jobs have 4 containers each).
fn body(i: usize) -> ContainerCreateBody {
    let job = i / 4;
    let mut labels = serde_json::Map::new();
    for (k, v) in [
        ("ci.job", job.to_string()),
        ("ci.pipeline", (job / 10).to_string()),
        ("ci.project", "group/project".to_string()),
        ("ci.runner", "runner-7f3a9c".to_string()),
        ("ci.stage", "test".to_string()),
        ("ci.service", format!("svc-{}", i % 4)),
        ("com.gitlab.gitlab-runner.managed", "true".to_string()),
        ("com.gitlab.gitlab-runner.type", "build".to_string()),
        (
            "org.opencontainers.image.source",
            "https://example.com/group/project".to_string(),
        ),
        ("sockerless.test", "scale".to_string()),
    ] {
        labels.insert(k.to_string(), Value::String(v));
    }
    let env: Vec<String> = [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        "CI=true".to_string(),
        format!("CI_JOB_ID={job}"),
        format!("CI_PIPELINE_ID={}", job / 10),
        "CI_PROJECT_PATH=group/project".to_string(),
        "CI_PROJECT_DIR=/builds/group/project".to_string(),
        "CI_COMMIT_SHA=3f786850e387550fdab836ed7e6dc881de23001b".to_string(),
        "CI_COMMIT_REF_NAME=main".to_string(),
        "CI_REGISTRY=registry.example.com".to_string(),
        "CI_SERVER_URL=https://gitlab.example.com".to_string(),
        "GIT_DEPTH=20".to_string(),
        "HOME=/root".to_string(),
        "LANG=C.UTF-8".to_string(),
        "DOCKER_DRIVER=overlay2".to_string(),
        format!("RUNNER_SLOT={}", i % 16),
    ]
    .into();
    let b = json!({
        "Image": "alpine",
        "Cmd": ["sh", "-c", "sleep infinity"],
        "WorkingDir": "/builds/group/project",
        "Labels": labels,
        "Env": env,
        "HostConfig": {
            "Binds": ["runner-cache:/cache", format!("job-{job}-builds:/builds")],
            "NetworkMode": "ci-net",
        },
        "NetworkingConfig": {
            "EndpointsConfig": {
                "ci-net": {"Aliases": [format!("svc-{}", i % 4), format!("job-{job}")]}
            }
        }
    });
    serde_json::from_value(b).expect("a valid create body")
}

fn quantiles(mut v: Vec<Duration>) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    v.sort_unstable();
    let at = |q: f64| {
        let idx = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        v[idx].as_secs_f64() * 1e6
    };
    json!({"p50_us": at(0.5), "p99_us": at(0.99), "max_us": at(1.0), "count": v.len()})
}

/// The image and the network every create body names.
async fn prepare(backend: &MemoryBackend) -> sockerless::Result<()> {
    let mut pull = backend
        .image_pull(PullOptions {
            from_image: "alpine".into(),
            ..Default::default()
        })
        .await?;
    while pull.next().await.is_some() {}
    let net: sockerless::api::docker::NetworkCreateRequest =
        serde_json::from_value(json!({"Name": "ci-net"})).expect("network body");
    backend.network_create(net).await?;
    Ok(())
}

/// Creates containers `ci-0` … `ci-{n-1}`; their IDs, or the error as a row.
async fn create_all(backend: &MemoryBackend, n: usize) -> Result<Vec<String>, Value> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        match backend
            .container_create(Some(format!("ci-{i}")), body(i))
            .await
        {
            Ok(r) => ids.push(r.id),
            Err(e) => {
                return Err(json!({"n": n, "error": format!("container_create #{i}: {e}")}));
            }
        }
    }
    Ok(ids)
}

/// Starts the first 100 containers of `ids` and creates `execs` exec
/// instances spread over them; the error as a row.
async fn hold_execs(backend: &MemoryBackend, ids: &[String], execs: usize) -> Result<(), Value> {
    let running = &ids[..ids.len().min(100)];
    let fail = |what: &str, e: sockerless::Error| {
        Err(json!({"n": ids.len(), "error": format!("{what}: {e}")}))
    };
    for id in running {
        if let Err(e) = backend.container_start(id.clone()).await {
            return fail("container_start", e);
        }
    }
    let config: sockerless::api::docker::ExecConfig =
        serde_json::from_value(json!({"Cmd": ["true"]})).expect("exec body");
    for i in 0..execs {
        if let Err(e) = backend
            .exec_create(running[i % running.len()].clone(), config.clone())
            .await
        {
            return fail("exec_create", e);
        }
    }
    Ok(())
}

/// The row of a size whose inspect failed.
fn inspect_failed(n: usize, e: impl std::fmt::Display) -> Value {
    json!({"n": n, "error": format!("container_inspect: {e}")})
}

/// The inspect sampler: a fixed xorshift sequence, the same IDs for every run
/// of one size.
struct Sampler(u64);

impl Sampler {
    fn new() -> Self {
        Sampler(0x9e37_79b9_7f4a_7c15)
    }

    /// Inspects a random container of `ids`; when the call began and how long
    /// it took.
    async fn inspect(
        &mut self,
        backend: &MemoryBackend,
        ids: &[String],
    ) -> Result<(Instant, Duration), Value> {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        let id = ids[(*x % ids.len() as u64) as usize].clone();
        let t = Instant::now();
        let r = backend.container_inspect(id).await;
        let took = t.elapsed();
        match r {
            Ok(_) => Ok((t, took)),
            Err(e) => Err(inspect_failed(ids.len(), e)),
        }
    }
}

async fn one(n: usize, inspects: usize, lists: usize, execs: usize) -> Value {
    let rss_before = rss_kib();
    let backend = MemoryBackend::new();
    if let Err(e) = prepare(&backend).await {
        return json!({"n": n, "error": format!("setup: {e}")});
    }
    let rss_setup = rss_kib();
    let heap_setup = heap_bytes();

    let started = Instant::now();
    let ids = match create_all(&backend, n).await {
        Ok(ids) => ids,
        Err(row) => return row,
    };
    let create_s = started.elapsed().as_secs_f64();
    let rss_after = rss_kib();
    let heap_after = heap_bytes();

    let filters = Filters::parse_any(Some(r#"{"label":["ci.job=42"]}"#)).expect("filters");
    let mut list_times = Vec::with_capacity(lists);
    let mut matched = 0;
    for _ in 0..lists {
        let t = Instant::now();
        let r = backend
            .container_list(ContainerListOptions {
                all: true,
                filters: filters.clone(),
                ..Default::default()
            })
            .await;
        list_times.push(t.elapsed());
        match r {
            Ok(v) => matched = v.len(),
            Err(e) => return json!({"n": n, "error": format!("container_list: {e}")}),
        }
    }

    if execs > 0 {
        if let Err(row) = hold_execs(&backend, &ids, execs).await {
            return row;
        }
    }
    let mut sampler = Sampler::new();
    let mut inspect_times = Vec::with_capacity(inspects);
    for _ in 0..inspects {
        match sampler.inspect(&backend, &ids).await {
            Ok((_, took)) => inspect_times.push(took),
            Err(row) => return row,
        }
    }

    let grown = rss_after.saturating_sub(rss_setup);
    json!({
        "n": n,
        "creates_per_s": (n as f64 / create_s).round(),
        "list_label": quantiles(list_times),
        "list_matched": matched,
        "inspect": quantiles(inspect_times),
        "rss_before_kib": rss_before,
        "rss_setup_kib": rss_setup,
        "rss_after_kib": rss_after,
        "rss_per_container_bytes": (grown as f64 * 1024.0 / n.max(1) as f64).round(),
        "heap_per_container_bytes":
            (heap_after.saturating_sub(heap_setup) as f64 / n.max(1) as f64).round(),
    })
}

/// How `--interleave` alternates the sizes.
struct Grain {
    /// Measured inspects per batch.
    batch: usize,
    /// Unmeasured inspects before each batch.
    warm_up: usize,
}

/// Inspect quantiles of every size measured in one process, in alternating
/// batches (`--interleave`); every measured inspect written to `samples` as
/// well, when given.
async fn interleaved(
    sizes: &[usize],
    inspects: usize,
    grain: Grain,
    samples: Option<&std::path::Path>,
) -> Vec<Value> {
    // Whole batches: every size measures this many inspects. The vectors
    // that keep them are sized before the first, so none grows (and copies)
    // between two measured inspects.
    let batches = inspects.div_ceil(grain.batch);
    let measured = batches * grain.batch;
    let mut stores = Vec::new();
    for &n in sizes {
        let backend = MemoryBackend::new();
        if let Err(e) = prepare(&backend).await {
            return vec![json!({"n": n, "error": format!("setup: {e}")})];
        }
        match create_all(&backend, n).await {
            Ok(ids) => stores.push((backend, ids, Vec::with_capacity(measured))),
            Err(row) => return vec![row],
        }
    }
    for (backend, ids, _) in &stores {
        for id in ids {
            if let Err(e) = backend.container_inspect(id.clone()).await {
                return vec![inspect_failed(ids.len(), e)];
            }
        }
    }
    let mut sampler = Sampler::new();
    let mut timeline = Vec::with_capacity(if samples.is_some() {
        sizes.len() * measured
    } else {
        0
    });
    for _ in 0..batches {
        for (backend, ids, times) in &mut stores {
            for k in 0..grain.warm_up + grain.batch {
                match sampler.inspect(backend, ids).await {
                    Ok((start, took)) if k >= grain.warm_up => {
                        times.push(took);
                        if samples.is_some() {
                            timeline.push((ids.len(), start, took));
                        }
                    }
                    Ok(_) => {}
                    Err(row) => return vec![row],
                }
            }
        }
    }
    if let Some(path) = samples {
        if let Err(e) = write_timeline(path, &timeline) {
            return vec![json!({"error": format!("writing {}: {e}", path.display())})];
        }
    }
    stores
        .into_iter()
        .map(|(_, ids, times)| json!({"n": ids.len(), "inspect": quantiles(times)}))
        .collect()
}

/// Writes `--samples`: one line per measured inspect, `size start_ns took_ns`.
fn write_timeline(
    path: &std::path::Path,
    timeline: &[(usize, Instant, Duration)],
) -> std::io::Result<()> {
    use std::io::Write;
    let Some(&(_, first, _)) = timeline.first() else {
        return Ok(());
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (n, start, took) in timeline {
        writeln!(
            out,
            "{n} {} {}",
            start.duration_since(first).as_nanos(),
            took.as_nanos()
        )?;
    }
    out.flush()
}

fn main() {
    let args = Args::parse();
    if args.interleave {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let grain = Grain {
            batch: args.batch.get(),
            warm_up: args.warm_up,
        };
        let rows = rt.block_on(interleaved(
            &args.sizes,
            args.inspects,
            grain,
            args.samples.as_deref(),
        ));
        if args.json {
            rows.iter().for_each(|r| println!("{r}"));
        } else {
            print_interleaved(&rows);
        }
        return;
    }
    if let Some(n) = args.one {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let r = rt.block_on(one(n, args.inspects, args.lists, args.execs));
        println!("{r}");
        return;
    }
    let exe = std::env::current_exe().expect("current exe");
    let mut rows = Vec::new();
    for &n in &args.sizes {
        let out = Command::new(&exe)
            .args([
                "--one",
                &n.to_string(),
                "--inspects",
                &args.inspects.to_string(),
                "--lists",
                &args.lists.to_string(),
                "--execs",
                &args.execs.to_string(),
            ])
            .output()
            .expect("running the measuring child");
        let text = String::from_utf8_lossy(&out.stdout);
        let row: Value = text
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| {
                json!({"n": n, "error": format!("child failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr))})
            });
        if args.json {
            println!("{row}");
        }
        rows.push(row);
    }
    if !args.json {
        print_table(&rows);
    }
}

fn print_table(rows: &[Value]) {
    let f = |v: &Value| v.as_f64().map_or("-".to_string(), |x| format!("{x:.1}"));
    println!("| containers | creates/s | list label p50 ms | list label p99 ms | matched | inspect p50 µs | inspect p99 µs | RSS/container B | heap/container B |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        if let Some(e) = r.get("error") {
            println!(
                "| {} | error: {} | | | | | | | |",
                r["n"],
                e.as_str().unwrap_or("")
            );
            continue;
        }
        let ms = |v: &Value| {
            v.as_f64()
                .map_or("-".to_string(), |x| format!("{:.2}", x / 1000.0))
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r["n"],
            f(&r["creates_per_s"]),
            ms(&r["list_label"]["p50_us"]),
            ms(&r["list_label"]["p99_us"]),
            r["list_matched"],
            f(&r["inspect"]["p50_us"]),
            f(&r["inspect"]["p99_us"]),
            f(&r["rss_per_container_bytes"]),
            f(&r["heap_per_container_bytes"]),
        );
    }
    print_ratio(rows);
}

fn print_interleaved(rows: &[Value]) {
    let f = |v: &Value| v.as_f64().map_or("-".to_string(), |x| format!("{x:.1}"));
    println!("| containers | inspect p50 µs | inspect p99 µs | inspect max µs | samples |");
    println!("|---:|---:|---:|---:|---:|");
    for r in rows {
        match r.get("error") {
            Some(e) => println!("| {} | error: {} | | | |", r["n"], e.as_str().unwrap_or("")),
            None => println!(
                "| {} | {} | {} | {} | {} |",
                r["n"],
                f(&r["inspect"]["p50_us"]),
                f(&r["inspect"]["p99_us"]),
                f(&r["inspect"]["max_us"]),
                r["inspect"]["count"],
            ),
        }
    }
    print_ratio(rows);
}

/// Goal 3's figure, when the rows have both sizes.
fn print_ratio(rows: &[Value]) {
    if let (Some(lo), Some(hi)) = (
        rows.iter().find(|r| r["n"] == 1000),
        rows.iter().find(|r| r["n"] == 100_000),
    ) {
        if let (Some(a), Some(b)) = (
            lo["inspect"]["p99_us"].as_f64(),
            hi["inspect"]["p99_us"].as_f64(),
        ) {
            println!("\ninspect p99 at 100k ÷ at 1k = {:.2} (goal ≤ 1.2)", b / a);
        }
    }
}
