//! NEON element-wise kernels and the pieces of softmax and arg-max. Each
//! element is rounded as the portable code rounds it (no fused multiply-add
//! where the reference has two roundings), so results are bit for bit the
//! same; only `exp_shifted` has its own polynomial (`exp4`, the AVX2
//! kernel's, step for step).

use std::arch::aarch64::*;

#[target_feature(enable = "neon")]
pub fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                vst1q_f32(
                    po.add(i),
                    vaddq_f32(vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i))),
                );
            },
            {
                *po.add(i) = *pa.add(i) + *pb.add(i);
            }
        )
    }
}

#[target_feature(enable = "neon")]
pub fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                vst1q_f32(
                    po.add(i),
                    vsubq_f32(vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i))),
                );
            },
            {
                *po.add(i) = *pa.add(i) - *pb.add(i);
            }
        )
    }
}

#[target_feature(enable = "neon")]
pub fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
    let n = a.len().min(out.len());
    let (pa, po) = (a.as_ptr(), out.as_mut_ptr());
    let f = vdupq_n_f32(factor);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                vst1q_f32(po.add(i), vmulq_f32(vld1q_f32(pa.add(i)), f));
            },
            {
                *po.add(i) = *pa.add(i) * factor;
            }
        )
    }
}

/// Each element times an f64 factor, rounded once to f32, in place.
#[target_feature(enable = "neon")]
pub fn scale_f64(values: &mut [f32], factor: f64) {
    let n = values.len();
    let p = values.as_mut_ptr();
    let f = vdupq_n_f64(factor);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                let v = vld1q_f32(p.add(i));
                let low = vmulq_f64(vcvt_f64_f32(vget_low_f32(v)), f);
                let high = vmulq_f64(vcvt_high_f64_f32(v), f);
                vst1q_f32(p.add(i), vcvt_high_f32_f64(vcvt_f32_f64(low), high));
            },
            {
                *p.add(i) = (*p.add(i) as f64 * factor) as f32;
            }
        )
    }
}

/// sums += x in f64, two lanes per conversion.
#[target_feature(enable = "neon")]
pub fn accumulate(sums: &mut [f64], x: &[f32]) {
    let n = sums.len().min(x.len());
    let (ps, px) = (sums.as_mut_ptr(), x.as_ptr());
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                let v = vld1q_f32(px.add(i));
                let low = vaddq_f64(vld1q_f64(ps.add(i)), vcvt_f64_f32(vget_low_f32(v)));
                let high = vaddq_f64(vld1q_f64(ps.add(i + 2)), vcvt_high_f64_f32(v));
                vst1q_f64(ps.add(i), low);
                vst1q_f64(ps.add(i + 2), high);
            },
            {
                *ps.add(i) += *px.add(i) as f64;
            }
        )
    }
}

/// sums += w · x in f64 (no FMA: the reference rounds the product).
#[target_feature(enable = "neon")]
pub fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
    let n = sums.len().min(x.len());
    let (ps, px) = (sums.as_mut_ptr(), x.as_ptr());
    let wv = vdupq_n_f64(w);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                let v = vld1q_f32(px.add(i));
                for (half, wide) in [
                    (0, vcvt_f64_f32(vget_low_f32(v))),
                    (2, vcvt_high_f64_f32(v)),
                ] {
                    let s = vaddq_f64(vld1q_f64(ps.add(i + half)), vmulq_f64(wv, wide));
                    vst1q_f64(ps.add(i + half), s);
                }
            },
            {
                *ps.add(i) += w * *px.add(i) as f64;
            }
        )
    }
}

/// y += a · x in f64 (no FMA: the reference rounds the product).
#[target_feature(enable = "neon")]
pub fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
    let n = y.len().min(x.len());
    let (py, px) = (y.as_mut_ptr(), x.as_ptr());
    let av = vdupq_n_f64(a);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                for half in [0, 2] {
                    let s = vaddq_f64(
                        vld1q_f64(py.add(i + half)),
                        vmulq_f64(av, vld1q_f64(px.add(i + half))),
                    );
                    vst1q_f64(py.add(i + half), s);
                }
            },
            {
                *py.add(i) += a * *px.add(i);
            }
        )
    }
}

/// Welford's step in f64, rounded as the reference rounds (no FMA).
#[target_feature(enable = "neon")]
pub fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
    let n = mean.len().min(m2.len()).min(x.len());
    let (pm, pq, px) = (mean.as_mut_ptr(), m2.as_mut_ptr(), x.as_ptr());
    let inv = vdupq_n_f64(inv_count);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                let v = vld1q_f32(px.add(i));
                for (half, wide) in [
                    (0, vcvt_f64_f32(vget_low_f32(v))),
                    (2, vcvt_high_f64_f32(v)),
                ] {
                    let m = vld1q_f64(pm.add(i + half));
                    let d = vsubq_f64(wide, m);
                    let m = vaddq_f64(m, vmulq_f64(d, inv));
                    let q = vaddq_f64(
                        vld1q_f64(pq.add(i + half)),
                        vmulq_f64(d, vsubq_f64(wide, m)),
                    );
                    vst1q_f64(pm.add(i + half), m);
                    vst1q_f64(pq.add(i + half), q);
                }
            },
            {
                let v = *px.add(i) as f64;
                let d = v - *pm.add(i);
                *pm.add(i) += d * inv_count;
                *pq.add(i) += d * (v - *pm.add(i));
            }
        )
    }
}

/// a + t(b − a), two roundings as in the reference (no FMA).
#[target_feature(enable = "neon")]
pub fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    let tv = vdupq_n_f32(t);
    // SAFETY (all accesses): i + 4 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            4,
            n,
            i,
            {
                let x = vld1q_f32(pa.add(i));
                let d = vsubq_f32(vld1q_f32(pb.add(i)), x);
                vst1q_f32(po.add(i), vaddq_f32(x, vmulq_f32(tv, d)));
            },
            {
                let x = *pa.add(i);
                *po.add(i) = x + t * (*pb.add(i) - x);
            }
        )
    }
}

/// The largest element, NaN ignored; −∞ when there is none.
#[target_feature(enable = "neon")]
pub fn max(a: &[f32]) -> f32 {
    let n = a.len();
    let pa = a.as_ptr();
    let mut acc = [vdupq_n_f32(f32::NEG_INFINITY); 2];
    let mut i = 0;
    // SAFETY: i + 8 <= n (or + 4) for every load. FMAXNM answers the number
    // when one operand is NaN, so a NaN element leaves `acc` unchanged.
    unsafe {
        while i + 8 <= n {
            acc[0] = vmaxnmq_f32(vld1q_f32(pa.add(i)), acc[0]);
            acc[1] = vmaxnmq_f32(vld1q_f32(pa.add(i + 4)), acc[1]);
            i += 8;
        }
        if i + 4 <= n {
            acc[0] = vmaxnmq_f32(vld1q_f32(pa.add(i)), acc[0]);
            i += 4;
        }
    }
    let mut best = vmaxnmvq_f32(vmaxnmq_f32(acc[0], acc[1]));
    for x in &a[i..] {
        if *x > best {
            best = *x;
        }
    }
    best
}

/// The first index whose element equals `value` (never for NaN).
#[target_feature(enable = "neon")]
pub fn position_of(a: &[f32], value: f32) -> Option<usize> {
    let n = a.len();
    let pa = a.as_ptr();
    let v = vdupq_n_f32(value);
    let mut i = 0;
    // SAFETY: i + 4 <= n for every load.
    unsafe {
        while i + 4 <= n {
            if vmaxvq_u32(vceqq_f32(vld1q_f32(pa.add(i)), v)) != 0 {
                break;
            }
            i += 4;
        }
    }
    a[i..].iter().position(|x| *x == value).map(|p| i + p)
}

/// exp(aᵢ − shift) into `out`; returns their sum (f32 lanes, summed in
/// f64 at the end: every term is positive, so the relative error of the
/// sum stays within n·ε).
#[target_feature(enable = "neon")]
pub fn exp_shifted(a: &[f32], shift: f32, out: &mut [f32]) -> f64 {
    let n = a.len().min(out.len());
    let (pa, po) = (a.as_ptr(), out.as_mut_ptr());
    let s = vdupq_n_f32(shift);
    let mut acc = [vdupq_n_f32(0.0); 2];
    let mut i = 0;
    // SAFETY: i + 4 <= n for every load and store.
    unsafe {
        while i + 8 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let e = exp_difference(vld1q_f32(pa.add(i + 4 * k)), s);
                vst1q_f32(po.add(i + 4 * k), e);
                *slot = vaddq_f32(*slot, e);
            }
            i += 8;
        }
        if i + 4 <= n {
            let e = exp_difference(vld1q_f32(pa.add(i)), s);
            vst1q_f32(po.add(i), e);
            acc[0] = vaddq_f32(acc[0], e);
            i += 4;
        }
    }
    let mut total = 0.0;
    for v in acc {
        total += vaddvq_f64(vaddq_f64(
            vcvt_f64_f32(vget_low_f32(v)),
            vcvt_high_f64_f32(v),
        ));
    }
    // The tail through the same polynomial, so a result does not depend on
    // where an element falls.
    let mut rest = [0f32; 4];
    let left = n - i;
    rest[..left].copy_from_slice(&a[i..n]);
    let mut done = [0f32; 4];
    // SAFETY: 4 floats in each buffer.
    unsafe {
        vst1q_f32(
            done.as_mut_ptr(),
            exp_difference(vld1q_f32(rest.as_ptr()), s),
        )
    };
    for (o, e) in out[i..n].iter_mut().zip(&done[..left]) {
        *o = *e;
        total += *e as f64;
    }
    total
}

/// e^(x − s), with x − s taken exactly as d + c (Knuth's two-sum), as in
/// the AVX2 kernel.
#[target_feature(enable = "neon")]
fn exp_difference(x: float32x4_t, s: float32x4_t) -> float32x4_t {
    let d = vsubq_f32(x, s);
    let x_part = vsubq_f32(d, x);
    let c = vaddq_f32(
        vsubq_f32(x, vsubq_f32(d, x_part)),
        vnegq_f32(vaddq_f32(s, x_part)),
    );
    exp4(d, c)
}

/// e^(x + c) for x ≤ 0 and a small correction c, within 2 ulp: the AVX2
/// kernel's `exp8` step for step (x = k·ln2 + r with ln2 in two parts, eʳ
/// by its Taylor polynomial to degree 7, 2ᵏ in the exponent field). Below
/// f32's normal range the result is 0; NaN stays NaN.
#[target_feature(enable = "neon")]
fn exp4(x: float32x4_t, c: float32x4_t) -> float32x4_t {
    const LOWEST: f32 = -87.33654; // ln(f32::MIN_POSITIVE)
    let too_small = vcltq_f32(x, vdupq_n_f32(LOWEST));
    // FMAX answers NaN when either operand is NaN, so NaN passes through.
    let x = vmaxq_f32(vdupq_n_f32(LOWEST), x);
    let k = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(std::f32::consts::LOG2_E)));
    let r = vfmsq_f32(x, k, vdupq_n_f32(0.693_145_75));
    let r = vaddq_f32(vfmsq_f32(r, k, vdupq_n_f32(1.428_606_8e-6)), c);
    let mut p = vdupq_n_f32(1.0 / 5040.0);
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = vfmaq_f32(vdupq_n_f32(c), p, r);
    }
    // 2ᵏ: k in [−126, 0] here, so k + 127 is a valid biased exponent.
    let biased = vaddq_s32(vcvtnq_s32_f32(k), vdupq_n_s32(127));
    let two_k = vreinterpretq_f32_s32(vshlq_n_s32::<23>(biased));
    let value = vreinterpretq_u32_f32(vmulq_f32(p, two_k));
    vreinterpretq_f32_u32(vbicq_u32(value, too_small))
}
