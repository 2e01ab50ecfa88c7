//! Vector kernels on one pair of 1998-dimension vectors (cache hot): every
//! implementation this CPU runs, next to the f64 scalar reference.
//! Run: `cargo bench -p runtime --bench kernels`; results in docs/benchmarks.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runtime::simd::available;
use runtime::vector::reference;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let a: Vec<f32> = (0..1998)
        .map(|i| ((i * 37 % 1000) as f32 - 500.0) / 1000.0)
        .collect();
    let b: Vec<f32> = (0..1998)
        .map(|i| ((i * 91 % 1000) as f32 - 500.0) / 1000.0)
        .collect();
    let mut group = c.benchmark_group("pair_1998");
    group.throughput(Throughput::Bytes((2 * 1998 * 4) as u64));
    group.bench_function("dot/reference_f64", |bench| {
        bench.iter(|| reference::dot(black_box(&a), black_box(&b)))
    });
    for k in available() {
        group.bench_function(format!("dot/{}", k.name), |bench| {
            bench.iter(|| (k.dot)(black_box(&a), black_box(&b)))
        });
        group.bench_function(format!("cosine_parts/{}", k.name), |bench| {
            bench.iter(|| (k.dot_norms)(black_box(&a), black_box(&b)))
        });
        group.bench_function(format!("squared_l2/{}", k.name), |bench| {
            bench.iter(|| (k.squared_l2)(black_box(&a), black_box(&b)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
