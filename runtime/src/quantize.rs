//! Smaller vector encodings: IEEE half precision (SQL Server 2025's
//! `VECTOR(n, float16)`) and symmetric 8-bit quantization, with an exact
//! integer dot product over quantized vectors. Each has a scalar reference
//! and, on x86_64, a SIMD path chosen at run time (F16C for half precision,
//! AVX2 for i8); the property tests hold them bit for bit equal.

use std::fmt;

/// Why a vector could not be quantized.
#[derive(Debug, Clone, PartialEq)]
pub enum QuantizeError {
    /// NaN or an infinity at this index: no scale represents it.
    NotFinite { index: usize },
}

impl fmt::Display for QuantizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantizeError::NotFinite { index } => {
                write!(
                    f,
                    "element {index} is NaN or infinite and cannot be quantized"
                )
            }
        }
    }
}

impl std::error::Error for QuantizeError {}

/// f32 → IEEE binary16 bits, rounding to nearest even (as F16C and the
/// `half` crate do); overflow becomes infinity, NaN stays NaN.
pub fn to_f16(values: &[f32]) -> Vec<u16> {
    let mut out = vec![0u16; values.len()];
    #[cfg(target_arch = "x86_64")]
    if x86::has_f16c() {
        // SAFETY: the CPU has F16C and AVX (checked just above).
        unsafe { x86::to_f16(values, &mut out) };
        return out;
    }
    reference::to_f16(values, &mut out);
    out
}

/// IEEE binary16 bits → f32 (exact: every half is an f32).
pub fn from_f16(bits: &[u16]) -> Vec<f32> {
    let mut out = vec![0f32; bits.len()];
    #[cfg(target_arch = "x86_64")]
    if x86::has_f16c() {
        // SAFETY: the CPU has F16C and AVX (checked just above).
        unsafe { x86::from_f16(bits, &mut out) };
        return out;
    }
    reference::from_f16(bits, &mut out);
    out
}

/// A vector as signed bytes and the scale that maps them back:
/// `value ≈ byte · scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedI8 {
    pub values: Vec<i8>,
    pub scale: f32,
}

/// Symmetric 8-bit quantization: the largest magnitude maps to ±127, each
/// element rounds to the nearest step, ties to even (error at most
/// `scale / 2`).
pub fn quantize_i8(values: &[f32]) -> Result<QuantizedI8, QuantizeError> {
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(QuantizeError::NotFinite { index });
    }
    let max = values.iter().fold(0f32, |m, v| m.max(v.abs()));
    if max == 0.0 {
        return Ok(QuantizedI8 {
            values: vec![0; values.len()],
            scale: 0.0,
        });
    }
    let inverse = 127.0 / max;
    let mut out = vec![0i8; values.len()];
    #[cfg(target_arch = "x86_64")]
    if x86::has_avx2() {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { x86::scale_to_i8(values, inverse, &mut out) };
        return Ok(QuantizedI8 {
            values: out,
            scale: max / 127.0,
        });
    }
    reference::scale_to_i8(values, inverse, &mut out);
    Ok(QuantizedI8 {
        values: out,
        scale: max / 127.0,
    })
}

/// The f32 values a quantized vector stands for.
pub fn dequantize_i8(q: &QuantizedI8) -> Vec<f32> {
    q.values.iter().map(|v| *v as f32 * q.scale).collect()
}

/// Σ aᵢbᵢ over the common length, exact.
pub fn dot_i8(a: &[i8], b: &[i8]) -> i64 {
    #[cfg(target_arch = "x86_64")]
    if x86::has_avx2() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { x86::dot_i8(a, b) };
    }
    reference::dot_i8(a, b)
}

/// The scalar definitions the SIMD paths must equal.
pub mod reference {
    pub fn to_f16(values: &[f32], out: &mut [u16]) {
        for (o, v) in out.iter_mut().zip(values) {
            *o = half::f16::from_f32(*v).to_bits();
        }
    }

    pub fn from_f16(bits: &[u16], out: &mut [f32]) {
        for (o, b) in out.iter_mut().zip(bits) {
            *o = half::f16::from_bits(*b).to_f32();
        }
    }

    pub fn dot_i8(a: &[i8], b: &[i8]) -> i64 {
        a.iter().zip(b).map(|(x, y)| *x as i64 * *y as i64).sum()
    }

    /// `round_ties_even(v · inverse)` as a byte (|v · inverse| ≤ 127 by
    /// the choice of `inverse`).
    pub fn scale_to_i8(values: &[f32], inverse: f32, out: &mut [i8]) {
        for (o, v) in out.iter_mut().zip(values) {
            *o = (v * inverse).round_ties_even().clamp(-127.0, 127.0) as i8;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    pub fn has_f16c() -> bool {
        std::is_x86_feature_detected!("f16c") && std::is_x86_feature_detected!("avx")
    }

    pub fn has_avx2() -> bool {
        std::is_x86_feature_detected!("avx2")
    }

    #[target_feature(enable = "avx,f16c")]
    pub unsafe fn to_f16(values: &[f32], out: &mut [u16]) {
        let n = values.len().min(out.len());
        let mut i = 0;
        // SAFETY: i + 8 <= n for each load and store.
        unsafe {
            while i + 8 <= n {
                let v = _mm256_loadu_ps(values.as_ptr().add(i));
                let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v);
                _mm_storeu_si128(out.as_mut_ptr().add(i) as *mut __m128i, h);
                i += 8;
            }
        }
        super::reference::to_f16(&values[i..n], &mut out[i..n]);
    }

    #[target_feature(enable = "avx,f16c")]
    pub unsafe fn from_f16(bits: &[u16], out: &mut [f32]) {
        let n = bits.len().min(out.len());
        let mut i = 0;
        // SAFETY: i + 8 <= n for each load and store.
        unsafe {
            while i + 8 <= n {
                let h = _mm_loadu_si128(bits.as_ptr().add(i) as *const __m128i);
                _mm256_storeu_ps(out.as_mut_ptr().add(i), _mm256_cvtph_ps(h));
                i += 8;
            }
        }
        super::reference::from_f16(&bits[i..n], &mut out[i..n]);
    }

    /// 8 floats per step: scaled, rounded to nearest even (as
    /// `round_ties_even`), converted and narrowed to bytes.
    #[target_feature(enable = "avx2")]
    pub unsafe fn scale_to_i8(values: &[f32], inverse: f32, out: &mut [i8]) {
        let n = values.len().min(out.len());
        let factor = _mm256_set1_ps(inverse);
        let (low, high) = (_mm256_set1_ps(-127.0), _mm256_set1_ps(127.0));
        let mut lanes = [0i32; 8];
        let mut i = 0;
        // SAFETY: i + 8 <= n for each load; lanes holds 8 i32.
        unsafe {
            while i + 8 <= n {
                let v = _mm256_mul_ps(_mm256_loadu_ps(values.as_ptr().add(i)), factor);
                let r = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
                let r = _mm256_min_ps(_mm256_max_ps(r, low), high);
                _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, _mm256_cvtps_epi32(r));
                for (o, l) in out[i..i + 8].iter_mut().zip(lanes) {
                    *o = l as i8;
                }
                i += 8;
            }
        }
        super::reference::scale_to_i8(&values[i..n], inverse, &mut out[i..n]);
    }

    /// 32 bytes per step: sign-extended to i16, multiplied and pairwise
    /// added into i32 lanes, widened to i64 every 2¹⁴ steps so no lane can
    /// overflow (a step adds at most 4·128² = 2¹⁶ to a lane; 2¹⁴ steps stay
    /// below 2³¹).
    #[target_feature(enable = "avx2")]
    pub unsafe fn dot_i8(a: &[i8], b: &[i8]) -> i64 {
        let n = a.len().min(b.len());
        let mut total = 0i64;
        let mut i = 0;
        let flush = |acc: __m256i| -> i64 {
            let mut lanes = [0i32; 8];
            // SAFETY: 8 i32 fit in lanes.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, acc) };
            lanes.iter().map(|x| *x as i64).sum()
        };
        // SAFETY: i + 32 <= n for every load.
        unsafe {
            while i + 32 <= n {
                let mut acc = _mm256_setzero_si256();
                let mut steps = 0;
                while i + 32 <= n && steps < (1 << 14) {
                    let x = _mm256_loadu_si256(a.as_ptr().add(i) as *const __m256i);
                    let y = _mm256_loadu_si256(b.as_ptr().add(i) as *const __m256i);
                    let x_lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(x));
                    let y_lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(y));
                    let x_hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256::<1>(x));
                    let y_hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256::<1>(y));
                    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x_lo, y_lo));
                    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x_hi, y_hi));
                    i += 32;
                    steps += 1;
                }
                total += flush(acc);
            }
        }
        total + super::reference::dot_i8(&a[i..n], &b[i..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same_f16(a: u16, b: u16) -> bool {
        let nan = |x: u16| (x & 0x7C00) == 0x7C00 && (x & 0x03FF) != 0;
        a == b || (nan(a) && nan(b))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn f16_matches_the_reference(values in prop::collection::vec(any::<f32>(), 0..4096), skip in 0usize..8) {
            // Offsets make the SIMD loads unaligned.
            let values = &values[skip.min(values.len())..];
            let mut expected = vec![0u16; values.len()];
            reference::to_f16(values, &mut expected);
            let got = to_f16(values);
            prop_assert!(got.iter().zip(&expected).all(|(a, b)| same_f16(*a, *b)));
            let mut back_expected = vec![0f32; got.len()];
            reference::from_f16(&got, &mut back_expected);
            let back = from_f16(&got);
            prop_assert!(back.iter().zip(&back_expected).all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())));
        }

        #[test]
        fn i8_dot_is_exact(a in prop::collection::vec(any::<i8>(), 0..4096), b in prop::collection::vec(any::<i8>(), 0..4096), skip in 0usize..32) {
            let a = &a[skip.min(a.len())..];
            prop_assert_eq!(dot_i8(a, &b), reference::dot_i8(a, &b));
        }

        #[test]
        fn quantization_error_is_at_most_half_a_step(values in prop::collection::vec(-1e6f32..1e6, 0..4096), skip in 0usize..8) {
            let values = &values[skip.min(values.len())..];
            let q = quantize_i8(values).unwrap();
            // The chosen path equals the scalar definition, byte for byte.
            let max = values.iter().fold(0f32, |m, v| m.max(v.abs()));
            if max > 0.0 {
                let mut expected = vec![0i8; values.len()];
                reference::scale_to_i8(values, 127.0 / max, &mut expected);
                prop_assert_eq!(&q.values, &expected);
            }
            let back = dequantize_i8(&q);
            for (v, r) in values.iter().zip(&back) {
                prop_assert!((v - r).abs() <= q.scale * 0.5 + q.scale * 1e-3 + 1e-30, "{} vs {} (scale {})", v, r, q.scale);
            }
        }
    }

    #[test]
    fn extremes() {
        assert_eq!(
            to_f16(&[65520.0])[0],
            0x7C00,
            "rounds past the largest half to infinity"
        );
        assert_eq!(to_f16(&[1.0, -2.0]), vec![0x3C00, 0xC000]);
        assert_eq!(quantize_i8(&[0.0, 0.0]).unwrap().scale, 0.0);
        assert_eq!(
            quantize_i8(&[1.0, f32::NAN]).unwrap_err(),
            QuantizeError::NotFinite { index: 1 }
        );
        let q = quantize_i8(&[2.0, -1.0, 0.5]).unwrap();
        // -0.5 · 127 = -63.5 and 0.25 · 127 = 31.75 round to even and near.
        assert_eq!(q.values, vec![127, -64, 32]);
        // The longest accumulation: 2^14 steps of 32 bytes, then more.
        let big = vec![-128i8; (1 << 19) + 33];
        assert_eq!(dot_i8(&big, &big), reference::dot_i8(&big, &big));
    }
}
