//! The machine's own tail: times a fixed busy loop of a few lengths, 200 000
//! times each, and prints the quantiles. The loop does the same work every
//! time (no allocation, no memory beyond registers, no system call), so any
//! spread in its times is the machine's: interrupts, the hypervisor taking the
//! core away, frequency changes. Read beside `examples/scale.rs`'s inspect
//! quantiles (BENCHMARKS.md, goal 3): on a virtual machine that stalls the
//! core for tens of microseconds about once a millisecond, any operation that
//! takes 10 µs or more has a p99 set by those stalls, whatever it does.
//!
//! ```text
//! cargo run --release --example stalls                      # 1, 3, 5, 7, 10, 15 and 20 µs loops
//! cargo run --release --example stalls -- 2 4 8             # loops of about these many µs
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Samples per loop length.
const SAMPLES: usize = 200_000;

/// One pass of the busy loop: `iterations` dependent additions.
fn spin(iterations: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..iterations {
        sum = black_box(sum.wrapping_add(i));
    }
    sum
}

/// Iterations of [`spin`] that take about `micros` µs on this machine
/// (calibrated over 20 ms, the fastest of five tries).
fn calibrate(micros: f64) -> u64 {
    let probe = 1_000_000u64;
    let fastest = (0..5)
        .map(|_| {
            let t = Instant::now();
            black_box(spin(probe));
            t.elapsed()
        })
        .min()
        .unwrap_or(Duration::from_millis(1));
    let per_iteration = fastest.as_secs_f64() * 1e6 / probe as f64;
    (micros / per_iteration).max(1.0) as u64
}

fn main() {
    let targets: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let targets = if targets.is_empty() {
        vec![1.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0]
    } else {
        targets
    };
    println!("| loop µs | p50 | p90 | p98 | p99 | p99.5 | p99.9 | share > p50 + 10 µs |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for target in targets {
        let iterations = calibrate(target);
        let mut times: Vec<f64> = (0..SAMPLES)
            .map(|_| {
                let t = Instant::now();
                black_box(spin(iterations));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        times.sort_unstable_by(f64::total_cmp);
        let at = |q: f64| times[((q * SAMPLES as f64) as usize).min(SAMPLES - 1)];
        let p50 = at(0.5);
        let stalled = times.iter().filter(|&&t| t > p50 + 10.0).count();
        println!(
            "| {target} | {p50:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} % |",
            at(0.9),
            at(0.98),
            at(0.99),
            at(0.995),
            at(0.999),
            stalled as f64 * 100.0 / SAMPLES as f64
        );
    }
}
