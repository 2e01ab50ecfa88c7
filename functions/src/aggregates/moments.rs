//! Centroid, and mean with variance, of many vectors.

use runtime::moments::{VectorMoments, VectorSum};
use runtime::null::finite_vector;
use runtime::prelude::*;

/// The element-wise mean of the group's vectors, accumulated in f64.
pub struct VectorCentroid {
    sum: VectorSum,
}

impl SqlAggregate for VectorCentroid {
    type Error = VectorError;

    fn init() -> Self {
        VectorCentroid {
            sum: VectorSum::new(),
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), VectorError> {
        self.sum.merge(&other.sum)
    }

    fn save(&self, out: &mut StateWriter) {
        out.u64(self.sum.count());
        out.f64s(self.sum.sums());
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let count = input.u64()?;
        let sums = input.f64s()?;
        let sum = VectorSum::from_parts(count, sums)?;
        Ok(VectorCentroid { sum })
    }
}

/// Mean of many embeddings: the centroid of the group, NULL for an empty
/// group or when an element does not fit in float32.
#[sql_aggregate(
    name = "VectorCentroid",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty
)]
impl VectorCentroid {
    pub fn accumulate(&mut self, vector: &[f32]) -> Result<(), VectorError> {
        self.sum.add(vector)
    }

    pub fn terminate(&self) -> Option<Vec<f32>> {
        self.sum.mean().and_then(finite_vector)
    }
}

/// Element-wise mean and population variance of the group's vectors
/// (Welford's update, Chan's merge).
pub struct VectorMeanVariance {
    moments: VectorMoments,
}

impl VectorMeanVariance {
    /// The result as JSON: `{"count":n,"mean":[..],"variance":[..]}`, the
    /// arrays in SQL Server's VECTOR text form (nine significant digits).
    fn json(&self) -> Option<String> {
        let mean = self.moments.mean()?;
        let variance = self.moments.variance(false)?;
        let mean = runtime::json::print_vector(&mean).ok()?;
        let variance = runtime::json::print_vector(&variance).ok()?;
        Some(format!(
            "{{\"count\":{},\"mean\":{mean},\"variance\":{variance}}}",
            self.moments.count()
        ))
    }
}

impl SqlAggregate for VectorMeanVariance {
    type Error = VectorError;

    fn init() -> Self {
        VectorMeanVariance {
            moments: VectorMoments::new(),
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), VectorError> {
        self.moments.merge(&other.moments)
    }

    fn save(&self, out: &mut StateWriter) {
        out.u64(self.moments.count());
        out.f64s(self.moments.raw_mean());
        out.f64s(self.moments.m2());
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let count = input.u64()?;
        let mean = input.f64s()?;
        let m2 = input.f64s()?;
        let moments = VectorMoments::from_parts(count, mean, m2)?;
        Ok(VectorMeanVariance { moments })
    }
}

/// Mean and population variance of many embeddings, as JSON:
/// `{"count":n,"mean":[..],"variance":[..]}`; NULL for an empty group or
/// when a value does not fit in float32.
#[sql_aggregate(
    name = "VectorMeanVariance",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty,
    returns = "NVARCHAR(MAX)"
)]
impl VectorMeanVariance {
    pub fn accumulate(&mut self, vector: &[f32]) -> Result<(), VectorError> {
        self.moments.add(vector)
    }

    pub fn terminate(&self) -> Option<String> {
        self.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::aggregate::{restore_state, save_state};

    fn centroid_of(rows: &[Vec<f32>]) -> Option<Vec<f32>> {
        let mut state = VectorCentroid::init();
        for r in rows {
            state.accumulate(r).unwrap();
        }
        state.terminate()
    }

    #[test]
    fn centroid_is_the_mean_and_survives_save_and_merge() {
        let rows = vec![vec![1.0, 2.0], vec![3.0, 6.0], vec![5.0, 1.0]];
        assert_eq!(centroid_of(&rows), Some(vec![3.0, 3.0]));
        assert_eq!(centroid_of(&[]), None);

        let mut a = VectorCentroid::init();
        a.accumulate(&rows[0]).unwrap();
        let mut b: VectorCentroid = restore_state(&save_state(&VectorCentroid::init())).unwrap();
        b.accumulate(&rows[1]).unwrap();
        b.accumulate(&rows[2]).unwrap();
        let b: VectorCentroid = restore_state(&save_state(&b)).unwrap();
        a.merge(b).unwrap();
        assert_eq!(a.terminate(), Some(vec![3.0, 3.0]));
        assert!(
            a.accumulate(&[1.0]).is_err(),
            "a different length is an error"
        );
    }

    #[test]
    fn mean_variance_reports_count_mean_and_variance() {
        let mut s = VectorMeanVariance::init();
        assert_eq!(s.terminate(), None);
        s.accumulate(&[1.0, 10.0]).unwrap();
        s.accumulate(&[3.0, 10.0]).unwrap();
        assert_eq!(
            s.terminate().unwrap(),
            concat!(
                r#"{"count":2,"mean":[2.00000000e+000,1.00000000e+001],"#,
                r#""variance":[1.00000000e+000,0.00000000e+000]}"#
            )
        );
        let restored: VectorMeanVariance = restore_state(&save_state(&s)).unwrap();
        assert_eq!(restored.terminate(), s.terminate());
        assert!(restore_state::<VectorMeanVariance>(&[1, 2, 3]).is_err());
    }
}
