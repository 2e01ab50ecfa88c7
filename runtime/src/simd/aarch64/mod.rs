//! NEON kernels for aarch64 (where NEON is always present): 16 floats per
//! iteration in four independent 4-lane accumulators (hiding the latency of
//! the fused multiply-adds), unaligned loads, a scalar tail. The same
//! shape, thresholds and roundings as the AVX2 kernels, so both meet the
//! same bounds; the property tests run them under QEMU (see
//! docs/runtime.md).

mod elementwise;

use super::Kernels;
use std::arch::aarch64::*;

/// The NEON kernels.
pub fn neon() -> Kernels {
    KERNELS
}

// NEON is part of the aarch64 baseline: every CPU this target runs on has
// it.
entry_points! {
    name: "neon",
    dot: dot_neon,
    dot_norms: dot_norms_neon,
    squared_l2: squared_l2_neon,
    dot_and_squares: dot_and_squares_neon,
    element_wise: elementwise,
}

/// Σ of the 16 lanes in f64: each accumulator widened to two f64 pairs.
#[target_feature(enable = "neon")]
fn reduce(acc: [float32x4_t; 4]) -> f64 {
    let mut sum = vdupq_n_f64(0.0);
    for v in acc {
        sum = vaddq_f64(sum, vcvt_f64_f32(vget_low_f32(v)));
        sum = vaddq_f64(sum, vcvt_high_f64_f32(v));
    }
    vaddvq_f64(sum)
}

#[target_feature(enable = "neon")]
fn dot_neon(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 4·k + 4 <= n for every load below.
    unsafe {
        while i + 16 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let x = vld1q_f32(pa.add(i + 4 * k));
                let y = vld1q_f32(pb.add(i + 4 * k));
                *slot = vfmaq_f32(*slot, x, y);
            }
            i += 16;
        }
        while i + 4 <= n {
            acc[0] = vfmaq_f32(acc[0], vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i)));
            i += 4;
        }
    }
    reduce(acc)
        + a[i..n]
            .iter()
            .zip(&b[i..n])
            .map(|(x, y)| (*x * *y) as f64)
            .sum::<f64>()
}

/// Σ aᵢbᵢ and Σ bᵢ²: two FMAs per four floats.
#[target_feature(enable = "neon")]
fn dot_and_squares_neon(a: &[f32], b: &[f32]) -> (f64, f64) {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let zero = vdupq_n_f32(0.0);
    let (mut d, mut nb) = ([zero; 4], [zero; 4]);
    let mut i = 0;
    // SAFETY (all loads): i + 4·k + 4 <= n for every load below.
    unsafe {
        while i + 16 <= n {
            for k in 0..4 {
                let x = vld1q_f32(pa.add(i + 4 * k));
                let y = vld1q_f32(pb.add(i + 4 * k));
                d[k] = vfmaq_f32(d[k], x, y);
                nb[k] = vfmaq_f32(nb[k], y, y);
            }
            i += 16;
        }
        while i + 4 <= n {
            let x = vld1q_f32(pa.add(i));
            let y = vld1q_f32(pb.add(i));
            d[0] = vfmaq_f32(d[0], x, y);
            nb[0] = vfmaq_f32(nb[0], y, y);
            i += 4;
        }
    }
    let mut out = (reduce(d), reduce(nb));
    for (x, y) in a[i..n].iter().zip(&b[i..n]) {
        out.0 += (*x * *y) as f64;
        out.1 += (*y * *y) as f64;
    }
    out
}

#[target_feature(enable = "neon")]
fn dot_norms_neon(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let zero = vdupq_n_f32(0.0);
    let (mut d, mut na, mut nb) = ([zero; 4], [zero; 4], [zero; 4]);
    let mut i = 0;
    // SAFETY (all loads): i + 4·k + 4 <= n for every load below.
    unsafe {
        while i + 16 <= n {
            for k in 0..4 {
                let x = vld1q_f32(pa.add(i + 4 * k));
                let y = vld1q_f32(pb.add(i + 4 * k));
                d[k] = vfmaq_f32(d[k], x, y);
                na[k] = vfmaq_f32(na[k], x, x);
                nb[k] = vfmaq_f32(nb[k], y, y);
            }
            i += 16;
        }
        while i + 4 <= n {
            let x = vld1q_f32(pa.add(i));
            let y = vld1q_f32(pb.add(i));
            d[0] = vfmaq_f32(d[0], x, y);
            na[0] = vfmaq_f32(na[0], x, x);
            nb[0] = vfmaq_f32(nb[0], y, y);
            i += 4;
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

#[target_feature(enable = "neon")]
fn squared_l2_neon(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 4·k + 4 <= n for every load below.
    unsafe {
        while i + 16 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let diff = vsubq_f32(vld1q_f32(pa.add(i + 4 * k)), vld1q_f32(pb.add(i + 4 * k)));
                *slot = vfmaq_f32(*slot, diff, diff);
            }
            i += 16;
        }
        while i + 4 <= n {
            let diff = vsubq_f32(vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i)));
            acc[0] = vfmaq_f32(acc[0], diff, diff);
            i += 4;
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
