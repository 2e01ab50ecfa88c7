//! Vectors as SQL Server sees them on the bridge (packed little-endian f32
//! bytes) and the scalar reference kernels over them. The SIMD kernels of the
//! runtime issue replace the bodies here and are tested against these.

use crate::simd::kernels;
use std::fmt;
use std::ops::Deref;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VectorError {
    /// The VARBINARY value cannot be packed f32.
    ByteLength { bytes: usize },
    /// Two vectors that must match do not.
    LengthMismatch { left: usize, right: usize },
    /// A `Vector<N>` received another dimension.
    Dimension { expected: usize, actual: usize },
}

impl fmt::Display for VectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VectorError::ByteLength { bytes } => write!(
                f,
                "vector byte length {bytes} is not a multiple of 4 (vectors are packed little-endian float32)"
            ),
            VectorError::LengthMismatch { left, right } => {
                write!(f, "vectors differ in length: {left} and {right} elements")
            }
            VectorError::Dimension { expected, actual } => {
                write!(f, "expected a vector of {expected} elements, got {actual}")
            }
        }
    }
}

impl std::error::Error for VectorError {}

/// Reads packed little-endian f32. Works on unaligned input.
pub fn decode_f32_le(bytes: &[u8]) -> Result<Vec<f32>, VectorError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(VectorError::ByteLength { bytes: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// Writes packed little-endian f32.
pub fn encode_f32_le(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A vector of exactly `N` f32 elements: SQL Server's `VECTOR(N)`, which
/// crosses the bridge as `VARBINARY(4 × N)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vector<const N: usize>(Vec<f32>);

impl<const N: usize> Vector<N> {
    pub fn from_le_bytes(bytes: &[u8]) -> Result<Self, VectorError> {
        Self::try_from(decode_f32_le(bytes)?)
    }

    pub fn into_inner(self) -> Vec<f32> {
        self.0
    }
}

impl<const N: usize> TryFrom<Vec<f32>> for Vector<N> {
    type Error = VectorError;

    fn try_from(values: Vec<f32>) -> Result<Self, VectorError> {
        if values.len() != N {
            return Err(VectorError::Dimension {
                expected: N,
                actual: values.len(),
            });
        }
        Ok(Vector(values))
    }
}

impl<const N: usize> Deref for Vector<N> {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        &self.0
    }
}

fn same_length(a: &[f32], b: &[f32]) -> Result<(), VectorError> {
    if a.len() != b.len() {
        return Err(VectorError::LengthMismatch {
            left: a.len(),
            right: b.len(),
        });
    }
    Ok(())
}

/// The f64 scalar reference: what the SIMD kernels are tested against, and
/// what answers when f32 accumulation would overflow or underflow.
pub mod reference {
    use super::sum;

    /// Σ aᵢbᵢ in f64.
    pub fn dot(a: &[f32], b: &[f32]) -> f64 {
        sum(a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64))
    }

    /// Σ aᵢ² in f64.
    pub fn sum_squares(a: &[f32]) -> f64 {
        sum(a.iter().map(|x| *x as f64 * *x as f64))
    }

    /// Σ (aᵢ − bᵢ)² in f64.
    pub fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
        sum(a.iter().zip(b).map(|(x, y)| {
            let d = *x as f64 - *y as f64;
            d * d
        }))
    }

    /// outᵢ = aᵢ + bᵢ, one element at a time.
    pub fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
        for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
            *o = x + y;
        }
    }

    /// outᵢ = aᵢ − bᵢ.
    pub fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
        for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
            *o = x - y;
        }
    }

    /// outᵢ = aᵢ · factor.
    pub fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
        for (o, x) in out.iter_mut().zip(a) {
            *o = x * factor;
        }
    }

    /// aᵢ · factor in f64, rounded once, in place.
    pub fn scale_f64(values: &mut [f32], factor: f64) {
        for x in values {
            *x = (*x as f64 * factor) as f32;
        }
    }

    /// outᵢ = aᵢ + t(bᵢ − aᵢ), rounded after each operation.
    pub fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
        for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
            *o = x + t * (y - x);
        }
    }

    /// sumsᵢ += xᵢ in f64.
    pub fn accumulate(sums: &mut [f64], x: &[f32]) {
        for (s, v) in sums.iter_mut().zip(x) {
            *s += *v as f64;
        }
    }

    /// sumsᵢ += w · xᵢ in f64. Not inlined: the dispatched kernel's short-input
    /// path calls exactly this code (inlined, LLVM laid the 3- and 7-element
    /// cases out 2 ns slower; see benchmarks.md).
    #[inline(never)]
    pub fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
        for (s, v) in sums.iter_mut().zip(x) {
            *s += w * *v as f64;
        }
    }

    /// yᵢ += a · xᵢ in f64.
    pub fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
        for (s, v) in y.iter_mut().zip(x) {
            *s += a * v;
        }
    }

    /// One step of Welford's update in f64: dᵢ = xᵢ − meanᵢ,
    /// meanᵢ += dᵢ · inv_count, m2ᵢ += dᵢ · (xᵢ − meanᵢ) with the new mean.
    pub fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
        for ((m, q), v) in mean.iter_mut().zip(m2.iter_mut()).zip(x) {
            let v = *v as f64;
            let d = v - *m;
            *m += d * inv_count;
            *q += d * (v - *m);
        }
    }

    /// The largest non-NaN element; −∞ when there is none.
    pub fn max(a: &[f32]) -> f32 {
        a.iter()
            .copied()
            .filter(|x| !x.is_nan())
            .fold(f32::NEG_INFINITY, f32::max)
    }

    /// exp(aᵢ − max) / Σ in f64, rounded once to f32.
    pub fn softmax(a: &[f32]) -> Vec<f32> {
        let max = a.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exps: Vec<f64> = a.iter().map(|x| (*x as f64 - max as f64).exp()).collect();
        let total = sum(exps.iter().copied());
        exps.iter().map(|e| (e / total) as f32).collect()
    }

    /// The first index of the largest non-NaN element.
    pub fn argmax(a: &[f32]) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, x) in a.iter().copied().enumerate() {
            if !x.is_nan() && best.is_none_or(|(_, b)| x > b) {
                best = Some((i, x));
            }
        }
        best.map(|(i, _)| i)
    }
}

/// The f32-accumulated result unless it left f32's comfortable range
/// (overflow to infinity, or zero or so small that squares may have
/// underflowed):
/// then the f64 reference, so huge and tiny vectors are still right.
#[inline]
fn in_range(fast: f64, reference: impl FnOnce() -> f64) -> f64 {
    if fast.is_finite() && fast.abs() >= 1e-30 && fast.abs() < 1e36 {
        fast + 0.0
    } else {
        reference() + 0.0
    }
}

/// Σ from +0.0: `Iterator::sum` starts at -0.0, which SQL would show as -0.
fn sum(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |total, x| total + x)
}

/// Σ aᵢbᵢ (SIMD kernel; see `simd` for the accuracy bound).
pub fn dot(a: &[f32], b: &[f32]) -> Result<f64, VectorError> {
    same_length(a, b)?;
    Ok(in_range((kernels().dot)(a, b), || reference::dot(a, b)))
}

/// Σ aᵢ².
fn squared_norm(a: &[f32]) -> f64 {
    in_range((kernels().sum_squares)(a), || reference::sum_squares(a))
}

/// ‖a‖.
pub fn norm(a: &[f32]) -> f64 {
    squared_norm(a).sqrt()
}

/// a·b / (‖a‖‖b‖); `None` when either vector has zero length (norm 0).
pub fn cosine(a: &[f32], b: &[f32]) -> Result<Option<f64>, VectorError> {
    same_length(a, b)?;
    let (d, na, nb) = (kernels().dot_norms)(a, b);
    let d = in_range(d, || reference::dot(a, b));
    let na = in_range(na, || reference::sum_squares(a));
    let nb = in_range(nb, || reference::sum_squares(b));
    let denominator = (na * nb).sqrt();
    Ok((denominator > 0.0).then(|| d / denominator))
}

/// Σ (aᵢ − bᵢ)².
pub fn squared_euclidean(a: &[f32], b: &[f32]) -> Result<f64, VectorError> {
    same_length(a, b)?;
    Ok(in_range((kernels().squared_l2)(a, b), || {
        reference::squared_l2(a, b)
    }))
}

/// ‖a − b‖.
pub fn euclidean(a: &[f32], b: &[f32]) -> Result<f64, VectorError> {
    squared_euclidean(a, b).map(f64::sqrt)
}

/// A result vector filled by a kernel that writes every element.
fn filled(len: usize, kernel: impl FnOnce(&mut [f32])) -> Vec<f32> {
    let mut out = vec![0.0; len];
    kernel(&mut out);
    out
}

/// a + b, element-wise.
pub fn add(a: &[f32], b: &[f32]) -> Result<Vec<f32>, VectorError> {
    same_length(a, b)?;
    Ok(filled(a.len(), |out| (kernels().add)(a, b, out)))
}

/// a − b, element-wise.
pub fn subtract(a: &[f32], b: &[f32]) -> Result<Vec<f32>, VectorError> {
    same_length(a, b)?;
    Ok(filled(a.len(), |out| (kernels().subtract)(a, b, out)))
}

/// factor · a.
pub fn scale(a: &[f32], factor: f32) -> Vec<f32> {
    filled(a.len(), |out| (kernels().scale)(a, factor, out))
}

/// a / ‖a‖ (each element times 1/‖a‖ in f64, rounded once); `None` for a
/// zero vector.
pub fn normalize(a: &[f32]) -> Option<Vec<f32>> {
    let n = norm(a);
    (n > 0.0).then(|| {
        let mut out = a.to_vec();
        (kernels().scale_f64)(&mut out, 1.0 / n);
        out
    })
}

/// a + t(b − a), rounded after each operation.
pub fn lerp(a: &[f32], b: &[f32], t: f32) -> Result<Vec<f32>, VectorError> {
    same_length(a, b)?;
    Ok(filled(a.len(), |out| (kernels().lerp)(a, b, t, out)))
}

/// exp(aᵢ − max) / Σ exp(aⱼ − max): shifted by the maximum so large inputs do
/// not overflow. Each result is within (n + 8)·ε relative (plus 2·10⁻³⁸
/// absolute) of the f64 reference. A NaN or +∞ element, or no finite
/// element at all, makes every result NaN, as the reference does.
pub fn softmax(a: &[f32]) -> Vec<f32> {
    if a.len() < SHORT {
        return reference::softmax(a);
    }
    let k = kernels();
    let max = (k.max)(a);
    if !max.is_finite() {
        return reference::softmax(a);
    }
    let mut out = vec![0.0; a.len()];
    let total = (k.exp_shifted)(a, max, &mut out);
    // The max element contributes e⁰ = 1; a NaN makes the total NaN.
    if !(total.is_finite() && total >= 1.0) {
        return reference::softmax(a);
    }
    (k.scale_f64)(&mut out, 1.0 / total);
    out
}

/// Index of the largest element (the first, on ties); NaN elements are
/// ignored; `None` when there is no comparable element.
pub fn argmax(a: &[f32]) -> Option<usize> {
    if a.len() < SHORT {
        return reference::argmax(a);
    }
    let k = kernels();
    (k.position_of)(a, (k.max)(a))
}

/// Below this length, softmax and arg-max answer with the reference: their
/// vector paths make two or three passes, which only pay from two
/// registers' worth of elements (measured by `benches/versus_reference`).
const SHORT: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decoding_checks_byte_length_and_reads_unaligned() {
        let bytes = encode_f32_le(&[1.0, -2.5, 3.25]);
        let mut shifted = vec![0u8];
        shifted.extend_from_slice(&bytes);
        assert_eq!(decode_f32_le(&shifted[1..]).unwrap(), vec![1.0, -2.5, 3.25]);
        let e = decode_f32_le(&bytes[..7]).unwrap_err();
        assert_eq!(e, VectorError::ByteLength { bytes: 7 });
        assert!(e.to_string().contains("7"), "{e}");
        assert_eq!(decode_f32_le(&[]).unwrap(), Vec::<f32>::new());
    }

    #[test]
    fn fixed_dimension_is_checked() {
        let v = Vector::<3>::from_le_bytes(&encode_f32_le(&[1.0, 2.0, 3.0])).unwrap();
        assert_eq!(&*v, &[1.0, 2.0, 3.0]);
        let e = Vector::<3>::from_le_bytes(&encode_f32_le(&[1.0, 2.0])).unwrap_err();
        assert_eq!(e.to_string(), "expected a vector of 3 elements, got 2");
    }

    #[test]
    fn mismatched_lengths_name_both() {
        let e = dot(&[1.0, 2.0], &[1.0]).unwrap_err();
        assert_eq!(e.to_string(), "vectors differ in length: 2 and 1 elements");
        assert!(add(&[1.0], &[]).is_err());
        assert!(subtract(&[], &[1.0]).is_err());
        assert!(lerp(&[1.0], &[1.0, 2.0], 0.5).is_err());
        assert!(euclidean(&[1.0], &[1.0, 2.0]).is_err());
        assert!(cosine(&[1.0], &[1.0, 2.0]).is_err());
    }

    #[test]
    fn known_values() {
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap(), 32.0);
        assert_eq!(norm(&[3.0, 4.0]), 5.0);
        assert_eq!(euclidean(&[0.0, 0.0], &[3.0, 4.0]).unwrap(), 5.0);
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]).unwrap().unwrap() - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]).unwrap(), None);
        assert_eq!(normalize(&[0.0, 0.0]), None);
        assert_eq!(normalize(&[3.0, 4.0]).unwrap(), vec![0.6, 0.8]);
        assert_eq!(add(&[1.0, 2.0], &[3.0, 4.0]).unwrap(), vec![4.0, 6.0]);
        assert_eq!(
            subtract(&[1.0, 2.0], &[3.0, 4.0]).unwrap(),
            vec![-2.0, -2.0]
        );
        assert_eq!(scale(&[1.0, -2.0], 2.0), vec![2.0, -4.0]);
        assert_eq!(
            lerp(&[0.0, 10.0], &[10.0, 20.0], 0.25).unwrap(),
            vec![2.5, 12.5]
        );
        assert_eq!(argmax(&[1.0, 5.0, 5.0, -1.0]), Some(1));
        assert_eq!(argmax(&[f32::NAN, 2.0]), Some(1));
        assert_eq!(argmax(&[f32::NAN]), None);
        assert_eq!(argmax(&[]), None);
    }

    #[test]
    fn huge_and_tiny_vectors_fall_back_to_f64() {
        let huge = [f32::MAX, f32::MAX];
        assert_eq!(norm(&huge), (2.0 * (f32::MAX as f64).powi(2)).sqrt());
        let tiny = [1e-25f32, 2e-25];
        let c = cosine(&tiny, &tiny).unwrap().unwrap();
        assert!((c - 1.0).abs() < 1e-12, "{c}");
        assert!(dot(&tiny, &tiny).unwrap() > 0.0);
        assert!(euclidean(&huge, &[0.0, 0.0]).unwrap().is_finite());
    }

    #[test]
    fn empty_vectors() {
        assert_eq!(
            dot(&[], &[]).unwrap().to_bits(),
            0.0f64.to_bits(),
            "+0, not -0"
        );
        assert_eq!(norm(&[]).to_bits(), 0.0f64.to_bits(), "+0, not -0");
        assert_eq!(norm(&[]), 0.0);
        assert_eq!(cosine(&[], &[]).unwrap(), None);
        assert_eq!(softmax(&[]), Vec::<f32>::new());
        assert_eq!(add(&[], &[]).unwrap(), Vec::<f32>::new());
    }

    #[test]
    fn softmax_is_stable_for_large_inputs() {
        let s = softmax(&[1000.0, 1000.0]);
        assert_eq!(s, vec![0.5, 0.5]);
        let s = softmax(&[1.0, 2.0, 3.0]);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(s[2] > s[1] && s[1] > s[0]);
    }

    proptest! {
        #[test]
        fn bytes_round_trip(values in prop::collection::vec(any::<f32>(), 0..64)) {
            let back = decode_f32_le(&encode_f32_le(&values)).unwrap();
            prop_assert_eq!(back.len(), values.len());
            for (a, b) in back.iter().zip(&values) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
        }

        #[test]
        fn cosine_is_bounded(a in prop::collection::vec(-1e3f32..1e3, 1..32)) {
            let b: Vec<f32> = a.iter().rev().copied().collect();
            if let Some(c) = cosine(&a, &b).unwrap() {
                prop_assert!((-1.0 - 1e-9..=1.0 + 1e-9).contains(&c));
            }
        }
    }
}
