//! Schemas, sequences, Service Broker and roles: database-wide names are
//! unique per kind, and every name an option gives refers to something the
//! model declares.

use crate::diagnostics::{Code, Diagnostic, SourceSpan};
use crate::model::{Declared, Model, PermissionTarget, QualifiedName, RoutineKind};
use std::collections::HashMap;

pub fn object_rules(model: &Model, found: &mut Vec<Diagnostic>) {
    duplicates(model, found);
    broker_references(model, found);
    permissions(model, found);
}

/// A declared name, the Rust item declaring it, and where.
type Declaration<'a> = (&'a str, String, &'a SourceSpan);

fn declaration<'a>(name: &'a str, declared: &'a Declared) -> Declaration<'a> {
    (name, declared.rust.to_string(), &declared.span)
}

/// Message types, contracts, services, roles and schemas each have their own
/// database-wide namespace.
fn duplicates(model: &Model, found: &mut Vec<Diagnostic>) {
    let kinds: Vec<(&str, Vec<Declaration<'_>>)> = vec![
        (
            "schema",
            model
                .schemas
                .iter()
                .map(|d| declaration(&d.name, &d.declared))
                .collect(),
        ),
        (
            "message type",
            model
                .message_types
                .iter()
                .map(|d| declaration(&d.name, &d.declared))
                .collect(),
        ),
        (
            "contract",
            model
                .contracts
                .iter()
                .map(|d| declaration(&d.name, &d.declared))
                .collect(),
        ),
        (
            "service",
            model
                .queues
                .iter()
                .filter_map(|q| {
                    q.service
                        .as_ref()
                        .map(|s| (s.name.as_str(), q.declared.rust.to_string(), &s.span))
                })
                .collect(),
        ),
        (
            "role",
            model
                .roles
                .iter()
                .map(|d| declaration(&d.name, &d.declared))
                .collect(),
        ),
    ];
    for (kind, declared) in kinds {
        let mut first: HashMap<String, (String, &SourceSpan)> = HashMap::new();
        for (name, rust, span) in declared {
            match first.get(&name.to_lowercase()) {
                Some((first_rust, first_span)) => found.push(
                    Diagnostic::new(
                        Code::DuplicateObjectName,
                        format!("{kind} `{name}` is declared twice: by `{first_rust}` and by `{rust}`"),
                    )
                    .at(span.clone())
                    .with_secondary((*first_span).clone(), "first declared here")
                    .with_help(format!("{kind} names are unique in the database (compared case-insensitively): rename one")),
                ),
                None => {
                    first.insert(name.to_lowercase(), (rust, span));
                }
            }
        }
    }
}

fn unknown(what: String, span: &SourceSpan, declared: Vec<String>, how: &str) -> Diagnostic {
    Diagnostic::new(Code::UnknownObject, what)
        .at(span.clone())
        .with_help(format!(
            "{how} (declared: {})",
            if declared.is_empty() {
                "none".to_string()
            } else {
                declared.join(", ")
            }
        ))
}

fn broker_references(model: &Model, found: &mut Vec<Diagnostic>) {
    let message_types: Vec<String> = model.message_types.iter().map(|m| m.name.clone()).collect();
    for contract in &model.contracts {
        for (message, _) in &contract.messages {
            // [DEFAULT] is Service Broker's own message type.
            if !message.eq_ignore_ascii_case("DEFAULT")
                && !message_types
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(message))
            {
                found.push(unknown(
                    format!(
                        "contract `{}` names message type `{message}`, which is not declared",
                        contract.name
                    ),
                    &contract.declared.span,
                    message_types.clone(),
                    "declare it with #[sql_message_type], or correct the name",
                ));
            }
        }
    }
    let contracts: Vec<String> = model.contracts.iter().map(|c| c.name.clone()).collect();
    let procedures: Vec<String> = model
        .routines
        .iter()
        .filter(|r| r.kind.is_procedure())
        .map(|r| r.name.to_string())
        .collect();
    for queue in &model.queues {
        if let Some(service) = &queue.service {
            for contract in &service.contracts {
                if !contract.eq_ignore_ascii_case("DEFAULT")
                    && !contracts.iter().any(|c| c.eq_ignore_ascii_case(contract))
                {
                    found.push(unknown(
                        format!(
                            "service `{}` names contract `{contract}`, which is not declared",
                            service.name
                        ),
                        &service.span,
                        contracts.clone(),
                        "declare it with #[sql_contract], or correct the name",
                    ));
                }
            }
        }
        if let Some(activation) = &queue.activation {
            let routine = model
                .routines
                .iter()
                .find(|r| r.name.collision_key() == activation.procedure.collision_key());
            if !routine.is_some_and(|r| matches!(r.kind, RoutineKind::Procedure { .. })) {
                found.push(unknown(
                    format!(
                        "queue `{}` activates `{}`, which is not a declared procedure",
                        queue.name, activation.procedure
                    ),
                    &activation.span,
                    procedures.clone(),
                    "name a procedure of the model",
                ));
            }
        }
    }
}

/// What a permission may name, and which permissions fit it.
enum Securable {
    Table,
    TableFunction,
    ScalarOrProcedure,
    Sequence,
    Queue,
}

fn securable(model: &Model, name: &QualifiedName) -> Option<Securable> {
    let key = name.collision_key();
    if model.tables.iter().any(|t| {
        t.name.collision_key() == key
            || t.temporal
                .as_ref()
                .is_some_and(|h| h.history.collision_key() == key)
    }) || model.views.iter().any(|v| v.name.collision_key() == key)
    {
        return Some(Securable::Table);
    }
    if let Some(r) = model.routines.iter().find(|r| {
        r.name.collision_key() == key
            || crate::emit::companion_name(r).is_some_and(|c| c.collision_key() == key)
    }) {
        return Some(match r.kind {
            RoutineKind::TableFunction { .. } => Securable::TableFunction,
            _ => Securable::ScalarOrProcedure,
        });
    }
    // Calling a CLR aggregate takes EXECUTE on it, like a scalar function.
    if model
        .aggregates
        .iter()
        .any(|a| a.name.collision_key() == key)
    {
        return Some(Securable::ScalarOrProcedure);
    }
    if model
        .sequences
        .iter()
        .any(|s| s.name.collision_key() == key)
    {
        return Some(Securable::Sequence);
    }
    if model.queues.iter().any(|q| q.name.collision_key() == key) {
        return Some(Securable::Queue);
    }
    None
}

fn permissions(model: &Model, found: &mut Vec<Diagnostic>) {
    let schemas = crate::model::used_schemas(model);
    for role in &model.roles {
        for permission in &role.permissions {
            let fits: &[&str] = match &permission.target {
                PermissionTarget::Schema(schema) => {
                    if !schemas.iter().any(|s| s.eq_ignore_ascii_case(schema)) {
                        found.push(unknown(
                            format!("role `{}` has a permission on schema `{schema}`, which nothing declares or uses", role.name),
                            &permission.span,
                            schemas.clone(),
                            "name a schema of the model",
                        ));
                    }
                    continue;
                }
                PermissionTarget::Object(name) => match securable(model, name) {
                    None => {
                        found.push(unknown(
                            format!(
                                "role `{}` has a permission on `{name}`, which is not declared",
                                role.name
                            ),
                            &permission.span,
                            Vec::new(),
                            "name a table, view, function, aggregate, procedure, sequence or queue of the model",
                        ));
                        continue;
                    }
                    Some(Securable::Table) => {
                        &["SELECT", "INSERT", "UPDATE", "DELETE", "REFERENCES"]
                    }
                    Some(Securable::TableFunction) => &["SELECT", "REFERENCES"],
                    Some(Securable::ScalarOrProcedure) => &["EXECUTE", "REFERENCES"],
                    Some(Securable::Sequence) => &["UPDATE", "REFERENCES"],
                    Some(Securable::Queue) => &["RECEIVE", "REFERENCES"],
                },
            };
            const ANY_OBJECT: &[&str] = &[
                "ALTER",
                "CONTROL",
                "TAKE OWNERSHIP",
                "VIEW DEFINITION",
                "VIEW CHANGE TRACKING",
            ];
            for p in &permission.permissions {
                if !fits.contains(&p.as_str()) && !ANY_OBJECT.contains(&p.as_str()) {
                    let PermissionTarget::Object(name) = &permission.target else {
                        continue;
                    };
                    found.push(
                        Diagnostic::new(
                            Code::InvalidOptionValue,
                            format!("role `{}`: {p} does not apply to `{name}`", role.name),
                        )
                        .at(permission.span.clone())
                        .with_help(format!(
                            "on this object use {}, or one of {}",
                            fits.join(", "),
                            ANY_OBJECT.join(", ")
                        )),
                    );
                }
            }
        }
    }
}
