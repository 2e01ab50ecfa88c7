//! Space-filling curve keys: the chosen path (BMI2 PDEP/PEXT where fast),
//! the portable shifts, and the bit-at-a-time reference, over 4,096 points.
//! Run: `cargo bench -p runtime --bench curves`; results in docs/benchmarks.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runtime::spatial::{self, AXIS_BITS, MAX_COORDINATE, reference};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let points: Vec<[u32; 3]> = (0u64..4096)
        .map(|i| {
            let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            [h as u32, (h >> 21) as u32, (h >> 42) as u32].map(|v| v & MAX_COORDINATE)
        })
        .collect();
    let keys: Vec<u64> = points.iter().map(|p| spatial::hilbert_encode(*p)).collect();
    let mut group = c.benchmark_group("curves_4096");
    group.throughput(Throughput::Elements(points.len() as u64));
    macro_rules! case {
        ($name:expr, $input:expr, |$x:ident| $call:expr) => {
            group.bench_function($name, |b| {
                b.iter(|| {
                    black_box($input)
                        .iter()
                        .map(|$x| $call)
                        .fold(0u64, |acc, k| acc ^ black_box(k).into_key())
                })
            });
        };
    }
    case!("hilbert_encode/chosen", &points, |p| {
        spatial::hilbert_encode(*p)
    });
    case!("hilbert_encode/reference", &points, |p| {
        reference::hilbert_encode_order(*p, AXIS_BITS)
    });
    case!("hilbert_decode/chosen", &keys, |k| spatial::hilbert_decode(
        *k
    ));
    case!("hilbert_decode/reference", &keys, |k| {
        reference::hilbert_decode_order(*k, AXIS_BITS)
    });
    case!("morton_encode/chosen", &points, |p| spatial::morton_encode(
        *p
    ));
    case!("morton_encode/shifts", &points, |p| {
        reference::morton_encode_shifts(*p)
    });
    case!("morton_encode/reference", &points, |p| {
        reference::morton_encode(*p)
    });
    case!("morton_decode/chosen", &keys, |k| spatial::morton_decode(
        *k
    ));
    case!("morton_decode/shifts", &keys, |k| {
        reference::morton_decode_shifts(*k)
    });
    case!("morton_decode/reference", &keys, |k| {
        reference::morton_decode(*k)
    });
    group.finish();
}

/// Folds a key or a point into one word, so nothing is optimised away.
trait IntoKey {
    fn into_key(self) -> u64;
}
impl IntoKey for u64 {
    fn into_key(self) -> u64 {
        self
    }
}
impl IntoKey for [u32; 3] {
    fn into_key(self) -> u64 {
        self[0] as u64 ^ ((self[1] as u64) << 21) ^ ((self[2] as u64) << 42)
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
