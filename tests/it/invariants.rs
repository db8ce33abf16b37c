//! State invariants under random operation sequences, issued concurrently from
//! several tasks on a multi-thread runtime straight onto a `MemoryBackend`
//! through the `Backend` trait. After every round (all tasks joined) the state
//! must be consistent:
//!
//! - every network member exists and lists the network back, and every
//!   network a container lists exists and lists the container;
//! - every volume reference names a live container that mounts the volume, and
//!   every mounted named volume references its container;
//! - container names are unique, the name index matches the table;
//! - Running ⇔ Pid > 0;
//! - one runtime per container (no stream or waiter state outlives one);
//! - no operation fails with a 5xx.
//!
//! At the end everything is removed: the tables are back to the predefined
//! networks, no runtime is left, every `wait?condition=removed` future and
//! every followed log stream has ended.
//!
//! Default: 3 seeds × 150 rounds × 8 tasks × 12 ops. More:
//! `INVARIANT_ROUNDS=500 cargo test --release --test it invariants::`.

use sockerless::backend::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sockerless::api::*;
use sockerless::{Error, MemoryBackend};
use tokio::task::JoinHandle;

/// SplitMix64: small, seeded, good enough to pick operations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn from<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("request shape")
}

const CONTAINERS: &[&str] = &["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];
const NETWORKS: &[&str] = &["n0", "n1", "n2", "bridge"];
const VOLUMES: &[&str] = &["v0", "v1", "v2"];

/// Background tasks that must end once their container is gone.
#[derive(Default)]
struct Watchers {
    waits: Vec<JoinHandle<()>>,
    streams: Vec<JoinHandle<()>>,
}

/// Operations that succeeded (the rest failed with a 4xx).
static SUCCEEDED: AtomicUsize = AtomicUsize::new(0);

/// A failure is fine unless it is a 5xx.
fn check(op: &str, r: Result<(), Error>) {
    if r.is_ok() {
        SUCCEEDED.fetch_add(1, Ordering::Relaxed);
    }
    if let Err(e) = r {
        let status = e.status().as_u16();
        assert!(status < 500, "{op}: {status} {e}");
    }
}

/// One random operation.
async fn op(b: &Arc<MemoryBackend>, rng: &mut Rng, w: &mut Watchers) -> &'static str {
    let c = rng.pick(CONTAINERS).to_string();
    let n = rng.pick(NETWORKS).to_string();
    let v = rng.pick(VOLUMES).to_string();
    match rng.below(17) {
        0..=2 => {
            let cmd = match rng.below(4) {
                0 => json!(["sleep", "infinity"]),
                1 => json!(["true"]),
                2 => json!(["sh", "-c", "echo hi; exit 3"]),
                _ => json!(["sh", "-c", "sleep 0.01"]),
            };
            let mut host = json!({});
            if rng.chance(50) {
                host["Binds"] = json!([format!("{v}:/data")]);
            }
            if rng.chance(30) {
                host["NetworkMode"] = json!(n);
            }
            let body: ContainerCreateBody =
                from(json!({"Image": "alpine", "Cmd": cmd, "HostConfig": host}));
            check(
                "create",
                b.container_create(Some(c), body).await.map(|_| ()),
            );
            "create"
        }
        3 | 4 => {
            check("start", b.container_start(c).await);
            "start"
        }
        5 => {
            let o = StopOptions {
                timeout: Some(0),
                signal: None,
            };
            check("stop", b.container_stop(c, o).await);
            "stop"
        }
        6 => {
            let sig = rng.pick(&[None, Some("SIGTERM"), Some("SIGHUP"), Some("SIGUSR1")]);
            check("kill", b.container_kill(c, sig.map(str::to_string)).await);
            "kill"
        }
        7 => {
            let o = ContainerRemoveOptions {
                force: rng.chance(70),
                volumes: rng.chance(50),
                link: false,
            };
            check("remove", b.container_remove(c, o).await);
            "remove"
        }
        8 => {
            let req = from(json!({"Container": c}));
            check("connect", b.network_connect(n, req).await);
            "connect"
        }
        9 => {
            let req = from(json!({"Container": c, "Force": rng.chance(50)}));
            check("disconnect", b.network_disconnect(n, req).await);
            "disconnect"
        }
        10 => {
            let req = from(json!({"Name": v}));
            check("volume create", b.volume_create(req).await.map(|_| ()));
            "volume create"
        }
        11 => {
            let o = VolumeRemoveOptions {
                force: rng.chance(30),
            };
            check("volume remove", b.volume_remove(v, o).await);
            "volume remove"
        }
        12 => {
            let req = from(json!({"Name": n}));
            check("network create", b.network_create(req).await.map(|_| ()));
            "network create"
        }
        13 => {
            check("network remove", b.network_remove(n).await);
            "network remove"
        }
        14 => {
            if rng.chance(50) {
                check("pause", b.container_pause(c).await);
            } else {
                check("unpause", b.container_unpause(c).await);
            }
            "pause"
        }
        15 => match b.container_wait(c, WaitCondition::Removed).await {
            Ok(fut) => {
                w.waits.push(tokio::spawn(async move {
                    let _ = fut.await;
                }));
                "wait"
            }
            Err(e) => {
                check("wait", Err(e));
                "wait"
            }
        },
        _ => {
            let o = LogsOptions {
                stdout: true,
                stderr: true,
                follow: true,
                ..LogsOptions::default()
            };
            match b.container_logs(c, o).await {
                Ok(mut s) => {
                    w.streams.push(tokio::spawn(
                        async move { while s.next().await.is_some() {} },
                    ));
                }
                Err(e) => check("logs", Err(e)),
            }
            "logs"
        }
    }
}

/// A container's `State.StartedAt` now (null when it is gone).
async fn started_at(b: &Arc<MemoryBackend>, id: &str) -> Value {
    match b.container_inspect(id.to_string()).await {
        Ok(i) => serde_json::to_value(i.state).expect("json")["StartedAt"].clone(),
        Err(_) => Value::Null,
    }
}

/// Whether a container still runs the run that started at `run`.
async fn runs_since(b: &Arc<MemoryBackend>, id: &str, run: &Value) -> bool {
    match b.container_inspect(id.to_string()).await {
        Ok(i) => {
            let state = serde_json::to_value(i.state).expect("json");
            state["Running"] == true && state["StartedAt"] == *run
        }
        Err(_) => false,
    }
}

/// Checks every invariant on a quiescent backend (processes may still end).
async fn check_invariants(b: &Arc<MemoryBackend>) {
    let list = b
        .container_list(ContainerListOptions {
            all: true,
            ..ContainerListOptions::default()
        })
        .await
        .expect("list");
    let store = b.store();
    assert_eq!(list.len(), store.containers.len(), "list vs table");
    assert_eq!(
        store.container_names.len(),
        store.containers.len(),
        "name index vs table"
    );
    // A runtime is made at a container's first start, attach, wait or logs.
    assert!(
        b.runtimes().len() <= store.containers.len(),
        "at most one runtime per container"
    );
    let mut names = BTreeSet::new();
    // container id → (network names, mounted volume names, running, run)
    let mut seen: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>, bool, Value)> =
        BTreeMap::new();
    for summary in &list {
        let id = summary.id.clone().expect("id");
        let inspect = match b.container_inspect(id.clone()).await {
            Ok(i) => serde_json::to_value(i).expect("json"),
            Err(e) => panic!("listed container {id} does not inspect: {e}"),
        };
        let name = inspect["Name"].as_str().expect("name").to_string();
        assert!(names.insert(name.clone()), "duplicate name {name}");
        let state = &inspect["State"];
        let running = state["Running"].as_bool().expect("running");
        let pid = state["Pid"].as_i64().expect("pid");
        assert_eq!(running, pid > 0, "{name}: Running {running} but Pid {pid}");
        let nets: BTreeSet<String> = inspect["NetworkSettings"]["Networks"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let vols: BTreeSet<String> = inspect["Mounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["Type"] == "volume")
            .filter_map(|m| m["Name"].as_str().map(str::to_string))
            .collect();
        seen.insert(id, (nets, vols, running, state["StartedAt"].clone()));
    }
    // Networks ⇔ containers.
    let networks = b.network_list(Filters::default()).await.expect("networks");
    assert_eq!(networks.len(), store.networks.len());
    assert_eq!(store.network_names.len(), store.networks.len());
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for n in networks {
        let id = n.id.clone().expect("id");
        let inspect =
            serde_json::to_value(b.network_inspect(id).await.expect("inspect")).expect("json");
        let name = inspect["Name"].as_str().expect("name").to_string();
        let ids: BTreeSet<String> = inspect["Containers"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for cid in &ids {
            let (nets, _, running, run) = seen
                .get(cid)
                .unwrap_or_else(|| panic!("network {name} lists a dead container {cid}"));
            assert!(
                nets.contains(&name),
                "network {name} lists {cid}, which does not list it back"
            );
            // Processes start and end while this runs: only a container that
            // has not started since it was seen stopped must not be listed.
            assert!(
                *running || started_at(b, cid).await != *run,
                "network {name} lists {cid}, which is not running"
            );
        }
        members.insert(name, ids);
    }
    // A running container is a member of every network it names (Docker has
    // endpoints only while a container runs).
    for (cid, (nets, _, _, run)) in seen.iter().filter(|(_, (_, _, running, _))| *running) {
        for net in nets {
            let ids = members
                .get(net)
                .unwrap_or_else(|| panic!("{cid} lists a missing network {net}"));
            // (unless its process ended since it was seen running)
            assert!(
                ids.contains(cid) || !runs_since(b, cid, run).await,
                "{cid} lists {net}, which does not list it"
            );
        }
    }
    // Volumes ⇔ containers.
    for vol in store.volumes.list(|_| true) {
        for cid in &vol.refs {
            let (_, vols, _, _) = seen
                .get(cid.as_str())
                .unwrap_or_else(|| panic!("volume {} referenced by dead {cid}", vol.name));
            assert!(
                vols.contains(&vol.name),
                "volume {} referenced by {cid}, which does not mount it",
                vol.name
            );
        }
    }
    for (cid, (_, vols, _, _)) in &seen {
        for v in vols {
            let rec = store
                .volumes
                .get(v)
                .unwrap_or_else(|| panic!("{cid} mounts a missing volume {v}"));
            assert!(
                rec.refs.contains(cid.as_str()),
                "{cid} mounts {v}, not referenced"
            );
        }
    }
    // An exec belongs to a live container.
    for e in store.execs.list(|_| true) {
        let e = serde_json::to_value(b.exec_inspect(e.id.clone()).await.expect("exec inspect"))
            .expect("json");
        let cid = e["ContainerID"].as_str().expect("container id");
        assert!(seen.contains_key(cid), "exec of a dead container {cid}");
    }
}

/// Removes everything and checks the backend is back to its start-up state.
async fn remove_everything(b: &Arc<MemoryBackend>, w: Watchers) {
    for c in b.store().containers.list(|_| true) {
        let o = ContainerRemoveOptions {
            force: true,
            volumes: true,
            link: false,
        };
        b.container_remove(c.id.to_string(), o)
            .await
            .expect("remove");
    }
    for n in ["n0", "n1", "n2"] {
        let _ = b.network_remove(n.to_string()).await;
    }
    for v in b.store().volumes.list(|_| true) {
        b.volume_remove(v.name.clone(), VolumeRemoveOptions { force: true })
            .await
            .expect("volume remove");
    }
    let store = b.store();
    assert_eq!(store.containers.len(), 0);
    assert_eq!(store.container_names.len(), 0);
    assert_eq!(store.volumes.len(), 0);
    assert_eq!(store.execs.len(), 0);
    assert_eq!(store.networks.len(), 3, "only the predefined networks");
    assert_eq!(b.runtimes().len(), 0, "runtimes left");
    // Every waiter and stream ends once its container is gone.
    let all = w.waits.into_iter().chain(w.streams);
    for h in all {
        tokio::time::timeout(Duration::from_secs(10), h)
            .await
            .expect("a waiter or stream outlived its container")
            .expect("task");
    }
}

async fn pull(b: &Arc<MemoryBackend>) {
    let mut s = b
        .image_pull(PullOptions {
            from_image: "alpine".into(),
            ..PullOptions::default()
        })
        .await
        .expect("pull");
    while s.next().await.is_some() {}
}

fn rounds() -> usize {
    std::env::var("INVARIANT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

async fn run_seed(seed: u64) -> usize {
    let b = MemoryBackend::new();
    pull(&b).await;
    let mut ops = 0;
    let mut watchers = Watchers::default();
    for round in 0..rounds() {
        let mut tasks = Vec::new();
        for t in 0..8u64 {
            let b = b.clone();
            let mut rng = Rng::new(seed ^ (round as u64) << 16 ^ t);
            tasks.push(tokio::spawn(async move {
                let mut w = Watchers::default();
                for i in 0..12 {
                    let mut probe = Rng::new(rng.0);
                    let c = probe.below(CONTAINERS.len() as u64);
                    probe.below(NETWORKS.len() as u64);
                    probe.below(VOLUMES.len() as u64);
                    let what = probe.below(17);
                    let t0 = std::time::Instant::now();
                    let r = tokio::time::timeout(Duration::from_secs(20), op(&b, &mut rng, &mut w))
                        .await;
                    // No operation of the mix waits on a timer: stop uses t=0.
                    // A slow one is a missed wake-up (found: kill/stop racing a
                    // concurrent start waited 5 s for a run that had ended).
                    let took = t0.elapsed();
                    if r.is_ok() && took > Duration::from_secs(3) {
                        let name = CONTAINERS[c as usize].to_string();
                        let st = b
                            .container_inspect(name)
                            .await
                            .ok()
                            .map(|i| serde_json::to_value(i.state).expect("json"));
                        panic!("operation kind {what} took {took:?}; state {st:?}");
                    }
                    if r.is_err()
                    {
                        let state = b
                            .container_inspect(CONTAINERS[c as usize].to_string())
                            .await
                            .ok()
                            .map(|i| serde_json::to_value(i.state).expect("json"));
                        panic!(
                            "seed {seed} round {round} task {t} op {i}: operation kind {what} on {} hung; state {state:?}",
                            CONTAINERS[c as usize]
                        );
                    }
                }
                w
            }));
        }
        for t in tasks {
            let w = t.await.expect("ops task");
            watchers.waits.extend(w.waits);
            watchers.streams.extend(w.streams);
            ops += 12;
        }
        check_invariants(&b).await;
    }
    remove_everything(&b, watchers).await;
    ops
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_concurrent_operations_keep_the_invariants() {
    let started = std::time::Instant::now();
    let mut total = 0;
    for seed in [1u64, 0xdead_beef, 42] {
        total += run_seed(seed).await;
    }
    let ok = SUCCEEDED.load(Ordering::Relaxed);
    eprintln!(
        "invariants: {total} operations ({ok} succeeded) in {:.1?}",
        started.elapsed()
    );
    assert!(
        ok * 4 > total,
        "too few operations succeeded: {ok} of {total}"
    );
}

// ---------------------------------------------------------------------------
// Soak: a million mixed HTTP requests at concurrency 64 against a real server
// (over its Unix socket), invariants checked between phases, then everything
// removed and the process's resident memory compared with its start.
//
//     cargo test --release --test it invariants::soak -- --ignored --nocapture
//
// `SOAK_OPS` (default 1 000 000) and `SOAK_CONCURRENCY` (default 64) size it.

use http::Method;
use std::sync::atomic::AtomicI64;

use crate::common::keepalive::KeepAlive;

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One worker's loop of mixed operations until the shared budget is spent.
async fn soak_worker(socket: std::path::PathBuf, k: u64, budget: Arc<AtomicI64>) -> u64 {
    let mut conn = KeepAlive::open(&socket, crate::common::BASE).await;
    let mut rng = Rng::new(k.wrapping_mul(0x9e37_79b9));
    let mut done = 0u64;
    let net = format!("sn{}", k % 4);
    let vol = format!("sv{}", k % 4);
    loop {
        let name = format!("w{k}-{}", rng.below(3));
        let steps = 1 + rng.below(3);
        if budget.fetch_sub(steps as i64, Ordering::Relaxed) < steps as i64 {
            break;
        }
        for _ in 0..steps {
            done += 1;
            match rng.below(20) {
                0..=2 => {
                    let cmd = if rng.chance(70) {
                        json!(["sleep", "infinity"])
                    } else {
                        json!(["sh", "-c", "echo out; echo err >&2; exit 1"])
                    };
                    let mut host = json!({});
                    if rng.chance(30) {
                        host["Binds"] = json!([format!("{vol}:/data")]);
                    }
                    conn.call(
                        Method::POST,
                        &format!("/containers?name={name}"),
                        Some(json!({"Image": "alpine", "Cmd": cmd, "HostConfig": host,
                                    "Labels": {"soak": "1"}})),
                    )
                    .await;
                }
                3 | 4 => {
                    conn.call(Method::POST, &format!("/containers/{name}/start"), None)
                        .await;
                }
                5 => {
                    conn.call(Method::GET, &format!("/containers/{name}"), None)
                        .await;
                }
                6 => {
                    conn.call(
                        Method::GET,
                        "/containers?all=1&limit=5&filters=%7B%22label%22:[%22soak=1%22]%7D",
                        None,
                    )
                    .await;
                }
                7 => {
                    conn.call(
                        Method::GET,
                        &format!("/containers/{name}/logs?stdout=1&stderr=1&tail=5"),
                        None,
                    )
                    .await;
                }
                8 => {
                    conn.call(
                        Method::POST,
                        &format!("/containers/{name}/exec"),
                        Some(json!({"Cmd": ["echo", "hi"]})),
                    )
                    .await;
                }
                9 => {
                    conn.call(
                        Method::POST,
                        &format!("/networks/{net}/connect"),
                        Some(json!({"Container": name})),
                    )
                    .await;
                }
                10 => {
                    conn.call(
                        Method::POST,
                        &format!("/networks/{net}/disconnect"),
                        Some(json!({"Container": name, "Force": true})),
                    )
                    .await;
                }
                11 => {
                    let path = if rng.chance(50) {
                        format!("/containers/{name}/stop?t=0")
                    } else {
                        format!("/containers/{name}/kill")
                    };
                    conn.call(Method::POST, &path, None).await;
                }
                12..=14 => {
                    conn.call(
                        Method::DELETE,
                        &format!("/containers/{name}?force=1&v=1"),
                        None,
                    )
                    .await;
                }
                15 => {
                    let v = format!("own{k}");
                    conn.call(Method::POST, "/volumes", Some(json!({"Name": v})))
                        .await;
                    conn.call(Method::DELETE, &format!("/volumes/{v}"), None)
                        .await;
                    done += 1;
                }
                16 => {
                    conn.call(Method::GET, "/info", None).await;
                }
                17 => {
                    conn.call(Method::GET, &format!("/networks/{net}"), None)
                        .await;
                }
                18 => {
                    conn.call(Method::GET, "/images/alpine", None).await;
                }
                _ => {
                    conn.call(Method::GET, "/volumes", None).await;
                }
            }
        }
    }
    // Leave nothing behind.
    for i in 0..3 {
        conn.call(
            Method::DELETE,
            &format!("/containers/w{k}-{i}?force=1&v=1"),
            None,
        )
        .await;
        done += 1;
    }
    done
}

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: a million requests; run with --release --ignored"]
async fn soak() {
    let total = env_u64("SOAK_OPS", 1_000_000);
    let concurrency = env_u64("SOAK_CONCURRENCY", 64);
    let phases = 10u64;
    let backend = MemoryBackend::new();
    let server = crate::common::TestServer::with_backend(
        backend.clone(),
        sockerless::http::ServeOptions::default(),
    )
    .await;
    let mut setup = KeepAlive::open(&server.socket, crate::common::BASE).await;
    setup
        .call(Method::POST, "/images/pull?fromImage=alpine", None)
        .await;
    for i in 0..4 {
        setup
            .call(
                Method::POST,
                "/networks",
                Some(json!({"Name": format!("sn{i}")})),
            )
            .await;
        setup
            .call(
                Method::POST,
                "/volumes",
                Some(json!({"Name": format!("sv{i}")})),
            )
            .await;
    }
    let tasks_start = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let rss_start = rss_kib();
    let mut rss_peak = rss_start;
    let started = std::time::Instant::now();
    let mut ops = 0u64;
    for phase in 0..phases {
        let budget = Arc::new(AtomicI64::new((total / phases) as i64));
        let mut workers = Vec::new();
        for k in 0..concurrency {
            workers.push(tokio::spawn(soak_worker(
                server.socket.clone(),
                k,
                budget.clone(),
            )));
        }
        let sampler = {
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let s = stop.clone();
            let h = tokio::spawn(async move {
                let mut peak = 0;
                while !s.load(Ordering::Relaxed) {
                    peak = peak.max(rss_kib());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                peak
            });
            (stop, h)
        };
        for w in workers {
            ops += w.await.expect("worker");
        }
        sampler.0.store(true, Ordering::Relaxed);
        rss_peak = rss_peak.max(sampler.1.await.expect("sampler"));
        check_invariants(&backend).await;
        assert_eq!(
            backend.store().containers.len(),
            0,
            "phase {phase} left containers"
        );
        eprintln!(
            "soak phase {phase}: {ops} requests, {:.1?}, rss {} MiB",
            started.elapsed(),
            rss_kib() / 1024
        );
    }
    let elapsed = started.elapsed();
    // The setup connection sat idle through the phases; past the header-read
    // timeout the server has closed it (as it should), so open a fresh one.
    drop(setup);
    let mut setup = KeepAlive::open(&server.socket, crate::common::BASE).await;
    // Remove what the setup made, then everything must be gone.
    for i in 0..4 {
        setup
            .call(Method::DELETE, &format!("/networks/sn{i}"), None)
            .await;
        setup
            .call(Method::DELETE, &format!("/volumes/sv{i}"), None)
            .await;
    }
    setup.call(Method::DELETE, "/images/alpine", None).await;
    let store = backend.store();
    assert_eq!(store.containers.len(), 0);
    assert_eq!(store.container_names.len(), 0);
    assert_eq!(store.execs.len(), 0);
    assert_eq!(store.volumes.len(), 0);
    assert_eq!(store.images.len(), 0);
    assert_eq!(store.networks.len(), 3);
    assert_eq!(backend.runtimes().len(), 0, "runtimes left");
    drop(setup);
    // Connection tasks of the workers end once the server sees them close.
    let handle = tokio::runtime::Handle::current();
    crate::common::eventually(Duration::from_secs(10), || {
        let n = handle.metrics().num_alive_tasks();
        async move { (n <= tasks_start + 2).then_some(()) }
    })
    .await;
    let rss_end = rss_kib();
    // glibc keeps freed memory in its arenas; trimming shows what is really live.
    unsafe {
        libc::malloc_trim(0);
    }
    let rss_trimmed = rss_kib();
    eprintln!(
        "soak: {ops} requests at concurrency {concurrency} in {elapsed:.1?} ({:.0} req/s); \
         rss start {} KiB, peak {} KiB, end {} KiB, end after malloc_trim {} KiB; \
         alive tasks start {tasks_start}, end {}",
        ops as f64 / elapsed.as_secs_f64(),
        rss_start,
        rss_peak,
        rss_end,
        rss_trimmed,
        handle.metrics().num_alive_tasks(),
    );
    assert!(ops >= total, "{ops} < {total}");
    assert!(
        rss_trimmed < rss_start + 32 * 1024,
        "resident memory grew: {rss_start} → {rss_trimmed} KiB"
    );
    server.stop().await;
}
