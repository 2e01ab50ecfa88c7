//! User-defined aggregates over embeddings (packed little-endian f32 in
//! `VARBINARY(MAX)`): each a state type implementing `SqlAggregate` and an
//! `impl` block marked `#[sql_aggregate]` with `accumulate` and `terminate`.
//! NULL rows are skipped (a NULL argument never reaches `accumulate`);
//! vectors of different lengths in one group are an error.

mod moments;

pub use moments::{VectorCentroid, VectorMeanVariance};
