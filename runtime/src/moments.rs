//! Running statistics over vectors, one row at a time, in f64, mergeable:
//! what vector aggregates keep as their state. Sums use the `accumulate`
//! kernel; mean and variance use Welford's update (`welford` kernel) and
//! Chan's formula to merge, which stay accurate where Σx² − (Σx)²/n cancels.

use crate::aggregate::StateError;
use crate::simd::kernels;
use crate::vector::VectorError;

/// Whether a vector of `dim` elements joining a state that has counted
/// `count` vectors of `have` elements is its first (which sets the
/// dimension); a different dimension later is an error.
fn first_of_dimension(count: u64, have: usize, dim: usize) -> Result<bool, VectorError> {
    if count == 0 {
        Ok(true)
    } else if have != dim {
        Err(VectorError::LengthMismatch {
            left: have,
            right: dim,
        })
    } else {
        Ok(false)
    }
}

/// The vectors' element-wise sum and count. The dimension is set by the
/// first vector; an empty vector is a vector of dimension 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VectorSum {
    count: u64,
    sums: Vec<f64>,
}

impl VectorSum {
    pub fn new() -> VectorSum {
        VectorSum::default()
    }

    /// Rebuilds a sum from its parts (a saved state).
    pub fn from_parts(count: u64, sums: Vec<f64>) -> Result<VectorSum, StateError> {
        if count == 0 && !sums.is_empty() {
            return Err(StateError::new(format!(
                "no rows counted, yet a sum of {} elements",
                sums.len()
            )));
        }
        Ok(VectorSum { count, sums })
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn sums(&self) -> &[f64] {
        &self.sums
    }

    fn check(&mut self, dim: usize) -> Result<(), VectorError> {
        if first_of_dimension(self.count, self.sums.len(), dim)? {
            self.sums = vec![0.0; dim];
        }
        Ok(())
    }

    pub fn add(&mut self, x: &[f32]) -> Result<(), VectorError> {
        self.check(x.len())?;
        (kernels().accumulate)(&mut self.sums, x);
        self.count += 1;
        Ok(())
    }

    pub fn merge(&mut self, other: &VectorSum) -> Result<(), VectorError> {
        if other.count == 0 {
            return Ok(());
        }
        self.check(other.sums.len())?;
        for (s, o) in self.sums.iter_mut().zip(&other.sums) {
            *s += o;
        }
        self.count += other.count;
        Ok(())
    }

    /// The element-wise mean, rounded once to f32; `None` when empty.
    pub fn mean(&self) -> Option<Vec<f32>> {
        (self.count > 0).then(|| {
            let n = self.count as f64;
            self.sums.iter().map(|s| (s / n) as f32).collect()
        })
    }
}

/// Count, mean and sum of squared deviations (M2) per element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VectorMoments {
    count: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl VectorMoments {
    pub fn new() -> VectorMoments {
        VectorMoments::default()
    }

    /// Rebuilds moments from their parts (a saved state).
    pub fn from_parts(count: u64, mean: Vec<f64>, m2: Vec<f64>) -> Result<Self, StateError> {
        if mean.len() != m2.len() {
            return Err(StateError::new(format!(
                "a mean of {} elements with squared deviations of {}",
                mean.len(),
                m2.len()
            )));
        }
        if count == 0 && !mean.is_empty() {
            return Err(StateError::new(format!(
                "no rows counted, yet a mean of {} elements",
                mean.len()
            )));
        }
        Ok(VectorMoments { count, mean, m2 })
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn raw_mean(&self) -> &[f64] {
        &self.mean
    }

    pub fn m2(&self) -> &[f64] {
        &self.m2
    }

    fn check(&mut self, dim: usize) -> Result<(), VectorError> {
        if first_of_dimension(self.count, self.mean.len(), dim)? {
            self.mean = vec![0.0; dim];
            self.m2 = vec![0.0; dim];
        }
        Ok(())
    }

    pub fn add(&mut self, x: &[f32]) -> Result<(), VectorError> {
        self.check(x.len())?;
        self.count += 1;
        (kernels().welford)(&mut self.mean, &mut self.m2, x, 1.0 / self.count as f64);
        Ok(())
    }

    /// Chan et al.'s pairwise combination.
    pub fn merge(&mut self, other: &VectorMoments) -> Result<(), VectorError> {
        if other.count == 0 {
            return Ok(());
        }
        if self.count == 0 {
            *self = other.clone();
            return Ok(());
        }
        self.check(other.mean.len())?;
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        for i in 0..self.mean.len() {
            let delta = other.mean[i] - self.mean[i];
            self.mean[i] += delta * (nb / n);
            self.m2[i] += other.m2[i] + delta * delta * (na * nb / n);
        }
        self.count += other.count;
        Ok(())
    }

    /// The element-wise mean; `None` when empty.
    pub fn mean(&self) -> Option<Vec<f32>> {
        (self.count > 0).then(|| self.mean.iter().map(|m| *m as f32).collect())
    }

    /// The element-wise variance: population (divided by n) or sample
    /// (divided by n − 1, `None` below two vectors).
    pub fn variance(&self, sample: bool) -> Option<Vec<f32>> {
        let divisor = if sample {
            self.count.saturating_sub(1)
        } else {
            self.count
        };
        if divisor == 0 {
            return None;
        }
        let divisor = divisor as f64;
        Some(self.m2.iter().map(|q| (q / divisor) as f32).collect())
    }
}

/// Count, mean and co-moment matrix (Σ (x − mean)(x − mean)ᵀ, upper
/// triangle kept, row-major) of vectors: the covariance, one row at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VectorCovariance {
    count: u64,
    mean: Vec<f64>,
    /// dim × dim, only `j >= i` maintained.
    comoment: Vec<f64>,
}

impl VectorCovariance {
    pub fn new() -> VectorCovariance {
        VectorCovariance::default()
    }

    pub fn from_parts(count: u64, mean: Vec<f64>, comoment: Vec<f64>) -> Result<Self, StateError> {
        if comoment.len() != mean.len() * mean.len() {
            return Err(StateError::new(format!(
                "a mean of {} elements with a co-moment matrix of {} cells",
                mean.len(),
                comoment.len()
            )));
        }
        if count == 0 && !mean.is_empty() {
            return Err(StateError::new(format!(
                "no rows counted, yet a mean of {} elements",
                mean.len()
            )));
        }
        Ok(VectorCovariance {
            count,
            mean,
            comoment,
        })
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn raw_mean(&self) -> &[f64] {
        &self.mean
    }

    pub fn comoment(&self) -> &[f64] {
        &self.comoment
    }

    fn check(&mut self, dim: usize) -> Result<(), VectorError> {
        if first_of_dimension(self.count, self.mean.len(), dim)? {
            self.mean = vec![0.0; dim];
            self.comoment = vec![0.0; dim * dim];
        }
        Ok(())
    }

    /// Welford's update: C += δ (x − mean′)ᵀ with δ = x − mean, mean′ the
    /// new mean; row i is one `axpy_f64` over columns i.. .
    pub fn add(&mut self, x: &[f32]) -> Result<(), VectorError> {
        let dim = x.len();
        self.check(dim)?;
        self.count += 1;
        let inv = 1.0 / self.count as f64;
        let delta: Vec<f64> = x
            .iter()
            .zip(&self.mean)
            .map(|(v, m)| *v as f64 - m)
            .collect();
        for (m, d) in self.mean.iter_mut().zip(&delta) {
            *m += d * inv;
        }
        let residual: Vec<f64> = x
            .iter()
            .zip(&self.mean)
            .map(|(v, m)| *v as f64 - m)
            .collect();
        let axpy = kernels().axpy_f64;
        for i in 0..dim {
            axpy(
                &mut self.comoment[i * dim + i..(i + 1) * dim],
                delta[i],
                &residual[i..],
            );
        }
        Ok(())
    }

    /// Chan's combination: C = Ca + Cb + δδᵀ · na·nb/n.
    pub fn merge(&mut self, other: &VectorCovariance) -> Result<(), VectorError> {
        if other.count == 0 {
            return Ok(());
        }
        if self.count == 0 {
            *self = other.clone();
            return Ok(());
        }
        let dim = other.mean.len();
        self.check(dim)?;
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta: Vec<f64> = other
            .mean
            .iter()
            .zip(&self.mean)
            .map(|(b, a)| b - a)
            .collect();
        let weight = na * nb / n;
        let axpy = kernels().axpy_f64;
        for i in 0..dim {
            let row = i * dim + i..(i + 1) * dim;
            axpy(
                &mut self.comoment[row.clone()],
                1.0,
                &other.comoment[row.clone()],
            );
            axpy(&mut self.comoment[row], delta[i] * weight, &delta[i..]);
        }
        for (m, d) in self.mean.iter_mut().zip(&delta) {
            *m += d * (nb / n);
        }
        self.count += other.count;
        Ok(())
    }

    /// The covariance matrix, dim × dim row-major, divided by n
    /// (population) or n − 1 (sample; `None` below two vectors); `None`
    /// when empty.
    pub fn covariance(&self, sample: bool) -> Option<Vec<f32>> {
        let divisor = if sample {
            self.count.saturating_sub(1)
        } else {
            self.count
        };
        if divisor == 0 {
            return None;
        }
        let dim = self.mean.len();
        let divisor = divisor as f64;
        let mut out = vec![0f32; dim * dim];
        for i in 0..dim {
            for j in i..dim {
                let c = (self.comoment[i * dim + j] / divisor) as f32;
                out[i * dim + j] = c;
                out[j * dim + i] = c;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows(dim: usize, values: &[f32]) -> Vec<&[f32]> {
        values.chunks_exact(dim).collect()
    }

    /// Two-pass mean and population variance in f64.
    fn two_pass(rows: &[&[f32]]) -> (Vec<f64>, Vec<f64>) {
        let dim = rows[0].len();
        let n = rows.len() as f64;
        let mut mean = vec![0.0; dim];
        for r in rows {
            for (m, v) in mean.iter_mut().zip(*r) {
                *m += *v as f64 / n;
            }
        }
        let mut var = vec![0.0; dim];
        for r in rows {
            for ((q, v), m) in var.iter_mut().zip(*r).zip(&mean) {
                *q += (*v as f64 - m).powi(2) / n;
            }
        }
        (mean, var)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn moments_match_two_passes_and_merge_in_any_split(
            dim in 1usize..40,
            count in 1usize..30,
            split in 0usize..30,
            values in prop::collection::vec(-1e3f32..1e3, 40 * 30),
        ) {
            let all = rows(dim, &values[..dim * count]);
            let (mean, var) = two_pass(&all);
            let mut whole = VectorMoments::new();
            let mut sum = VectorSum::new();
            for r in &all {
                whole.add(r).unwrap();
                sum.add(r).unwrap();
            }
            let split = split.min(count);
            let (mut left, mut right) = (VectorMoments::new(), VectorMoments::new());
            let (mut left_sum, mut right_sum) = (VectorSum::new(), VectorSum::new());
            for r in &all[..split] {
                left.add(r).unwrap();
                left_sum.add(r).unwrap();
            }
            for r in &all[split..] {
                right.add(r).unwrap();
                right_sum.add(r).unwrap();
            }
            left.merge(&right).unwrap();
            left_sum.merge(&right_sum).unwrap();
            prop_assert_eq!(left.count(), count as u64);
            for moments in [&whole, &left] {
                let got_mean = moments.mean().unwrap();
                let got_var = moments.variance(false).unwrap();
                for i in 0..dim {
                    let scale = 1e3f64;
                    prop_assert!((got_mean[i] as f64 - mean[i]).abs() <= 1e-6 * scale, "mean {i}");
                    prop_assert!((got_var[i] as f64 - var[i]).abs() <= 1e-6 * scale * scale, "variance {i}");
                }
            }
            let centroid = left_sum.mean().unwrap();
            for i in 0..dim {
                prop_assert!((centroid[i] as f64 - mean[i]).abs() <= 1e-6 * 1e3);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn covariance_matches_two_passes_and_merges_in_any_split(
            dim in 1usize..12,
            count in 1usize..25,
            split in 0usize..25,
            values in prop::collection::vec(-100f32..100.0, 12 * 25),
        ) {
            let all = rows(dim, &values[..dim * count]);
            let n = count as f64;
            let (mean, _) = two_pass(&all);
            let mut expected = vec![0f64; dim * dim];
            for r in &all {
                for i in 0..dim {
                    for j in 0..dim {
                        expected[i * dim + j] += (r[i] as f64 - mean[i]) * (r[j] as f64 - mean[j]) / n;
                    }
                }
            }
            let split = split.min(count);
            let (mut left, mut right, mut whole) =
                (VectorCovariance::new(), VectorCovariance::new(), VectorCovariance::new());
            for r in &all[..split] {
                left.add(r).unwrap();
            }
            for r in &all[split..] {
                right.add(r).unwrap();
            }
            for r in &all {
                whole.add(r).unwrap();
            }
            left.merge(&right).unwrap();
            for got in [whole.covariance(false).unwrap(), left.covariance(false).unwrap()] {
                for (g, e) in got.iter().zip(&expected) {
                    prop_assert!((*g as f64 - e).abs() <= 1e-5 * 1e4 + 1e-6 * e.abs(), "{g} vs {e}");
                }
            }
        }
    }

    #[test]
    fn empty_and_mismatched() {
        let mut m = VectorMoments::new();
        assert_eq!(m.mean(), None);
        assert_eq!(m.variance(false), None);
        m.add(&[1.0, 2.0]).unwrap();
        assert_eq!(m.variance(true), None, "one vector has no sample variance");
        assert_eq!(m.variance(false), Some(vec![0.0, 0.0]));
        assert_eq!(
            m.add(&[1.0]),
            Err(VectorError::LengthMismatch { left: 2, right: 1 })
        );
        let mut s = VectorSum::new();
        s.merge(&VectorSum::new()).unwrap();
        assert_eq!(s.mean(), None);
        assert!(VectorSum::from_parts(0, vec![1.0]).is_err());
        assert!(VectorMoments::from_parts(1, vec![1.0], vec![]).is_err());
    }
}
