//! Rules over the whole model: what no single annotation can see.

mod data;
mod names;
mod objects;
mod rows;
mod tables;
mod tsql;

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, ObjectKey, span_of};

/// Every rule's findings, in a stable order (by file and position).
pub fn validate(model: &Model) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    names::duplicate_object_names(model, &mut found);
    rows::row_references(model, &mut found);
    tables::table_rules(model, &mut found);
    objects::object_rules(model, &mut found);
    tsql::tsql_bodies(model, &mut found);
    data::data_rules(model, &mut found);
    if let Err(cycle) = crate::model::deploy_order(model) {
        found.push(dependency_cycle(model, &cycle));
    }
    found.sort_by(|a, b| a.primary.cmp(&b.primary).then(a.code.cmp(&b.code)));
    found
}

/// No creation order exists: name every object along the cycle.
fn dependency_cycle(model: &Model, cycle: &[ObjectKey]) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DependencyCycle,
        format!(
            "objects depend on each other in a cycle: {}",
            cycle
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" → ")
        ),
    )
    .with_help("each object is created after what it depends on (foreign keys, functions its computed columns call, activation procedures, ...), so one of these dependencies must go; a foreign key can be made nullable and added after the data loads");
    let mut spans = cycle.iter().filter_map(|k| span_of(model, k));
    if let Some(first) = spans.next() {
        diagnostic = diagnostic.at(first);
    }
    diagnostic
}
