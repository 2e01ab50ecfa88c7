//! Emitters: the model rendered as files under `generated/`, through
//! minijinja templates. Output is byte-for-byte deterministic: objects are
//! ordered by kind and name, never by hash-map order or source order.

mod aggregate;
mod clr_module;
mod companion;
mod csharp;
mod data;
mod entities;
mod objects;
mod registration;
mod sql;
pub(crate) mod table;
mod tsql;

pub use aggregate::{aggregate_class, aggregate_external_class};
pub use clr_module::{ClrKind, ClrModule, ClrParam, clr_module_script};
pub use companion::companion_name;
pub use csharp::{csharp_string, emit_csharp};
pub use data::emit_data_scripts;
pub use entities::{ENTITY_CRATE, emit_entities};
pub use registration::{Trust, binary_literal, certificate_setup, emit_registration};
pub use sql::{
    EmitOptions, TENANT_POLICY, TENANT_PREDICATE, bridge_method, emit_object_scripts, emit_sql,
    table_script, vector_index_script,
};
pub use tsql::tsql_kind;

/// One file of output, its path relative to `generated/` with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// A file-name-safe spelling of a SQL name: ASCII letters, digits, `_`, `-`
/// and inner `.` stay; every other byte becomes `%XX`. Distinct names give
/// distinct file names.
pub fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, byte) in name.bytes().enumerate() {
        let keep =
            byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' || (byte == b'.' && i > 0);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One trailing newline, no trailing spaces.
fn finish(text: String) -> String {
    let mut out: String = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("fn_CosineSimilarity"), "fn_CosineSimilarity");
        assert_eq!(file_stem("a b/c"), "a%20b%2Fc");
        assert_eq!(file_stem(".hidden"), "%2Ehidden");
        assert_eq!(file_stem("é"), "%C3%A9");
        assert_ne!(file_stem("a%20"), file_stem("a "));
    }
}
