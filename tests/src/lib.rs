//! Helpers shared by the workspace-level tests.

pub mod catalog_replies;
pub mod clr_harness;
pub mod dacfx;
pub mod tds;
pub mod tsql_parser;

use codegen::emit::EmitOptions;
use codegen::output::{Generation, generate};
use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// What `cargo run -p codegen` produces for the `functions` crate.
pub fn generate_workspace() -> Generation {
    generate_clean("functions/src/lib.rs")
}

/// What codegen produces for the crate whose entry file is `entry` (relative
/// to the workspace root), which must have no problems.
pub fn generate_clean(entry: &str) -> Generation {
    let generation = generate(&workspace_root(), entry, &EmitOptions::default());
    assert!(
        generation.diagnostics.is_empty(),
        "{entry} has problems: {:#?}",
        generation.diagnostics
    );
    generation
}

/// The compile-pass program that uses every schema attribute
/// (memory-optimized and graph tables, computed columns, columnstore,
/// spatial and vector indexes, a sequence, Service Broker with activation,
/// a role), read by codegen as a crate.
pub const SCHEMA_OBJECTS_FIXTURE: &str = "tests/ui/pass/schema_objects.rs";
