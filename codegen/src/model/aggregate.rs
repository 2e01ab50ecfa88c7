//! User-defined aggregates: a Rust type implementing `runtime::SqlAggregate`
//! whose `#[sql_aggregate]` impl block gives `accumulate` (one row) and
//! `terminate` (the result).

use super::{Param, QualifiedName, RustPath, Value};
use crate::diagnostics::SourceSpan;

#[derive(Debug, Clone, PartialEq)]
pub struct AggregateDef {
    pub name: QualifiedName,
    /// The state type.
    pub rust: RustPath,
    pub doc: Vec<String>,
    /// The `impl` block.
    pub span: SourceSpan,
    /// The SQL name as written (the `name = ...` value, or the type's ident).
    pub name_span: SourceSpan,
    /// `accumulate`'s parameters after `&mut self`: the aggregate's SQL parameters.
    pub params: Vec<Param>,
    /// What `terminate` returns.
    pub returns: Value,
    /// `accumulate` returns `Result<(), E>`.
    pub accumulate_fallible: bool,
    /// `terminate` returns `Result<T, E>`.
    pub terminate_fallible: bool,
    pub options: AggregateOptions,
}

/// The `[SqlUserDefinedAggregate]` properties SQL Server's optimizer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AggregateOptions {
    pub invariant_to_nulls: bool,
    pub invariant_to_duplicates: bool,
    pub invariant_to_order: bool,
    pub null_if_empty: bool,
    pub max_size: StateSize,
}

/// `MaxByteSize`: the largest serialized state SQL Server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateSize {
    /// `-1`: up to 2 GB (SQL Server 2008 and later).
    #[default]
    Unlimited,
    /// 1 to 8000 bytes.
    Bytes(u16),
}

impl StateSize {
    /// The `MaxByteSize` value.
    pub fn max_byte_size(self) -> i32 {
        match self {
            StateSize::Unlimited => -1,
            StateSize::Bytes(n) => i32::from(n),
        }
    }
}
