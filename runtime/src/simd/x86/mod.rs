//! AVX2 + FMA kernels: 32 floats per iteration in four independent 8-lane
//! accumulators (hiding FMA latency), unaligned loads, a scalar tail.

mod elementwise;

use super::Kernels;
use std::arch::x86_64::*;

/// The AVX2 + FMA kernels, if this CPU has both.
pub fn avx2_fma() -> Option<Kernels> {
    (std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"))
        .then_some(KERNELS)
}

// Reachable only through `avx2_fma()`, which checked the CPU first.
entry_points! {
    name: "avx2+fma",
    dot: dot_avx2,
    dot_norms: dot_norms_avx2,
    squared_l2: squared_l2_avx2,
    dot_and_squares: dot_and_squares_avx2,
    element_wise: elementwise,
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
