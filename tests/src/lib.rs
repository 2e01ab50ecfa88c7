//! Helpers shared by the workspace-level tests.

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
    let generation = generate(
        &workspace_root(),
        "functions/src/lib.rs",
        &EmitOptions::default(),
    );
    assert!(
        generation.diagnostics.is_empty(),
        "functions/ has problems: {:#?}",
        generation.diagnostics
    );
    generation
}
