//! The Hartonomous database's native functions and procedures.
//!
//! Every `#[sql_function]` / `#[sql_procedure]` here becomes a T-SQL object
//! under `generated/sql/` when `cargo run -p codegen` runs.

pub mod aggregates;
pub mod geometry;
pub mod planning;
pub mod schema;
pub mod search;
pub mod spatial;
pub mod vector;
pub mod views;
