//! AVX2 element-wise kernels and the pieces of softmax and arg-max. Each
//! element is rounded as the portable code rounds it (no fused multiply-add
//! where the reference has two roundings), so results are bit for bit the
//! same; only `exp_shifted` has its own polynomial (see `exp8`).

use std::arch::x86_64::*;

#[target_feature(enable = "avx2,fma")]
pub unsafe fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                let v = _mm256_add_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
                _mm256_storeu_ps(po.add(i), v);
            },
            {
                *po.add(i) = *pa.add(i) + *pb.add(i);
            }
        )
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                let v = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
                _mm256_storeu_ps(po.add(i), v);
            },
            {
                *po.add(i) = *pa.add(i) - *pb.add(i);
            }
        )
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
    let n = a.len().min(out.len());
    let (pa, po) = (a.as_ptr(), out.as_mut_ptr());
    let f = _mm256_set1_ps(factor);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                _mm256_storeu_ps(po.add(i), _mm256_mul_ps(_mm256_loadu_ps(pa.add(i)), f));
            },
            {
                *po.add(i) = *pa.add(i) * factor;
            }
        )
    }
}

/// Each element times an f64 factor, rounded once to f32, in place.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn scale_f64(values: &mut [f32], factor: f64) {
    let n = values.len();
    let p = values.as_mut_ptr();
    let f = _mm256_set1_pd(factor);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                let lo = _mm256_cvtps_pd(_mm_loadu_ps(p.add(i)));
                let hi = _mm256_cvtps_pd(_mm_loadu_ps(p.add(i + 4)));
                _mm_storeu_ps(p.add(i), _mm256_cvtpd_ps(_mm256_mul_pd(lo, f)));
                _mm_storeu_ps(p.add(i + 4), _mm256_cvtpd_ps(_mm256_mul_pd(hi, f)));
            },
            {
                *p.add(i) = (*p.add(i) as f64 * factor) as f32;
            }
        )
    }
}

/// sums += x in f64, four lanes per conversion.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn accumulate(sums: &mut [f64], x: &[f32]) {
    let n = sums.len().min(x.len());
    let (ps, px) = (sums.as_mut_ptr(), x.as_ptr());
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                let lo = _mm256_cvtps_pd(_mm_loadu_ps(px.add(i)));
                let hi = _mm256_cvtps_pd(_mm_loadu_ps(px.add(i + 4)));
                _mm256_storeu_pd(ps.add(i), _mm256_add_pd(_mm256_loadu_pd(ps.add(i)), lo));
                _mm256_storeu_pd(
                    ps.add(i + 4),
                    _mm256_add_pd(_mm256_loadu_pd(ps.add(i + 4)), hi),
                );
            },
            {
                *ps.add(i) += *px.add(i) as f64;
            }
        )
    }
}

/// sums += w · x in f64 (no FMA: the reference rounds the product).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
    let n = sums.len().min(x.len());
    let (ps, px) = (sums.as_mut_ptr(), x.as_ptr());
    let wv = _mm256_set1_pd(w);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                for half in [0, 4] {
                    let v = _mm256_cvtps_pd(_mm_loadu_ps(px.add(i + half)));
                    let s = _mm256_add_pd(_mm256_loadu_pd(ps.add(i + half)), _mm256_mul_pd(wv, v));
                    _mm256_storeu_pd(ps.add(i + half), s);
                }
            },
            {
                *ps.add(i) += w * *px.add(i) as f64;
            }
        )
    }
}

/// y += a · x in f64 (no FMA: the reference rounds the product).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
    let n = y.len().min(x.len());
    let (py, px) = (y.as_mut_ptr(), x.as_ptr());
    let av = _mm256_set1_pd(a);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                for half in [0, 4] {
                    let s = _mm256_add_pd(
                        _mm256_loadu_pd(py.add(i + half)),
                        _mm256_mul_pd(av, _mm256_loadu_pd(px.add(i + half))),
                    );
                    _mm256_storeu_pd(py.add(i + half), s);
                }
            },
            {
                *py.add(i) += a * *px.add(i);
            }
        )
    }
}

/// Welford's step in f64, rounded as the reference rounds (no FMA).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
    let n = mean.len().min(m2.len()).min(x.len());
    let (pm, pq, px) = (mean.as_mut_ptr(), m2.as_mut_ptr(), x.as_ptr());
    let inv = _mm256_set1_pd(inv_count);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                for half in [0, 4] {
                    let v = _mm256_cvtps_pd(_mm_loadu_ps(px.add(i + half)));
                    let m = _mm256_loadu_pd(pm.add(i + half));
                    let d = _mm256_sub_pd(v, m);
                    let m = _mm256_add_pd(m, _mm256_mul_pd(d, inv));
                    let q = _mm256_add_pd(
                        _mm256_loadu_pd(pq.add(i + half)),
                        _mm256_mul_pd(d, _mm256_sub_pd(v, m)),
                    );
                    _mm256_storeu_pd(pm.add(i + half), m);
                    _mm256_storeu_pd(pq.add(i + half), q);
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
#[target_feature(enable = "avx2,fma")]
pub unsafe fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
    let n = a.len().min(b.len()).min(out.len());
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    let tv = _mm256_set1_ps(t);
    // SAFETY (all accesses): i + 8 <= n, or i < n in the tail.
    unsafe {
        in_blocks!(
            8,
            n,
            i,
            {
                let x = _mm256_loadu_ps(pa.add(i));
                let d = _mm256_sub_ps(_mm256_loadu_ps(pb.add(i)), x);
                _mm256_storeu_ps(po.add(i), _mm256_add_ps(x, _mm256_mul_ps(tv, d)));
            },
            {
                let x = *pa.add(i);
                *po.add(i) = x + t * (*pb.add(i) - x);
            }
        )
    }
}

/// The largest element, NaN ignored; −∞ when there is none.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn max(a: &[f32]) -> f32 {
    let n = a.len();
    let pa = a.as_ptr();
    let mut acc = [_mm256_set1_ps(f32::NEG_INFINITY); 2];
    let mut i = 0;
    // SAFETY: i + 16 <= n (or + 8) for every load. MAXPS answers its second
    // operand when either is NaN, so a NaN element leaves `acc` unchanged.
    unsafe {
        while i + 16 <= n {
            acc[0] = _mm256_max_ps(_mm256_loadu_ps(pa.add(i)), acc[0]);
            acc[1] = _mm256_max_ps(_mm256_loadu_ps(pa.add(i + 8)), acc[1]);
            i += 16;
        }
        if i + 8 <= n {
            acc[0] = _mm256_max_ps(_mm256_loadu_ps(pa.add(i)), acc[0]);
            i += 8;
        }
    }
    let mut lanes = [0f32; 8];
    // SAFETY: 8 floats fit in `lanes`.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_max_ps(acc[0], acc[1])) };
    let mut best = f32::NEG_INFINITY;
    for x in lanes.iter().chain(&a[i..]) {
        if *x > best {
            best = *x;
        }
    }
    best
}

/// The first index whose element equals `value` (never for NaN).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn position_of(a: &[f32], value: f32) -> Option<usize> {
    let n = a.len();
    let pa = a.as_ptr();
    let v = _mm256_set1_ps(value);
    let mut i = 0;
    // SAFETY: i + 8 <= n for every load.
    unsafe {
        while i + 8 <= n {
            let equal = _mm256_cmp_ps::<_CMP_EQ_OQ>(_mm256_loadu_ps(pa.add(i)), v);
            let mask = _mm256_movemask_ps(equal);
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 8;
        }
    }
    a[i..].iter().position(|x| *x == value).map(|p| i + p)
}

/// exp(aᵢ − shift) into `out`; returns their sum (f32 lanes, summed in
/// f64 at the end: every term is positive, so the relative error of the
/// sum stays within n·ε).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn exp_shifted(a: &[f32], shift: f32, out: &mut [f32]) -> f64 {
    let n = a.len().min(out.len());
    let (pa, po) = (a.as_ptr(), out.as_mut_ptr());
    let s = _mm256_set1_ps(shift);
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    // SAFETY: i + 8 <= n for every load and store.
    unsafe {
        while i + 16 <= n {
            for (k, slot) in acc.iter_mut().enumerate() {
                let e = exp_difference(_mm256_loadu_ps(pa.add(i + 8 * k)), s);
                _mm256_storeu_ps(po.add(i + 8 * k), e);
                *slot = _mm256_add_ps(*slot, e);
            }
            i += 16;
        }
        if i + 8 <= n {
            let e = exp_difference(_mm256_loadu_ps(pa.add(i)), s);
            _mm256_storeu_ps(po.add(i), e);
            acc[0] = _mm256_add_ps(acc[0], e);
            i += 8;
        }
    }
    let mut lanes = [0f32; 16];
    // SAFETY: 16 floats fit in `lanes`.
    unsafe {
        _mm256_storeu_ps(lanes.as_mut_ptr(), acc[0]);
        _mm256_storeu_ps(lanes.as_mut_ptr().add(8), acc[1]);
    }
    let mut total: f64 = lanes.iter().map(|x| *x as f64).sum();
    // The tail through the same polynomial, so a result does not depend on
    // where an element falls.
    let mut rest = [0f32; 8];
    let left = n - i;
    rest[..left].copy_from_slice(&a[i..n]);
    let mut done = [0f32; 8];
    // SAFETY: 8 floats in each buffer.
    unsafe {
        let e = exp_difference(_mm256_loadu_ps(rest.as_ptr()), s);
        _mm256_storeu_ps(done.as_mut_ptr(), e);
    }
    for (o, e) in out[i..n].iter_mut().zip(&done[..left]) {
        *o = *e;
        total += *e as f64;
    }
    total
}

/// e^(x − s), with x − s taken exactly as d + c (Knuth's two-sum): rounding
/// the difference to f32 first would cost up to |x − s|·ε/2 of relative
/// accuracy, 10⁻⁶ for a difference of 40.
#[target_feature(enable = "avx2,fma")]
fn exp_difference(x: __m256, s: __m256) -> __m256 {
    let d = _mm256_sub_ps(x, s);
    let x_part = _mm256_sub_ps(d, x);
    let c = _mm256_add_ps(
        _mm256_sub_ps(x, _mm256_sub_ps(d, x_part)),
        _mm256_sub_ps(_mm256_setzero_ps(), _mm256_add_ps(s, x_part)),
    );
    exp8(d, c)
}

/// e^(x + c) for x ≤ 0 (the shifted softmax input) and a small correction
/// c, within 2 ulp of the correctly rounded f32: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so r
/// is exact), eʳ by its Taylor polynomial to degree 7 (truncation below
/// 6·10⁻⁹ relative), times 2ᵏ built in the exponent field. Results below
/// f32's normal range (x < −87.3) are 0; NaN stays NaN.
#[target_feature(enable = "avx2,fma")]
fn exp8(x: __m256, c: __m256) -> __m256 {
    const LOWEST: f32 = -87.33654; // ln(f32::MIN_POSITIVE)
    let too_small = _mm256_cmp_ps::<_CMP_LT_OQ>(x, _mm256_set1_ps(LOWEST));
    // MAXPS answers its second operand for NaN, so NaN passes through.
    let x = _mm256_max_ps(_mm256_set1_ps(LOWEST), x);
    let k = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm256_mul_ps(
        x,
        _mm256_set1_ps(std::f32::consts::LOG2_E),
    ));
    let r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693_145_75), x);
    let r = _mm256_add_ps(_mm256_fnmadd_ps(k, _mm256_set1_ps(1.428_606_8e-6), r), c);
    let mut p = _mm256_set1_ps(1.0 / 5040.0);
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    }
    // 2ᵏ: k in [−126, 0] here, so k + 127 is a valid biased exponent.
    let biased = _mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127));
    let two_k = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(biased));
    _mm256_andnot_ps(too_small, _mm256_mul_ps(p, two_k))
}
