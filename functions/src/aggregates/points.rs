//! Aggregates that keep every vector of the group: the geometric median and
//! k-means. Their results do not depend on row order or on how SQL Server
//! split and merged the group (the points are put in a canonical order).

use runtime::points::{PointSet, geometric_median, kmeans};
use runtime::prelude::*;

fn save_points(points: &PointSet, out: &mut StateWriter) {
    out.u32(points.dim() as u32);
    out.f32s(points.data());
}

fn restore_points(input: &mut StateReader<'_>) -> Result<PointSet, StateError> {
    let dim = input.u32()? as usize;
    PointSet::from_parts(dim, input.f32s()?)
}

/// The point minimising the sum of Euclidean distances to the group's vectors.
pub struct GeometricMedian {
    points: PointSet,
}

impl SqlAggregate for GeometricMedian {
    type Error = VectorError;

    fn init() -> Self {
        GeometricMedian {
            points: PointSet::new(),
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), VectorError> {
        self.points.merge(other.points)
    }

    fn save(&self, out: &mut StateWriter) {
        save_points(&self.points, out);
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        Ok(GeometricMedian {
            points: restore_points(input)?,
        })
    }
}

/// Geometric median of many embeddings (Weiszfeld's algorithm): robust to
/// outliers where the centroid is not. NULL for an empty group or
/// non-finite values.
#[sql_aggregate(
    name = "GeometricMedian",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty
)]
impl GeometricMedian {
    pub fn accumulate(&mut self, vector: &[f32]) -> Result<(), VectorError> {
        self.points.add(vector)
    }

    pub fn terminate(&self) -> Option<Vec<f32>> {
        geometric_median(&self.points)
    }
}

/// The most clusters one call may ask for.
const MAX_CLUSTERS: i32 = 1000;

/// k-means centroids of the group's vectors.
pub struct VectorKMeansCluster {
    points: PointSet,
    /// The `k` the rows asked for; every row must ask the same.
    k: Option<i32>,
}

impl VectorKMeansCluster {
    fn set_k(&mut self, k: i32) -> Result<(), String> {
        if !(1..=MAX_CLUSTERS).contains(&k) {
            return Err(format!("@k = {k}: ask for 1 to {MAX_CLUSTERS} clusters"));
        }
        super::fixed::fix_once(
            &mut self.k,
            &k,
            |old, new| old == new,
            |old| {
                format!(
                    "@k changed from {old} to {k} within one group: pass the same k for every row"
                )
            },
        )
    }
}

impl SqlAggregate for VectorKMeansCluster {
    type Error = String;

    fn init() -> Self {
        VectorKMeansCluster {
            points: PointSet::new(),
            k: None,
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), String> {
        if let Some(k) = other.k {
            self.set_k(k)?;
        }
        self.points.merge(other.points).map_err(|e| e.to_string())
    }

    fn save(&self, out: &mut StateWriter) {
        out.i64(self.k.map_or(0, i64::from));
        save_points(&self.points, out);
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let k = input.i64()?;
        let k = match k {
            0 => None,
            k => Some(
                i32::try_from(k)
                    .ok()
                    .filter(|k| (1..=MAX_CLUSTERS).contains(k))
                    .ok_or_else(|| StateError::new(format!("k = {k} is out of range")))?,
            ),
        };
        Ok(VectorKMeansCluster {
            points: restore_points(input)?,
            k,
        })
    }
}

/// k-means clustering of many embeddings: the centroids, packed one after
/// another (k × d float32; fewer when the group has fewer distinct vectors).
/// Seeded by farthest-point traversal, one online (MacQueen) pass, then
/// Lloyd's rounds, over the vectors in a canonical order: the same group
/// gives the same centroids however SQL Server orders or splits it.
#[sql_aggregate(
    name = "VectorKMeansCluster",
    invariant_to_nulls,
    invariant_to_order,
    null_if_empty
)]
impl VectorKMeansCluster {
    pub fn accumulate(&mut self, vector: &[f32], k: i32) -> Result<(), String> {
        self.set_k(k)?;
        self.points.add(vector).map_err(|e| e.to_string())
    }

    pub fn terminate(&self) -> Option<Vec<f32>> {
        kmeans(&self.points, self.k? as usize)
    }
}
