//! Two objects with one SQL name (compared as SQL Server compares them).

use crate::diagnostics::{Code, Diagnostic};
use crate::model::Model;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

pub fn duplicate_object_names(model: &Model, found: &mut Vec<Diagnostic>) {
    let mut first_by_name = HashMap::new();
    for routine in &model.routines {
        match first_by_name.entry(routine.name.collision_key()) {
            Entry::Vacant(slot) => {
                slot.insert(routine);
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                found.push(
                    Diagnostic::new(
                        Code::DuplicateObjectName,
                        format!(
                            "`{}` is declared twice: by `{}` and by `{}`",
                            routine.name, first.rust, routine.rust
                        ),
                    )
                    .at(routine.name_span.clone())
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
