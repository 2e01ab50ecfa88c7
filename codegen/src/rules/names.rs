//! Two objects with one SQL name (compared as SQL Server compares them).

use crate::diagnostics::SourceSpan;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, QualifiedName};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

pub fn duplicate_object_names(model: &Model, found: &mut Vec<Diagnostic>) {
    // Routines and aggregates share SQL Server's object namespace.
    let declared: Vec<Declared<'_>> = model
        .routines
        .iter()
        .map(|r| Declared {
            name: &r.name,
            rust: r.rust.to_string(),
            name_span: &r.name_span,
        })
        .chain(model.aggregates.iter().map(|a| Declared {
            name: &a.name,
            rust: a.rust.to_string(),
            name_span: &a.name_span,
        }))
        .collect();
    let mut first_by_name = HashMap::new();
    for object in &declared {
        match first_by_name.entry(object.name.collision_key()) {
            Entry::Vacant(slot) => {
                slot.insert(object);
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                found.push(
                    Diagnostic::new(
                        Code::DuplicateObjectName,
                        format!(
                            "`{}` is declared twice: by `{}` and by `{}`",
                            object.name, first.rust, object.rust
                        ),
                    )
                    .at(object.name_span.clone())
                    .with_label("second declaration")
                    .with_secondary(first.name_span.clone(), "first declared here")
                    .with_help("SQL names are unique per schema (compared case-insensitively): rename one with `name = \"...\"` or move it to another schema"),
                );
            }
        }
    }
    // A VECTOR companion takes a name too (`<name>_Vector`).
    for routine in &model.routines {
        if let Some(companion) = crate::emit::companion_name(routine)
            && let Some(other) = first_by_name.get(&companion.collision_key())
        {
            found.push(
                Diagnostic::new(
                    Code::DuplicateObjectName,
                    format!(
                        "`{companion}`, the VECTOR companion of `{}`, is also declared by `{}`",
                        routine.name, other.rust
                    ),
                )
                .at(other.name_span.clone())
                .with_secondary(routine.name_span.clone(), "takes Vector<N> parameters, so it has a companion")
                .with_help("rename one of them: codegen names the companion of a routine with Vector<N> parameters `<name>_Vector`"),
            );
        }
    }
}

/// A routine or aggregate, as the name check sees it.
struct Declared<'a> {
    name: &'a QualifiedName,
    rust: String,
    name_span: &'a SourceSpan,
}
