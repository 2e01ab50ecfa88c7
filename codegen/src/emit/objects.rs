//! Views for the schema's other objects: schemas, sequences, Service Broker
//! and roles. Every name goes through the templates' `ident` filter.

use super::sql::source_text;
use crate::model::{
    Declared, Model, PermissionTarget, QueueDef, RoleDef, SequenceCache, SequenceDef,
};
use crate::quote_sql::{identifier, qualified};
use minijinja::{Value, context};

/// The header fields of a declared object.
pub(super) fn header(kind: &str, title: String, declared: Option<&Declared>) -> Value {
    context! {
        kind,
        title,
        source => declared.map(|d| source_text(&d.span)),
        rust => declared.map(|d| d.rust.to_string()),
        doc => declared.map(|d| d.doc.clone()).unwrap_or_default(),
    }
}

pub(super) fn schema_view(model: &Model, schema: &str, users: Vec<String>) -> Value {
    let declared = model
        .schemas
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(schema));
    let mut create = format!("CREATE SCHEMA {}", identifier(schema));
    if let Some(owner) = declared.and_then(|d| d.authorization.as_ref()) {
        create.push_str(&format!(" AUTHORIZATION {}", identifier(owner)));
    }
    context! {
        ..header("schema", identifier(schema), declared.map(|d| &d.declared)),
        ..context! { schema, users, create }
    }
}

pub(super) fn sequence_view(s: &SequenceDef) -> Value {
    context! {
        ..header("sequence", qualified(&s.name.schema, &s.name.name), Some(&s.declared)),
        ..context! {
            schema => s.name.schema.clone(),
            name => s.name.name.clone(),
            sql_type => s.sql_type.to_string(),
            start => s.start,
            increment => s.increment,
            min => s.min,
            max => s.max,
            cycle => s.cycle,
            cache => match s.cache {
                SequenceCache::Default => Value::from(()),
                SequenceCache::None => Value::from("none"),
                SequenceCache::Size(n) => Value::from(n),
            },
        }
    }
}

pub(super) fn queue_view(q: &QueueDef) -> Value {
    context! {
        ..header("queue", qualified(&q.name.schema, &q.name.name), Some(&q.declared)),
        ..context! {
            schema => q.name.schema.clone(),
            name => q.name.name.clone(),
            poison => q.poison_message_handling,
            activation => q.activation.as_ref().map(|a| context! {
                schema => a.procedure.schema.clone(),
                name => a.procedure.name.clone(),
                max_readers => a.max_readers,
                execute_as => if a.execute_as_owner { "OWNER" } else { "SELF" },
            }),
        }
    }
}

pub(super) fn role_view(r: &RoleDef) -> Value {
    let permissions: Vec<Value> = r
        .permissions
        .iter()
        .map(|p| {
            context! {
                verb => if p.deny { "DENY" } else { "GRANT" },
                permissions => p.permissions.clone(),
                target => match &p.target {
                    PermissionTarget::Schema(s) => format!("SCHEMA::{}", identifier(s)),
                    PermissionTarget::Object(n) => format!("OBJECT::{}", qualified(&n.schema, &n.name)),
                },
            }
        })
        .collect();
    context! {
        ..header("role", identifier(&r.name), Some(&r.declared)),
        ..context! { name => r.name.clone(), permissions }
    }
}
