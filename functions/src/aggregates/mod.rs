//! User-defined aggregates over embeddings (packed little-endian f32 in
//! `VARBINARY(MAX)`): each a state type implementing `SqlAggregate` and an
//! `impl` block marked `#[sql_aggregate]` with `accumulate` and `terminate`.
//! NULL rows are skipped (a NULL argument never reaches `accumulate`);
//! vectors of different lengths in one group are an error.

mod covariance;
mod dtw;
mod fixed;
mod hull;
mod moments;
mod points;

pub use covariance::VectorCovariance;
pub use dtw::DtwDistance;
pub use hull::SpatialConvexHull;
pub use moments::{VectorCentroid, VectorMeanVariance};
pub use points::{GeometricMedian, VectorKMeansCluster};

#[cfg(test)]
mod tests;
