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
//! Default: 3 seeds × 30 rounds × 8 tasks × 12 ops. More:
//! `INVARIANT_ROUNDS=500 cargo test --release --test invariants`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sockerless::api::*;
use sockerless::{Backend, Error, MemoryBackend};
use tokio::task::JoinHandle;

/// SplitMix64: small, seeded, good enough to pick operations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
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

/// Checks every invariant on a quiescent backend.
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
    assert_eq!(
        b.runtimes().len(),
        store.containers.len(),
        "one runtime per container"
    );
    let mut names = BTreeSet::new();
    // container id → (network names, mounted volume names)
    let mut seen: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
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
        seen.insert(id, (nets, vols));
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
            let (nets, _) = seen
                .get(cid)
                .unwrap_or_else(|| panic!("network {name} lists a dead container {cid}"));
            assert!(
                nets.contains(&name),
                "network {name} lists {cid}, which does not list it back"
            );
        }
        members.insert(name, ids);
    }
    for (cid, (nets, _)) in &seen {
        for net in nets {
            let ids = members
                .get(net)
                .unwrap_or_else(|| panic!("{cid} lists a missing network {net}"));
            assert!(
                ids.contains(cid),
                "{cid} lists {net}, which does not list it"
            );
        }
    }
    // Volumes ⇔ containers.
    for vol in store.volumes.list(|_| true) {
        for cid in &vol.refs {
            let (_, vols) = seen
                .get(cid)
                .unwrap_or_else(|| panic!("volume {} referenced by dead {cid}", vol.name));
            assert!(
                vols.contains(&vol.name),
                "volume {} referenced by {cid}, which does not mount it",
                vol.name
            );
        }
    }
    for (cid, (_, vols)) in &seen {
        for v in vols {
            let rec = store
                .volumes
                .get(v)
                .unwrap_or_else(|| panic!("{cid} mounts a missing volume {v}"));
            assert!(rec.refs.contains(cid), "{cid} mounts {v}, not referenced");
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
        b.container_remove(c.id.clone(), o).await.expect("remove");
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
        .unwrap_or(30)
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
                for _ in 0..12 {
                    op(&b, &mut rng, &mut w).await;
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
