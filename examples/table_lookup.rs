//! The lookup's share of goal 3: times `Table::find` by full ID, alone, at
//! 1 000 and at 100 000 records, in one process, the sizes alternating. Each
//! record is a 512-byte value (two of its cache lines are read after the
//! lookup, as an inspect reads its record) with a 2 000-byte heap buffer and
//! a 300-byte neighbour allocated beside it, so that 100 000 of them spread
//! over memory about as `examples/scale.rs`'s containers do (~3 KB each).
//! The difference between the sizes is what the hash table's cold chain
//! (control bytes, bucket, key, record) costs an inspect at 100 000: since the
//! containers' table keeps each record's cold addresses in its bucket
//! (`Table::find_warm`), that chain is all of the inspect's gap in
//! `scale --interleave` (BENCHMARKS.md, "Round nine" and "Round fourteen").
//!
//! ```text
//! cargo run --release --example table_lookup               # 3 rounds of 200 000 lookups per size
//! cargo run --release --example table_lookup -- 5          # 5 rounds
//! ```

use std::hint::black_box;
use std::time::Instant;

use sockerless_memory::table::{Resolution, Table};

/// The daemon's allocator, so that records lie in memory as the daemon's do.
#[global_allocator]
static ALLOCATOR: sockerless::allocator::Allocator = sockerless::allocator::Allocator;

/// Timed lookups per size and round (after 1 000 untimed ones).
const SAMPLES: usize = 200_000;

/// A stand-in for a container record.
#[derive(Clone)]
struct Record {
    words: [u64; 64],
    _heap: Vec<u8>,
}

/// The next number of a xorshift sequence.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// A 64-hex ID from `seed`.
fn hex_id(mut seed: u64) -> String {
    let mut id = String::with_capacity(64);
    for _ in 0..4 {
        id.push_str(&format!("{:016x}", next(&mut seed)));
    }
    id
}

/// A table of `n` records, their IDs, and the neighbours kept alive beside them.
fn filled(n: usize) -> (Table<Record>, Vec<String>, Vec<Vec<u8>>) {
    let table = Table::new();
    let mut ids = Vec::with_capacity(n);
    let mut neighbours = Vec::with_capacity(n);
    for i in 0..n {
        let id = hex_id(i as u64 * 7919 + 12345);
        let record = Record {
            words: [i as u64; 64],
            _heap: vec![1u8; 2000],
        };
        if table.insert_new(id.as_str(), record).is_ok() {
            ids.push(id);
        }
        neighbours.push(vec![0u8; 300]);
    }
    (table, ids, neighbours)
}

/// p50, p99 and mean of `SAMPLES` lookups of random IDs, in ns.
fn measure(table: &Table<Record>, ids: &[String], seed: &mut u64) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(SAMPLES + 1000);
    let mut sum = 0u64;
    for _ in 0..SAMPLES + 1000 {
        let id = ids[(next(seed) % ids.len() as u64) as usize].clone();
        let t = Instant::now();
        if let Resolution::Found(r) = table.find(&id, None) {
            sum = sum.wrapping_add(r.words[0]).wrapping_add(r.words[40]);
        }
        times.push(t.elapsed().as_nanos() as f64);
    }
    black_box(sum);
    times.drain(..1000);
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (times[times.len() / 2], times[times.len() * 99 / 100], mean)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let small = filled(1_000);
    let large = filled(100_000);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    println!("| round | records | find p50 ns | find p99 ns | mean ns |");
    println!("|---:|---:|---:|---:|---:|");
    for round in 1..=rounds {
        for (table, ids, _) in [&small, &large] {
            let (p50, p99, mean) = measure(table, ids, &mut seed);
            println!(
                "| {round} | {} | {p50:.0} | {p99:.0} | {mean:.0} |",
                ids.len()
            );
        }
    }
}
