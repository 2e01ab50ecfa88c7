//! The native side of the CLR bridge: one description of the C ABI per value
//! ([`abi`]) and the Rust exports the macros write from it ([`export`]).

pub mod abi;
mod aggregate;
mod export;

pub use aggregate::aggregate_exports;
pub use export::{routine_export, row_exports};
