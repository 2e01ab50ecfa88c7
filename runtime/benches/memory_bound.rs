//! One query against 200,000 vectors of 1998 dimensions (1.6 GB: memory
//! bound), next to the machine's read bandwidth for the same bytes, on 1 and
//! 2 threads. Run: `cargo bench -p runtime --bench memory_bound`; results in
//! docs/benchmarks.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runtime::batch;
use std::hint::black_box;
use std::time::Duration;

const DIM: usize = 1998;
const ROWS: usize = 200_000;

/// Reads every byte once (an XOR of the bit patterns, which the compiler
/// vectorises): the read bandwidth the search can at best reach.
fn read_all(block: &[f32], threads: usize) -> u32 {
    let per = block.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = block
            .chunks(per)
            .map(|chunk| scope.spawn(move || chunk.iter().fold(0u32, |a, v| a ^ v.to_bits())))
            .collect();
        handles
            .into_iter()
            .fold(0, |a, h| a ^ h.join().expect("reader"))
    })
}

fn bench(c: &mut Criterion) {
    let block: Vec<f32> = (0..ROWS * DIM)
        .map(|i| ((i * 53 % 997) as f32 - 498.0) / 997.0)
        .collect();
    let query: Vec<f32> = (0..DIM)
        .map(|i| ((i * 37 % 1000) as f32 - 500.0) / 1000.0)
        .collect();
    let mut group = c.benchmark_group("block_200000x1998");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes((ROWS * DIM * 4) as u64));
    for threads in [1, 2] {
        group.bench_function(format!("read_bandwidth/{threads}_threads"), |b| {
            b.iter(|| read_all(black_box(&block), threads))
        });
        group.bench_function(format!("top10_cosine/{threads}_threads"), |b| {
            b.iter(|| {
                batch::top_k_cosine_parallel(black_box(&query), black_box(&block), DIM, 10, threads)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
