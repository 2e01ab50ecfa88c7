//! Covariance matrix of many vectors.

use runtime::moments::VectorCovariance as Moments;
use runtime::null::finite_vector;
use runtime::prelude::*;

/// The element-wise covariance of the group's vectors (Welford's update,
/// Chan's merge, f64 throughout).
pub struct VectorCovariance {
    moments: Moments,
}

impl SqlAggregate for VectorCovariance {
    type Error = VectorError;

    fn init() -> Self {
        VectorCovariance {
            moments: Moments::new(),
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), VectorError> {
        self.moments.merge(&other.moments)
    }

    fn save(&self, out: &mut StateWriter) {
        out.u64(self.moments.count());
        out.f64s(self.moments.raw_mean());
        out.f64s(self.moments.comoment());
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let count = input.u64()?;
        let mean = input.f64s()?;
        let comoment = input.f64s()?;
        Ok(VectorCovariance {
            moments: Moments::from_parts(count, mean, comoment)?,
        })
    }
}

/// Population covariance matrix (divided by n) of many embeddings of d
/// elements: d × d float32, row-major, packed; NULL for an empty group or
/// when a value does not fit in float32. The state holds d² doubles.
#[sql_aggregate(
    name = "VectorCovariance",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty
)]
impl VectorCovariance {
    pub fn accumulate(&mut self, vector: &[f32]) -> Result<(), VectorError> {
        self.moments.add(vector)
    }

    pub fn terminate(&self) -> Option<Vec<f32>> {
        self.moments.covariance(false).and_then(finite_vector)
    }
}
