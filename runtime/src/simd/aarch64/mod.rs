//! NEON kernels for aarch64 (where NEON is always present): 16 floats per
//! iteration in four independent 4-lane accumulators (hiding the latency of
//! the fused multiply-adds), unaligned loads, a scalar tail. The same
//! shape, thresholds and roundings as the AVX2 kernels, so both meet the
//! same bounds; the property tests run them under QEMU (see
//! docs/runtime.md).

mod elementwise;

use super::{Kernels, portable};
use crate::vector::reference;
use std::arch::aarch64::*;

/// The NEON kernels.
pub fn neon() -> Kernels {
    Kernels {
        name: "neon",
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
    }
}

/// Below these lengths the entry points answer with the scalar code, as on
/// x86_64 (where the thresholds were measured).
const SHORT_REDUCTION: usize = 16;
const SHORT_MAP: usize = 32;

// Entry points. SAFETY (every `unsafe` call below): NEON is part of the
// aarch64 baseline; every CPU this target runs on has it.

fn dot(a: &[f32], b: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::dot(a, b);
    }
    unsafe { dot_neon(a, b) }
}
fn sum_squares(a: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::sum_squares(a);
    }
    unsafe { dot_neon(a, a) }
}
fn dot_norms(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    if a.len() < SHORT_REDUCTION {
        return portable::dot_norms(a, b);
    }
    unsafe { dot_norms_neon(a, b) }
}
fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
    if a.len() < SHORT_REDUCTION {
        return reference::squared_l2(a, b);
    }
    unsafe { squared_l2_neon(a, b) }
}
fn dot_and_squares(a: &[f32], b: &[f32]) -> (f64, f64) {
    if a.len() < SHORT_REDUCTION {
        return portable::dot_and_squares(a, b);
    }
    unsafe { dot_and_squares_neon(a, b) }
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
