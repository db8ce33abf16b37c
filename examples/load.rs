//! HTTP load tool for the internal API: N concurrent workers, each on its own
//! keep-alive HTTP/1 connection (hyper 1's client, or with `--client lean` the
//! lean one of `load/lean.rs`) over a Unix socket or TCP, for a
//! fixed duration or a fixed number of iterations. Connects to a server that is
//! already running (the daemon, or `examples/bare_hyper.rs` for the floor).
//!
//! ```text
//! cargo run --release --example load -- --unix /tmp/s.sock --scenario capabilities \
//!     --concurrency 16 --duration 10 --json
//! cargo run --release --example load -- --tcp 127.0.0.1:2375 --scenario lifecycle -c 64
//! ```
//!
//! Scenarios:
//! - `capabilities`: `GET /internal/v1/capabilities`;
//! - `inspect`: setup (not timed) pulls `alpine` and creates one container, then
//!   `GET /internal/v1/containers/{id}`; the container is removed at the end;
//! - `docker-ping`: `GET /_ping` of the Docker API (a `sockerless` socket);
//! - `docker-inspect`: the `inspect` setup (over `/internal/v1`, which a
//!   `sockerless` socket serves too), then `GET /v1.44/containers/{id}/json`;
//! - `list` / `docker-list`: the `inspect` setup, then the list of all
//!   containers, `GET /internal/v1/containers?all=1` /
//!   `GET /v1.44/containers/json?all=1`;
//! - `lifecycle`: per iteration create (`{"Image":"alpine","Cmd":["sleep","infinity"]}`, a unique name) →
//!   start → inspect → stop `?t=0` → remove `?force=1`; one iteration is one
//!   lifecycle, counted as completed only when every step answered 2xx. After a
//!   failed create the iteration stops (there is no ID to go on with);
//! - `docker-lifecycle`: the same five steps through the Docker API
//!   (`POST /v1.44/containers/create?name=…`, `…/start`, `…/json`,
//!   `…/stop?t=0`, `DELETE …?force=1`).
//!
//! `--against SCENARIO` runs a second scenario on the same connections,
//! alternating with the first in slices of `--slice` seconds (0.1 by
//! default; every worker switches at the same instants), and reports it under
//! `against`: both see the same moments of a machine whose speed drifts, so
//! the ratio of their rates holds where two separate runs' does not. Each is
//! measured over half of an even number of slices covering `--duration`.
//! `--against-unix PATH` / `--against-tcp ADDR` alternate the same way with a
//! second server (each worker keeps one connection to each): the scenario
//! (or `--against`'s) there, against the first server's (ours against the
//! bare hyper floor, say).
//!
//! Latencies are collected per worker in plain `Vec`s (no histogram crate),
//! merged and sorted at the end: exact percentiles. Every non-2xx status and every
//! transport error is counted, per step; the exit status is 0 whatever the
//! counts (scripts read them from `--json`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

#[path = "load/lean.rs"]
mod lean;
use lean::LeanConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Capabilities,
    Inspect,
    Lifecycle,
    DockerPing,
    DockerInspect,
    List,
    DockerList,
    DockerLifecycle,
}

/// The paths of one lifecycle's steps, on one of the two APIs.
#[derive(Debug, Clone, Copy)]
enum Api {
    Internal,
    Docker,
}

impl Api {
    fn create(self, name: &str) -> String {
        match self {
            Api::Internal => format!("/internal/v1/containers?name={name}"),
            Api::Docker => format!("/v1.44/containers/create?name={name}"),
        }
    }

    /// (step, method, path) of the steps after create.
    fn steps(self, id: &str) -> [(&'static str, &'static str, String); 4] {
        let (base, inspect) = match self {
            Api::Internal => {
                let base = format!("/internal/v1/containers/{id}");
                (base.clone(), base)
            }
            Api::Docker => {
                let base = format!("/v1.44/containers/{id}");
                (base.clone(), format!("{base}/json"))
            }
        };
        [
            ("start", "POST", format!("{base}/start")),
            ("inspect", "GET", inspect),
            ("stop", "POST", format!("{base}/stop?t=0")),
            ("remove", "DELETE", format!("{base}?force=1")),
        ]
    }
}

#[derive(Debug, Parser)]
#[command(about = "Load generator for the sockerless internal API")]
struct Args {
    /// Unix socket of the server.
    #[arg(long, conflicts_with = "tcp", required_unless_present = "tcp")]
    unix: Option<PathBuf>,
    /// TCP address of the server (loopback expected).
    #[arg(long)]
    tcp: Option<SocketAddr>,
    /// Concurrent workers, one keep-alive connection each.
    #[arg(short, long, default_value_t = 1)]
    concurrency: usize,
    /// Seconds to run (after the warm-up); ignored when --requests is given.
    #[arg(short, long, default_value_t = 10.0)]
    duration: f64,
    /// Total iterations instead of a duration (requests; lifecycles for `lifecycle`).
    #[arg(short = 'n', long)]
    requests: Option<u64>,
    /// Seconds of un-recorded load before measuring.
    #[arg(long, default_value_t = 0.0)]
    warmup: f64,
    /// What to request.
    #[arg(short, long, value_enum, default_value_t = Scenario::Capabilities)]
    scenario: Scenario,
    /// Client runtime worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// A second scenario alternating with the first, slice by slice
    /// (reported under `against`).
    #[arg(long, value_enum, conflicts_with = "requests")]
    against: Option<Scenario>,
    /// A second server, on a Unix socket, alternating with the first slice
    /// by slice (reported under `against`).
    #[arg(long, conflicts_with_all = ["requests", "against_tcp"])]
    against_unix: Option<PathBuf>,
    /// A second server, on TCP, alternating with the first slice by slice.
    #[arg(long, conflicts_with = "requests")]
    against_tcp: Option<SocketAddr>,
    /// Seconds of each slice of `--against`, `--against-unix` or
    /// `--against-tcp`.
    #[arg(long, default_value_t = 0.1)]
    slice: f64,
    /// The HTTP/1 client: hyper's, or the lean one (`load/lean.rs`), which
    /// spends less of the shared cores per request.
    #[arg(long, value_enum, default_value_t = Client::Hyper)]
    client: Client,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone)]
enum Target {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl Target {
    /// The server a pair of `--unix` / `--tcp` flags names (the socket
    /// first), if either is given.
    fn from_flags(unix: Option<&PathBuf>, tcp: Option<SocketAddr>) -> Option<Target> {
        match (unix, tcp) {
            (Some(p), _) => Some(Target::Unix(p.clone())),
            (None, Some(a)) => Some(Target::Tcp(a)),
            (None, None) => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Unix(p) => write!(f, "unix:{}", p.display()),
            Target::Tcp(a) => write!(f, "tcp:{a}"),
        }
    }
}

type Sender = SendRequest<Full<Bytes>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which HTTP/1 client drives the connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Client {
    /// hyper 1's client: a connection task per connection, a request channel.
    Hyper,
    /// `load/lean.rs`: the worker's task reads and writes the socket itself.
    Lean,
}

async fn open(target: &Target) -> Result<Pin<Box<dyn lean::Stream>>, BoxError> {
    Ok(match target {
        Target::Unix(p) => Box::pin(tokio::net::UnixStream::connect(p).await?),
        Target::Tcp(a) => {
            let s = tokio::net::TcpStream::connect(a).await?;
            s.set_nodelay(true)?;
            Box::pin(s)
        }
    })
}

async fn connect(target: &Target, client: Client) -> Result<Transport, BoxError> {
    let stream = open(target).await?;
    Ok(match client {
        Client::Hyper => {
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            Transport::Hyper(sender)
        }
        Client::Lean => Transport::Lean(LeanConn::new(stream)),
    })
}

/// A live connection of either client.
enum Transport {
    Hyper(Sender),
    Lean(LeanConn),
}

impl Transport {
    fn is_closed(&self) -> bool {
        match self {
            Transport::Hyper(s) => s.is_closed(),
            Transport::Lean(c) => c.is_closed(),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Bytes>,
    ) -> Result<(u16, Bytes), BoxError> {
        match self {
            Transport::Lean(c) => Ok(c.send(method, path, body.map(|b| &b[..])).await?),
            Transport::Hyper(sender) => {
                sender.ready().await?;
                let mut req = http::Request::builder()
                    .method(method)
                    .uri(path)
                    .header("host", "localhost");
                if body.is_some() {
                    req = req.header("content-type", "application/json");
                }
                let req = req.body(Full::new(body.cloned().unwrap_or_default()))?;
                let res = sender.send_request(req).await?;
                let status = res.status().as_u16();
                let bytes = res.into_body().collect().await?.to_bytes();
                Ok((status, bytes))
            }
        }
    }
}

/// One worker's connection; reconnects after a transport error.
struct Conn {
    target: Target,
    client: Client,
    transport: Option<Transport>,
}

impl Conn {
    async fn new(target: Target, client: Client) -> Result<Conn, BoxError> {
        let transport = Some(connect(&target, client).await?);
        Ok(Conn {
            target,
            client,
            transport,
        })
    }

    /// Sends one request and reads the whole body.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Bytes>,
    ) -> Result<(u16, Bytes), BoxError> {
        let transport = match &mut self.transport {
            Some(t) if !t.is_closed() => t,
            slot => slot.insert(connect(&self.target, self.client).await?),
        };
        let result = transport.send(method, path, body).await;
        if result.is_err() {
            self.transport = None;
        }
        result
    }
}

/// Per-step results of one worker (then merged).
#[derive(Default)]
struct Step {
    latencies_ns: Vec<u64>,
    status: BTreeMap<String, u64>,
}

impl Step {
    fn record(&mut self, elapsed: Duration, outcome: &Result<(u16, Bytes), BoxError>) {
        self.latencies_ns.push(elapsed.as_nanos() as u64);
        let key = match outcome {
            Ok((s, _)) => s.to_string(),
            Err(_) => "transport_error".to_string(),
        };
        *self.status.entry(key).or_default() += 1;
    }

    fn merge(&mut self, other: Step) {
        self.latencies_ns.extend(other.latencies_ns);
        for (k, v) in other.status {
            *self.status.entry(k).or_default() += v;
        }
    }
}

#[derive(Default)]
struct Stats {
    steps: BTreeMap<&'static str, Step>,
    /// Whole lifecycles (all steps 2xx) and their latency.
    lifecycle: Step,
    lifecycles_ok: u64,
    lifecycles_failed: u64,
    transport_errors: Vec<String>,
}

impl Stats {
    fn merge(&mut self, other: Stats) {
        for (k, v) in other.steps {
            self.steps.entry(k).or_default().merge(v);
        }
        self.lifecycle.merge(other.lifecycle);
        self.lifecycles_ok += other.lifecycles_ok;
        self.lifecycles_failed += other.lifecycles_failed;
        for e in other.transport_errors {
            if self.transport_errors.len() < 5 {
                self.transport_errors.push(e);
            }
        }
    }
}

fn is_2xx(r: &Result<(u16, Bytes), BoxError>) -> bool {
    matches!(r, Ok((s, _)) if (200..300).contains(s))
}

/// Shared run control: when recording starts, when to stop, how many
/// iterations remain in `--requests` mode, and the slices of `--against`.
struct Control {
    record_from: Instant,
    deadline: Option<Instant>,
    budget: Option<AtomicU64>,
    /// With two scenarios: how long each runs before the other.
    slice: Option<Duration>,
}

impl Control {
    /// Whether to run another iteration: the scenario's index (0, or 1 in
    /// the odd slices of `--against`) and whether to record it.
    fn next(&self) -> Option<(usize, bool)> {
        let now = Instant::now();
        let record = now >= self.record_from;
        let side = self.slice.map_or(0, |slice| {
            let from = if record {
                now - self.record_from
            } else {
                self.record_from - now
            };
            (from.as_nanos() / slice.as_nanos().max(1) % 2) as usize
        });
        if let Some(d) = self.deadline {
            if now >= d {
                return None;
            }
        }
        if record {
            if let Some(b) = &self.budget {
                let taken =
                    b.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                if taken.is_err() {
                    return None;
                }
            }
        }
        Some((side, record))
    }
}

/// One scenario of a run, with the server it runs on (an index into the
/// run's targets) and the path its inspects and lists use.
struct Side {
    scenario: Scenario,
    target: usize,
    inspect_path: String,
}

const CREATE_BODY: &[u8] = br#"{"Image":"alpine","Cmd":["sleep","infinity"]}"#;

async fn timed(
    conn: &mut Conn,
    method: &str,
    path: &str,
    body: Option<&Bytes>,
) -> (Duration, Result<(u16, Bytes), BoxError>) {
    let start = Instant::now();
    let r = conn.send(method, path, body).await;
    (start.elapsed(), r)
}

/// One connection's iterations until the control stops them: the stats of
/// each side.
async fn worker(
    mut conns: Vec<Conn>,
    worker: usize,
    sides: Arc<[Side]>,
    control: Arc<Control>,
    start: Arc<tokio::sync::Barrier>,
) -> Vec<Stats> {
    let mut per_side: Vec<Stats> = sides.iter().map(|_| Stats::default()).collect();
    let create_body = Bytes::from_static(CREATE_BODY);
    let pid = std::process::id();
    let mut i = 0u64;
    start.wait().await;
    while let Some((side, record)) = control.next() {
        let Some((
            Side {
                scenario,
                target,
                inspect_path,
            },
            stats,
        )) = sides.get(side).zip(per_side.get_mut(side))
        else {
            break;
        };
        let Some(conn) = conns.get_mut(*target) else {
            break;
        };
        let scenario = *scenario;
        let note = |stats: &mut Stats,
                    step: &'static str,
                    elapsed: Duration,
                    r: &Result<(u16, Bytes), BoxError>| {
            if let Err(e) = r {
                if stats.transport_errors.len() < 5 {
                    stats.transport_errors.push(format!("{step}: {e}"));
                }
            }
            if record {
                stats.steps.entry(step).or_default().record(elapsed, r);
            }
        };
        match scenario {
            Scenario::Capabilities => {
                let (d, r) = timed(conn, "GET", "/internal/v1/capabilities", None).await;
                note(stats, "capabilities", d, &r);
            }
            Scenario::Inspect | Scenario::DockerInspect => {
                let (d, r) = timed(conn, "GET", inspect_path, None).await;
                note(stats, "inspect", d, &r);
            }
            Scenario::List | Scenario::DockerList => {
                let path = match scenario {
                    Scenario::List => "/internal/v1/containers?all=1",
                    _ => "/v1.44/containers/json?all=1",
                };
                let (d, r) = timed(conn, "GET", path, None).await;
                note(stats, "list", d, &r);
            }
            Scenario::DockerPing => {
                let (d, r) = timed(conn, "GET", "/_ping", None).await;
                note(stats, "ping", d, &r);
            }
            Scenario::Lifecycle | Scenario::DockerLifecycle => {
                let api = match scenario {
                    Scenario::Lifecycle => Api::Internal,
                    _ => Api::Docker,
                };
                i += 1;
                let began = Instant::now();
                let name = format!("load-{pid}-{worker}-{i}");
                let path = api.create(&name);
                let (d, r) = timed(conn, "POST", &path, Some(&create_body)).await;
                note(stats, "create", d, &r);
                let id = match &r {
                    Ok((s, body)) if (200..300).contains(s) => {
                        serde_json::from_slice::<Value>(body)
                            .ok()
                            .and_then(|v| v.get("Id").and_then(Value::as_str).map(str::to_string))
                    }
                    _ => None,
                };
                let Some(id) = id else {
                    if record {
                        stats.lifecycles_failed += 1;
                    }
                    continue;
                };
                let mut ok = true;
                for (step, method, path) in api.steps(&id) {
                    let (d, r) = timed(conn, method, &path, None).await;
                    ok &= is_2xx(&r);
                    note(stats, step, d, &r);
                }
                if record {
                    if ok {
                        stats.lifecycles_ok += 1;
                        stats
                            .lifecycle
                            .latencies_ns
                            .push(began.elapsed().as_nanos() as u64);
                    } else {
                        stats.lifecycles_failed += 1;
                    }
                }
            }
        }
    }
    per_side
}

/// The setup of `scenario`: its inspect path (empty if it inspects
/// nothing) and the container to remove at the end, if it made one.
async fn setup(
    scenario: Scenario,
    target: &Target,
    client: Client,
) -> Result<(String, Option<String>), BoxError> {
    match scenario {
        Scenario::Inspect | Scenario::List | Scenario::DockerList => {
            setup_inspect(target, client).await
        }
        Scenario::Lifecycle | Scenario::DockerLifecycle => {
            setup_pull(target, client).await?;
            Ok((String::new(), None))
        }
        Scenario::DockerInspect => match setup_inspect(target, client).await? {
            (_, Some(id)) => Ok((format!("/v1.44/containers/{id}/json"), Some(id))),
            (path, None) => Ok((path, None)),
        },
        Scenario::Capabilities | Scenario::DockerPing => Ok((String::new(), None)),
    }
}

/// Setup of `inspect`: pull alpine, create one container; its inspect path.
async fn setup_inspect(
    target: &Target,
    client: Client,
) -> Result<(String, Option<String>), BoxError> {
    let mut conn = Conn::new(target.clone(), client).await?;
    let (s, body) = conn
        .send("POST", "/internal/v1/images/pull?fromImage=alpine", None)
        .await?;
    if !(200..300).contains(&s) {
        eprintln!(
            "load: setup: pull alpine answered {s}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    // One container per side of a run (`--against`), each its own name.
    static MADE: AtomicU64 = AtomicU64::new(0);
    let made = MADE.fetch_add(1, Ordering::Relaxed);
    let name = format!("load-inspect-{}-{made}", std::process::id());
    let (s, body) = conn
        .send(
            "POST",
            &format!("/internal/v1/containers?name={name}"),
            Some(&Bytes::from_static(CREATE_BODY)),
        )
        .await?;
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("Id").and_then(Value::as_str).map(str::to_string));
    match id {
        Some(id) if (200..300).contains(&s) => {
            Ok((format!("/internal/v1/containers/{id}"), Some(id)))
        }
        _ => {
            eprintln!(
                "load: setup: container create answered {s}: {} — inspecting by name anyway; expect non-2xx",
                String::from_utf8_lossy(&body)
            );
            Ok((format!("/internal/v1/containers/{name}"), None))
        }
    }
}

async fn setup_pull(target: &Target, client: Client) -> Result<(), BoxError> {
    let mut conn = Conn::new(target.clone(), client).await?;
    let (s, body) = conn
        .send("POST", "/internal/v1/images/pull?fromImage=alpine", None)
        .await?;
    if !(200..300).contains(&s) {
        eprintln!(
            "load: setup: pull alpine answered {s}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(())
}

fn percentiles(mut v: Vec<u64>) -> Value {
    if v.is_empty() {
        return json!({"count": 0});
    }
    v.sort_unstable();
    let at = |q: f64| {
        let idx = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        v[idx] as f64 / 1_000.0
    };
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 / 1_000.0;
    json!({
        "count": v.len(),
        "p50_us": at(0.50),
        "p90_us": at(0.90),
        "p99_us": at(0.99),
        "max_us": *v.last().unwrap() as f64 / 1_000.0,
        "mean_us": (mean * 1000.0).round() / 1000.0,
    })
}

fn main() {
    let args = Args::parse();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(n);
    }
    let rt = rt.build().expect("runtime");
    let code = rt.block_on(run(args));
    std::process::exit(code);
}

async fn run(args: Args) -> i32 {
    let Some(first) = Target::from_flags(args.unix.as_ref(), args.tcp) else {
        unreachable!("clap requires one")
    };
    let mut targets = vec![first];
    targets.extend(Target::from_flags(
        args.against_unix.as_ref(),
        args.against_tcp,
    ));
    let concurrency = args.concurrency.max(1);

    // The first side on the first server; the second (if any) runs
    // `--against`'s scenario, or the same one, on the last server.
    let second = (args.against.is_some() || targets.len() > 1)
        .then(|| (args.against.unwrap_or(args.scenario), targets.len() - 1));
    let mut sides = Vec::new();
    let mut cleanup = Vec::new();
    for (scenario, target) in std::iter::once((args.scenario, 0)).chain(second) {
        match setup(scenario, &targets[target], args.client).await {
            Ok((inspect_path, cleanup_id)) => {
                sides.push(Side {
                    scenario,
                    target,
                    inspect_path,
                });
                cleanup.extend(cleanup_id.map(|id| (target, id)));
            }
            Err(e) => {
                eprintln!("load: setup against {}: {e}", targets[target]);
                return 1;
            }
        }
    }
    let sides: Arc<[Side]> = sides.into();

    // Every connection is open before the clock starts: one per worker to
    // each server.
    let mut conns = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let mut to_each = Vec::with_capacity(targets.len());
        for target in &targets {
            match Conn::new(target.clone(), args.client).await {
                Ok(c) => to_each.push(c),
                Err(e) => {
                    eprintln!("load: connecting to {target}: {e}");
                    return 1;
                }
            }
        }
        conns.push(to_each);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(concurrency + 1));
    // The control is fixed once every worker is parked at the barrier: a small
    // grace keeps the spawn cost out of the measured window.
    let begin = Instant::now() + Duration::from_millis(20);
    let record_from = begin + Duration::from_secs_f64(args.warmup.max(0.0));
    let slice = (sides.len() > 1).then(|| Duration::from_secs_f64(args.slice.max(0.001)));
    // With two sides, an even number of slices: each side's measured time
    // is half of it.
    let measured = match slice {
        Some(slice) => {
            let pairs = (args.duration.max(0.0) / (2.0 * slice.as_secs_f64())).ceil();
            slice * 2 * (pairs.max(1.0) as u32)
        }
        None => Duration::from_secs_f64(args.duration.max(0.0)),
    };
    let control = Arc::new(Control {
        record_from,
        deadline: match args.requests {
            Some(_) => None,
            None => Some(record_from + measured),
        },
        budget: args.requests.map(AtomicU64::new),
        slice,
    });
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(w, c)| {
            tokio::spawn(worker(
                c,
                w,
                Arc::clone(&sides),
                Arc::clone(&control),
                Arc::clone(&barrier),
            ))
        })
        .collect();
    tokio::time::sleep_until(begin.into()).await;
    barrier.wait().await;
    let mut stats: Vec<Stats> = sides.iter().map(|_| Stats::default()).collect();
    for h in handles {
        match h.await {
            Ok(per_side) => {
                for (total, s) in stats.iter_mut().zip(per_side) {
                    total.merge(s);
                }
            }
            Err(e) => eprintln!("load: a worker panicked: {e}"),
        }
    }
    let measure_start = record_from.max(begin);
    // Each side ran in half of the slices.
    let elapsed = measure_start.elapsed().as_secs_f64() / sides.len() as f64;

    for (target, id) in cleanup {
        if let Ok(mut c) = Conn::new(targets[target].clone(), args.client).await {
            let _ = c
                .send(
                    "DELETE",
                    &format!("/internal/v1/containers/{id}?force=1"),
                    None,
                )
                .await;
        }
    }

    let mut reports = sides.iter().zip(stats).map(|(side, stats)| {
        report(
            side.scenario,
            &targets[side.target],
            concurrency,
            elapsed,
            stats,
        )
    });
    let mut report = reports.next().unwrap_or_default();
    if let Some(against) = reports.next() {
        report["against"] = against;
    }
    if args.json {
        println!("{report}");
    } else {
        print_text(&report);
        if let Some(against) = report.get("against") {
            print_text(against);
        }
    }
    0
}

fn report(
    scenario: Scenario,
    target: &Target,
    concurrency: usize,
    elapsed: f64,
    stats: Stats,
) -> Value {
    let mut all = Vec::new();
    let mut status: BTreeMap<String, u64> = BTreeMap::new();
    let mut steps = serde_json::Map::new();
    for (name, step) in stats.steps {
        for (k, v) in &step.status {
            *status.entry(k.clone()).or_default() += v;
        }
        all.extend_from_slice(&step.latencies_ns);
        let mut p = percentiles(step.latencies_ns);
        p["status"] = json!(step.status);
        steps.insert(name.to_string(), p);
    }
    let requests = all.len() as u64;
    let ok: u64 = status
        .iter()
        .filter(|(k, _)| k.starts_with('2'))
        .map(|(_, v)| v)
        .sum();
    let transport = status.get("transport_error").copied().unwrap_or(0);
    let mut out = json!({
        "target": target.to_string(),
        "transport": match target { Target::Unix(_) => "unix", Target::Tcp(_) => "tcp" },
        "scenario": scenario.to_possible_value().map(|v| v.get_name().to_string()),
        "concurrency": concurrency,
        "elapsed_s": (elapsed * 1000.0).round() / 1000.0,
        "requests": requests,
        "requests_per_s": (requests as f64 / elapsed).round(),
        "ok_2xx": ok,
        "non_2xx": requests - ok - transport,
        "transport_errors": transport,
        "status": status,
        "latency": percentiles(all),
        "steps": steps,
    });
    if matches!(scenario, Scenario::Lifecycle | Scenario::DockerLifecycle) {
        out["lifecycles"] = json!(stats.lifecycles_ok);
        out["lifecycles_failed"] = json!(stats.lifecycles_failed);
        out["lifecycles_per_s"] =
            json!((stats.lifecycles_ok as f64 / elapsed * 10.0).round() / 10.0);
        out["lifecycle_latency"] = percentiles(stats.lifecycle.latencies_ns);
    }
    if !stats.transport_errors.is_empty() {
        out["transport_error_samples"] = json!(stats.transport_errors);
    }
    out
}

fn print_text(r: &Value) {
    println!(
        "{} {} concurrency={} elapsed={}s",
        r["scenario"].as_str().unwrap_or(""),
        r["target"].as_str().unwrap_or(""),
        r["concurrency"],
        r["elapsed_s"]
    );
    println!(
        "  requests={} req/s={} 2xx={} non-2xx={} transport-errors={}",
        r["requests"], r["requests_per_s"], r["ok_2xx"], r["non_2xx"], r["transport_errors"]
    );
    println!("  status: {}", r["status"]);
    if let Some(n) = r.get("lifecycles") {
        println!(
            "  lifecycles={} failed={} lifecycles/s={} latency p50={}us p99={}us",
            n,
            r["lifecycles_failed"],
            r["lifecycles_per_s"],
            r["lifecycle_latency"]["p50_us"],
            r["lifecycle_latency"]["p99_us"]
        );
    }
    if let Some(steps) = r["steps"].as_object() {
        for (name, s) in steps {
            println!(
                "  {name:<13} n={:<8} p50={}us p99={}us max={}us status={}",
                s["count"], s["p50_us"], s["p99_us"], s["max_us"], s["status"]
            );
        }
    }
    if r["non_2xx"].as_u64().unwrap_or(0) > 0 || r["transport_errors"].as_u64().unwrap_or(0) > 0 {
        println!(
            "  WARNING: non-2xx or transport errors above: figures are not of successful requests"
        );
    }
    if let Some(samples) = r.get("transport_error_samples") {
        println!("  transport error samples: {samples}");
    }
}
