//! The one parser of our annotations, shared by the proc macros (which report
//! its errors through the compiler) and codegen (which reads whole crates).

mod aggregate;
mod data;
mod error;
mod name_text;
mod object;
mod options;
mod routine;
mod row;
mod rust_type;
mod table;

pub use aggregate::parse_aggregate;
pub use data::{DATA_OPTIONS, parse_data};
pub use error::{AnnotationError, Errors};
pub use object::{ObjectAttr, ObjectDef, parse_object};
pub use routine::{RoutineAttr, parse_routine, returned_row_type};
pub use row::parse_row;
pub use rust_type::type_text;
pub use table::parse_table;

use crate::diagnostics::Code;
use crate::model::check_object_name;
use darling::ast::NestedMeta;
use proc_macro2::Span;
use std::sync::Arc;
use syn::{Attribute, Expr, Lit, Meta};

/// Where the item being read sits.
pub struct ItemContext<'a> {
    /// Source file, relative to the workspace root (empty inside the macros).
    pub file: &'a Arc<str>,
    /// Module path inside the crate, e.g. `["vector"]`.
    pub module: &'a [String],
}

/// Doc comment lines (`///` and `#[doc = ".."]`), with the one leading space
/// rustdoc adds removed.
pub fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        if let Expr::Lit(expr) = &nv.value
            && let Lit::Str(text) = &expr.lit
        {
            for line in text.value().lines() {
                lines.push(
                    line.strip_prefix(' ')
                        .unwrap_or(line)
                        .trim_end()
                        .to_string(),
                );
            }
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// An attribute's options as darling reads them; on a syntax error, reported,
/// none, so that the item's other problems are still found.
fn option_list(args: proc_macro2::TokenStream, errors: &mut Errors) -> Vec<NestedMeta> {
    NestedMeta::parse_meta_list(args).unwrap_or_else(|e| {
        errors.push(
            AnnotationError::new(Code::InvalidOptionValue, e.span(), e.to_string()).help(
                "options are written `name = \"value\"` or as bare words, separated by commas",
            ),
        );
        Vec::new()
    })
}

fn check_name(name: &str, span: Span, what: &str, errors: &mut Errors) {
    if let Err(reason) = check_object_name(name) {
        errors.push(
            AnnotationError::new(
                Code::InvalidIdentifier,
                span,
                if name.is_empty() {
                    format!("the SQL {what} is empty")
                } else {
                    format!(
                        "`{}` is not a valid SQL {what}: {reason}",
                        name.escape_debug()
                    )
                },
            )
            .help("use 1 to 128 characters, no control characters, not starting with `#` or `@`"),
        );
    }
}
