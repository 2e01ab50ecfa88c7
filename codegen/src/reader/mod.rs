//! Reads a crate's annotated items into the model with syn, following `mod`
//! declarations from `src/lib.rs` the way rustc does. It neither compiles nor
//! runs the crate.

mod module_tree;

pub use module_tree::{CrateSource, SourceFile, read_crate, read_crate_with};
