//! AVX2 + FMA kernels: 32 floats per iteration in four independent 8-lane
//! accumulators (hiding FMA latency), unaligned loads, a scalar tail.

use super::Kernels;
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
        },
    )
}

// Safe entry points: only reachable through `avx2_fma()`, which checked the
// CPU first.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    unsafe { dot_avx2(a, b) }
}
fn sum_squares(a: &[f32]) -> f64 {
    unsafe { dot_avx2(a, a) }
}
fn dot_norms(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    unsafe { dot_norms_avx2(a, b) }
}
fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
    unsafe { squared_l2_avx2(a, b) }
}
fn dot_and_squares(a: &[f32], b: &[f32]) -> (f64, f64) {
    unsafe { dot_and_squares_avx2(a, b) }
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

#[target_feature(enable = "avx2,fma")]
fn reduce(acc: [__m256; 4]) -> f64 {
    let mut lanes = [0f32; 32];
    for (k, v) in acc.iter().enumerate() {
        // SAFETY: 8 floats fit at lanes[8k..].
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr().add(8 * k), *v) };
    }
    lanes.iter().map(|x| *x as f64).sum()
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
