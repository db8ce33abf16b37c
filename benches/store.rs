//! Store benchmarks: the DashMap-backed `Table` under concurrent access.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use sockerless::backend::memory::table::{NameIndex, Table};

fn filled(n: usize) -> Arc<Table<u64>> {
    let t = Table::new();
    for i in 0..n {
        let _ = t.insert_new(format!("{i:064x}"), i as u64);
    }
    Arc::new(t)
}

fn reads(c: &mut Criterion) {
    let t = filled(1000);
    let keys: Vec<String> = (0..1000).map(|i| format!("{i:064x}")).collect();
    c.bench_function("table_get_1000", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % keys.len();
            t.get(&keys[i])
        })
    });
}

fn reservation(c: &mut Criterion) {
    let names = NameIndex::new();
    c.bench_function("name_reserve_release", |b| {
        b.iter(|| {
            let ok = names.reserve("web", "id").is_ok();
            names.release("web", "id");
            ok
        })
    });
}

criterion_group!(benches, reads, reservation);
criterion_main!(benches);
