//! Codegen: annotated Rust → one model of a SQL Server database → T-SQL.
//!
//! The shape is parse → validate → model → emit. [`annotations`] parses one
//! annotated item (shared with the proc macros); [`reader`] walks a crate;
//! [`rules`] validate the whole [`model`]; [`emit`] renders files.

pub mod annotations;
pub mod diagnostics;
pub mod model;
pub mod native;

#[cfg(feature = "cli")]
pub mod deploy;
#[cfg(feature = "cli")]
pub mod emit;
#[cfg(feature = "cli")]
pub mod output;
#[cfg(feature = "cli")]
pub mod project;
#[cfg(feature = "cli")]
pub mod quote_sql;
#[cfg(feature = "cli")]
pub mod reader;
#[cfg(feature = "cli")]
pub mod rules;
pub mod tsql;
