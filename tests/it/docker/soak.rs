//! A soak of the Docker socket: the `sockerless` binary, 64 keep-alive
//! clients and a mix of Docker API requests (`_ping`, `version`, lists,
//! inspects, create/start/stop/remove cycles, exec create, image and network
//! inspects); no 5xx, nothing left behind, and the daemon's resident memory
//! and open descriptors back near their start at the end.
//!
//!     DOCKER_SOAK_OPS=1000000 cargo test --test it docker::soak::soak_million -- --ignored --nocapture
//!
//! `DOCKER_SOAK_OPS` (default 1 000 000) and `DOCKER_SOAK_CONCURRENCY`
//! (default 64) size the long run; `a_short_soak` (2 000 requests) runs in
//! `cargo test`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use serde_json::json;

use super::common::Daemon;
use super::hijack::{fd_count, fds_settle, proc_status_kib};
use crate::common::keepalive::KeepAlive;
use crate::invariants::Rng;

/// One client's loop of mixed requests until the shared budget is spent;
/// returns how many it made.
async fn worker(socket: PathBuf, k: u64, budget: Arc<AtomicI64>) -> u64 {
    let mut conn = KeepAlive::open(&socket, "/v1.44").await;
    let mut rng = Rng::new(k.wrapping_mul(0x9e37_79b9) + 1);
    let mut done = 0u64;
    let name = format!("soak{k}");
    loop {
        if budget.fetch_sub(1, Ordering::Relaxed) < 1 {
            break;
        }
        done += 1;
        match rng.below(20) {
            0..=3 => {
                conn.call(Method::GET, "/_ping", None).await;
            }
            4 => {
                conn.call(Method::GET, "/version", None).await;
            }
            5..=6 => {
                conn.call(Method::GET, "/containers/json?all=1&limit=5", None)
                    .await;
            }
            7..=8 => {
                conn.call(Method::GET, &format!("/containers/{name}/json"), None)
                    .await;
            }
            9 => {
                let body = json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
                                  "Labels": {"soak": "1"}});
                conn.call(
                    Method::POST,
                    &format!("/containers/create?name={name}"),
                    Some(body),
                )
                .await;
            }
            10 => {
                conn.call(Method::POST, &format!("/containers/{name}/start"), None)
                    .await;
            }
            11 => {
                conn.call(Method::POST, &format!("/containers/{name}/stop?t=0"), None)
                    .await;
            }
            12 => {
                conn.call(Method::DELETE, &format!("/containers/{name}?force=1"), None)
                    .await;
            }
            13 => {
                let body = json!({"Cmd": ["echo", "hi"]});
                conn.call(
                    Method::POST,
                    &format!("/containers/{name}/exec"),
                    Some(body),
                )
                .await;
            }
            14 => {
                conn.call(Method::GET, "/images/alpine/json", None).await;
            }
            15 => {
                conn.call(Method::GET, "/networks/bridge", None).await;
            }
            16 => {
                conn.call(Method::GET, "/images/json", None).await;
            }
            17 => {
                conn.call(Method::GET, "/volumes", None).await;
            }
            18 => {
                let f = "filters=%7B%22label%22%3A%5B%22soak%3D1%22%5D%7D";
                conn.call(Method::GET, &format!("/containers/json?all=1&{f}"), None)
                    .await;
            }
            _ => {
                conn.call(Method::GET, "/containers/nosuch/json", None)
                    .await;
            }
        }
    }
    conn.call(Method::DELETE, &format!("/containers/{name}?force=1"), None)
        .await;
    done + 1
}

/// Runs `total` requests over `concurrency` clients in ten phases.
async fn soak(total: u64, concurrency: u64) {
    let d = Daemon::start_with(&["--max-connections", "4096"]);
    let s = d.socket.clone();
    let mut setup = KeepAlive::open(&s, "/v1.44").await;
    let (st, _) = setup
        .call(
            Method::POST,
            "/images/create?fromImage=alpine&tag=latest",
            None,
        )
        .await;
    assert_eq!(st, 200);
    drop(setup);
    let pid = d.pid();
    // Start figures once the setup connection is gone.
    let fds_start = {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = fd_count(pid);
            if n > 0 && (n <= 16 || Instant::now() > deadline) {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let rss_start = proc_status_kib(pid, "VmRSS");
    let mut rss_peak = rss_start;
    let started = Instant::now();
    let mut requests = 0u64;
    let phases = 10u64;
    for _ in 0..phases {
        let budget = Arc::new(AtomicI64::new((total / phases) as i64));
        let workers: Vec<_> = (0..concurrency)
            .map(|k| tokio::spawn(worker(s.clone(), k, budget.clone())))
            .collect();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut peak = 0;
                while !stop.load(Ordering::Relaxed) {
                    peak = peak.max(proc_status_kib(pid, "VmRSS"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                peak
            })
        };
        for w in workers {
            requests += w.await.expect("worker");
        }
        stop.store(true, Ordering::Relaxed);
        rss_peak = rss_peak.max(sampler.await.expect("sampler"));
    }
    let elapsed = started.elapsed();
    // Nothing left behind.
    let mut check = KeepAlive::open(&s, "/v1.44").await;
    let (_, body) = check
        .call(Method::GET, "/containers/json?all=1", None)
        .await;
    assert_eq!(
        String::from_utf8_lossy(&body).trim(),
        "[]",
        "containers left"
    );
    drop(check);
    fds_settle(&d, fds_start).await;
    let fds_end = fd_count(pid);
    let rss_end = proc_status_kib(pid, "VmRSS");
    eprintln!(
        "docker soak: {requests} requests at concurrency {concurrency} in {elapsed:.1?} \
         ({:.0} req/s); daemon RSS start {rss_start} KiB, peak {rss_peak} KiB, end {rss_end} KiB; \
         descriptors start {fds_start}, end {fds_end}",
        requests as f64 / elapsed.as_secs_f64()
    );
    assert!(requests >= total, "{requests} < {total}");
    assert!(
        rss_end < rss_start + 32 * 1024,
        "resident memory grew: {rss_start} → {rss_end} KiB"
    );
    assert!(
        fds_end <= fds_start + 2,
        "descriptors: {fds_start} → {fds_end}"
    );
}

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak() {
    soak(2_000, 64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: a million Docker API requests; run with --ignored (see the module docs)"]
async fn soak_million() {
    let total = env_u64("DOCKER_SOAK_OPS", 1_000_000);
    let concurrency = env_u64("DOCKER_SOAK_CONCURRENCY", 64);
    soak(total, concurrency).await;
}
