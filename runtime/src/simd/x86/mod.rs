//! AVX2 + FMA kernels: 32 floats per iteration in four independent 8-lane
//! accumulators (hiding FMA latency), unaligned loads, a scalar tail.

mod elementwise;

use super::{Kernels, portable};
use crate::vector::reference;
use std::arch::x86_64::*;

/// The AVX2 + FMA kernels, if this CPU has both.
pub fn avx2_fma() -> Option<Kernels> {
    (std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")).then_some(
        Kernels {
            name: "avx2+fma",
            dot_norms,
            dot,
            sum_squares,
            squared_l2,
            dot_and_squares,
            add,
            subtract,
            scale,
            scale_f64,
            lerp,
            accumulate,
            welford,
            accumulate_scaled,
            axpy_f64,
            max,
            position_of,
            exp_shifted,
        },
    )
}

/// Below these lengths the safe entry points answer with the scalar code:
/// setting up and reducing vector accumulators costs more than the few
/// elements (measured by `benches/versus_reference`).
const SHORT_REDUCTION: usize = 16;
const SHORT_MAP: usize = 32;

// Safe entry points: only reachable through `avx2_fma()`, which checked the
// CPU first, so each `unsafe` call below has its target features.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::dot(a, b);
    }
    unsafe { dot_avx2(a, b) }
}
fn sum_squares(a: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::sum_squares(a);
    }
    unsafe { dot_avx2(a, a) }
}
fn dot_norms(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    if a.len() < SHORT_REDUCTION {
        return portable::dot_norms(a, b);
    }
    unsafe { dot_norms_avx2(a, b) }
}
fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::squared_l2(a, b);
    }
    unsafe { squared_l2_avx2(a, b) }
}
fn dot_and_squares(a: &[f32], b: &[f32]) -> (f64, f64) {
    if a.len() < SHORT_REDUCTION {
        return portable::dot_and_squares(a, b);
    }
    unsafe { dot_and_squares_avx2(a, b) }
}
fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    if a.len() < SHORT_MAP {
        return reference::add(a, b, out);
    }
    unsafe { elementwise::add(a, b, out) }
}
fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
    if a.len() < SHORT_MAP {
        return reference::subtract(a, b, out);
    }
    unsafe { elementwise::subtract(a, b, out) }
}
fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
    if a.len() < SHORT_MAP {
        return reference::scale(a, factor, out);
    }
    unsafe { elementwise::scale(a, factor, out) }
}
fn scale_f64(values: &mut [f32], factor: f64) {
    if values.len() < SHORT_MAP {
        return reference::scale_f64(values, factor);
    }
    unsafe { elementwise::scale_f64(values, factor) }
}
fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
    if a.len() < SHORT_MAP {
        return reference::lerp(a, b, t, out);
    }
    unsafe { elementwise::lerp(a, b, t, out) }
}
fn accumulate(sums: &mut [f64], x: &[f32]) {
    if x.len() < SHORT_MAP {
        return reference::accumulate(sums, x);
    }
    unsafe { elementwise::accumulate(sums, x) }
}
fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
    if x.len() < SHORT_MAP {
        return reference::accumulate_scaled(sums, x, w);
    }
    unsafe { elementwise::accumulate_scaled(sums, x, w) }
}
fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
    if x.len() < SHORT_MAP {
        return reference::axpy_f64(y, a, x);
    }
    unsafe { elementwise::axpy_f64(y, a, x) }
}
fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
    if x.len() < SHORT_MAP {
        return reference::welford(mean, m2, x, inv_count);
    }
    unsafe { elementwise::welford(mean, m2, x, inv_count) }
}
fn max(a: &[f32]) -> f32 {
    if a.len() < SHORT_REDUCTION {
        return reference::max(a);
    }
    unsafe { elementwise::max(a) }
}
fn position_of(a: &[f32], value: f32) -> Option<usize> {
    unsafe { elementwise::position_of(a, value) }
}
fn exp_shifted(a: &[f32], shift: f32, out: &mut [f32]) -> f64 {
    unsafe { elementwise::exp_shifted(a, shift, out) }
}

/// Σ aᵢbᵢ and Σ bᵢ²: 32 floats per step in four independent accumulators
/// each, two loads and two FMAs per 8 floats.
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_and_squares_avx2(a: &[f32], b: &[f32]) -> (f64, f64) {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let zero = _mm256_setzero_ps();
    let (mut d, mut nb) = ([zero; 4], [zero; 4]);
    let mut i = 0;
    // SAFETY (all loads): i + 8·k + 8 <= n for every load below.
    unsafe {
        while i + 32 <= n {
            for k in 0..4 {
                let x = _mm256_loadu_ps(pa.add(i + 8 * k));
                let y = _mm256_loadu_ps(pb.add(i + 8 * k));
                d[k] = _mm256_fmadd_ps(x, y, d[k]);
                nb[k] = _mm256_fmadd_ps(y, y, nb[k]);
            }
            i += 32;
        }
        while i + 8 <= n {
            let x = _mm256_loadu_ps(pa.add(i));
            let y = _mm256_loadu_ps(pb.add(i));
            d[0] = _mm256_fmadd_ps(x, y, d[0]);
            nb[0] = _mm256_fmadd_ps(y, y, nb[0]);
            i += 8;
        }
    }
    let mut out = (reduce(d), reduce(nb));
    for (x, y) in a[i..n].iter().zip(&b[i..n]) {
        out.0 += (*x * *y) as f64;
        out.1 += (*y * *y) as f64;
    }
    out
}

/// Σ of the 32 lanes in f64: each accumulator widened and added as four
/// f64 lanes, then those four.
#[target_feature(enable = "avx2,fma")]
fn reduce(acc: [__m256; 4]) -> f64 {
    let mut sum = _mm256_setzero_pd();
    for v in acc {
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(v)));
    }
    let pair = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd::<1>(sum));
    _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
}

#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 8·k + 8 <= n for every load below.
    unsafe {
        while i + 32 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let x = _mm256_loadu_ps(pa.add(i + 8 * k));
                let y = _mm256_loadu_ps(pb.add(i + 8 * k));
                *slot = _mm256_fmadd_ps(x, y, *slot);
            }
            i += 32;
        }
        while i + 8 <= n {
            acc[0] = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i)),
                _mm256_loadu_ps(pb.add(i)),
                acc[0],
            );
            i += 8;
        }
    }
    reduce(acc)
        + a[i..n]
            .iter()
            .zip(&b[i..n])
            .map(|(x, y)| (*x * *y) as f64)
            .sum::<f64>()
}

#[target_feature(enable = "avx2,fma")]
unsafe fn dot_norms_avx2(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let zero = _mm256_setzero_ps();
    let (mut d, mut na, mut nb) = ([zero; 4], [zero; 4], [zero; 4]);
    let mut i = 0;
    unsafe {
        while i + 16 <= n {
            for k in 0..2 {
                let x = _mm256_loadu_ps(pa.add(i + 8 * k));
                let y = _mm256_loadu_ps(pb.add(i + 8 * k));
                d[k] = _mm256_fmadd_ps(x, y, d[k]);
                na[k] = _mm256_fmadd_ps(x, x, na[k]);
                nb[k] = _mm256_fmadd_ps(y, y, nb[k]);
            }
            i += 16;
        }
        while i + 8 <= n {
            let x = _mm256_loadu_ps(pa.add(i));
            let y = _mm256_loadu_ps(pb.add(i));
            d[2] = _mm256_fmadd_ps(x, y, d[2]);
            na[2] = _mm256_fmadd_ps(x, x, na[2]);
            nb[2] = _mm256_fmadd_ps(y, y, nb[2]);
            i += 8;
        }
    }
    let mut out = (reduce(d), reduce(na), reduce(nb));
    for (x, y) in a[i..n].iter().zip(&b[i..n]) {
        out.0 += (*x * *y) as f64;
        out.1 += (*x * *x) as f64;
        out.2 += (*y * *y) as f64;
    }
    out
}

#[target_feature(enable = "avx2,fma")]
unsafe fn squared_l2_avx2(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut i = 0;
    unsafe {
        while i + 32 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let diff = _mm256_sub_ps(
                    _mm256_loadu_ps(pa.add(i + 8 * k)),
                    _mm256_loadu_ps(pb.add(i + 8 * k)),
                );
                *slot = _mm256_fmadd_ps(diff, diff, *slot);
            }
            i += 32;
        }
        while i + 8 <= n {
            let diff = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            acc[0] = _mm256_fmadd_ps(diff, diff, acc[0]);
            i += 8;
        }
    }
    reduce(acc)
        + a[i..n]
            .iter()
            .zip(&b[i..n])
            .map(|(x, y)| {
                let d = *x - *y;
                (d * d) as f64
            })
            .sum::<f64>()
}
