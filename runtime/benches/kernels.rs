//! Vector kernels on one pair of 1998-dimension vectors (cache hot): every
//! implementation this CPU runs, next to the f64 scalar reference.
//! Run: `cargo bench -p runtime --bench kernels`; results in docs/benchmarks.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runtime::simd::available;
use runtime::vector::reference;
use runtime::{batch, fft, quantize};
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

    // Smaller encodings of the same vector: the chosen path (F16C / AVX2
    // where present) next to the scalar reference.
    let mut group = c.benchmark_group("encode_1998");
    group.throughput(Throughput::Elements(1998));
    let half = quantize::to_f16(&a);
    let qa = quantize::quantize_i8(&a).expect("finite").values;
    let qb = quantize::quantize_i8(&b).expect("finite").values;
    group.bench_function("to_f16/chosen", |bench| {
        bench.iter(|| quantize::to_f16(black_box(&a)))
    });
    group.bench_function("to_f16/reference", |bench| {
        bench.iter(|| {
            let mut out = vec![0u16; a.len()];
            quantize::reference::to_f16(black_box(&a), &mut out);
            out
        })
    });
    group.bench_function("from_f16/chosen", |bench| {
        bench.iter(|| quantize::from_f16(black_box(&half)))
    });
    group.bench_function("from_f16/reference", |bench| {
        bench.iter(|| {
            let mut out = vec![0f32; half.len()];
            quantize::reference::from_f16(black_box(&half), &mut out);
            out
        })
    });
    group.bench_function("quantize_i8", |bench| {
        bench.iter(|| quantize::quantize_i8(black_box(&a)))
    });
    group.bench_function("dot_i8/chosen", |bench| {
        bench.iter(|| quantize::dot_i8(black_box(&qa), black_box(&qb)))
    });
    group.bench_function("dot_i8/reference", |bench| {
        bench.iter(|| quantize::reference::dot_i8(black_box(&qa), black_box(&qb)))
    });
    group.finish();

    // One query against 1,000 rows of 1998 (8 MB: past L2, within L3 here).
    let rows = 1000;
    let block: Vec<f32> = (0..rows * 1998)
        .map(|i| ((i * 53 % 997) as f32 - 498.0) / 997.0)
        .collect();
    let mut group = c.benchmark_group("block_1000x1998");
    group.throughput(Throughput::Bytes((rows * 1998 * 4) as u64));
    group.bench_function("top10_cosine", |bench| {
        bench.iter(|| batch::top_k_cosine(black_box(&a), black_box(&block), 1998, 10))
    });
    group.bench_function("centroid", |bench| {
        bench.iter(|| batch::centroid(black_box(&block), 1998))
    });
    group.finish();

    // Fourier transforms (rustfft's AVX path where present): a real signal
    // of the embedding's length, and a power-of-two complex one.
    let mut group = c.benchmark_group("fft");
    let complex: Vec<fft::Complex32> = a
        .iter()
        .zip(&b)
        .map(|(re, im)| fft::Complex32::new(*re, *im))
        .take(1024)
        .collect();
    group.bench_function("real_1998", |bench| bench.iter(|| fft::rfft(black_box(&a))));
    group.bench_function("complex_1024", |bench| {
        bench.iter(|| fft::fft(black_box(&complex)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
