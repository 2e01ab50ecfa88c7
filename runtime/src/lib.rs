//! What annotated functions and generated code link against: the annotations
//! themselves, vector and value types, and the kernels that do the math.
//!
//! A function crate needs one import: `use runtime::prelude::*;`.

pub mod aggregate;
pub mod batch;
pub mod dtw;
pub mod ffi;
pub mod fft;
pub mod geometry;
pub mod json;
pub mod moments;
pub mod null;
pub mod points;
pub mod quantize;
pub mod simd;
pub mod spatial;
pub mod vector;

pub use macros::{
    SqlRow, SqlTable, sql_aggregate, sql_contract, sql_data, sql_function, sql_message_type,
    sql_procedure, sql_queue, sql_role, sql_schema, sql_sequence, sql_view,
};

/// Implemented by `#[derive(SqlRow)]`: a struct whose fields are the columns
/// of a table-valued function's rows or a procedure's result set.
pub trait SqlRow {}

/// Implemented by `#[derive(SqlTable)]`: a struct declaring a table.
pub trait SqlTable {}

/// Value types with a SQL Server counterpart (UNIQUEIDENTIFIER, DATE, TIME,
/// DATETIME2, DATETIMEOFFSET, DECIMAL), re-exported so function crates use the
/// same versions the bridge converts.
pub mod types {
    pub use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    pub use rust_decimal::Decimal;
    pub use uuid::Uuid;
}

pub mod prelude {
    pub use crate::aggregate::{SqlAggregate, StateError, StateReader, StateWriter};
    pub use crate::geometry::{Geography, Geometry, geo_types};
    pub use crate::types::*;
    pub use crate::vector::{Vector, VectorError};
    pub use crate::{SqlRow, SqlTable};
    pub use macros::{
        sql_aggregate, sql_contract, sql_data, sql_function, sql_message_type, sql_procedure,
        sql_queue, sql_role, sql_schema, sql_sequence, sql_view,
    };
}
