//! Rules over the whole model: what no single annotation can see.

mod names;
mod rows;
mod tables;

use crate::diagnostics::Diagnostic;
use crate::model::Model;

/// Every rule's findings, in a stable order (by file and position).
pub fn validate(model: &Model) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    names::duplicate_object_names(model, &mut found);
    rows::row_references(model, &mut found);
    tables::table_rules(model, &mut found);
    found.sort_by(|a, b| a.primary.cmp(&b.primary).then(a.code.cmp(&b.code)));
    found
}
