//! Objects the database holds and the source does not: reported, and
//! dropped only when asked (`--drop-extra`). Dropping a table or a queue
//! loses what it holds, so each of those must also be allowed by name
//! (`schema.table:drop`); the rest hold no data. Drops run after every
//! other change, users before what they use: roles, the policy, services,
//! queues, views, procedures, functions, aggregates, tables (foreign keys
//! between them first), sequences, contracts, message types, schemas.

use super::{Action, Allowances, Blocked, ChangeId, Live, Plan, Risk, Step};
use crate::model::{ObjectKey, QualifiedName, SECURITY_SCHEMA};
use crate::quote_sql::{identifier, qualified};

/// Where a kind's drop goes: lower first.
fn drop_rank(key: &ObjectKey) -> u8 {
    match key {
        ObjectKey::Role(_) => 0,
        ObjectKey::TenantPolicy => 1,
        ObjectKey::Service(_) => 2,
        ObjectKey::Queue(_) => 3,
        ObjectKey::View(_) | ObjectKey::ViewIndex(..) => 4,
        ObjectKey::Routine(3, _) => 5,
        ObjectKey::Routine(..) | ObjectKey::Companion(_) | ObjectKey::TenantPredicate => 6,
        ObjectKey::Aggregate(_) => 7,
        ObjectKey::VectorIndex(..) => 8,
        ObjectKey::Table(_) => 9,
        ObjectKey::Sequence(_) => 10,
        ObjectKey::Assembly(_) => 11,
        ObjectKey::Contract(_) => 12,
        ObjectKey::MessageType(_) => 13,
        ObjectKey::Schema(_) => 14,
    }
}

fn name(n: &QualifiedName) -> String {
    qualified(&n.schema, &n.name)
}

/// The statements that drop one object.
fn drop_batches(key: &ObjectKey, live: &Live) -> Vec<String> {
    match key {
        ObjectKey::Role(r) => vec![format!("DROP ROLE {};", identifier(r))],
        ObjectKey::TenantPolicy => vec![format!(
            "DROP SECURITY POLICY {};",
            qualified(SECURITY_SCHEMA, crate::emit::TENANT_POLICY)
        )],
        ObjectKey::Service(s) => vec![format!("DROP SERVICE {};", identifier(s))],
        ObjectKey::Queue(q) => vec![format!("DROP QUEUE {};", name(q))],
        ObjectKey::View(v) => vec![format!("DROP VIEW {};", name(v))],
        ObjectKey::Routine(3, p) => vec![format!("DROP PROCEDURE {};", name(p))],
        ObjectKey::Routine(_, f) | ObjectKey::Companion(f) => {
            vec![format!("DROP FUNCTION {};", name(f))]
        }
        ObjectKey::TenantPredicate => vec![format!(
            "DROP FUNCTION {};",
            qualified(SECURITY_SCHEMA, crate::emit::TENANT_PREDICATE)
        )],
        ObjectKey::Aggregate(a) => vec![format!("DROP AGGREGATE {};", name(a))],
        ObjectKey::VectorIndex(t, i) | ObjectKey::ViewIndex(t, i) => {
            vec![format!("DROP INDEX {} ON {};", identifier(i), name(t))]
        }
        ObjectKey::Table(t) => {
            let table = live.table(t);
            let mut batches = Vec::new();
            match table.and_then(|t| t.temporal.as_ref()) {
                Some(temporal) => {
                    batches.push(format!(
                        "ALTER TABLE {} SET (SYSTEM_VERSIONING = OFF);",
                        name(t)
                    ));
                    batches.push(format!("DROP TABLE {};", name(t)));
                    batches.push(format!("DROP TABLE {};", name(&temporal.history)));
                }
                None => batches.push(format!("DROP TABLE {};", name(t))),
            }
            batches
        }
        ObjectKey::Sequence(s) => vec![format!("DROP SEQUENCE {};", name(s))],
        ObjectKey::Assembly(a) => vec![format!("DROP ASSEMBLY {};", identifier(a))],
        ObjectKey::Contract(c) => vec![format!("DROP CONTRACT {};", identifier(c))],
        ObjectKey::MessageType(m) => vec![format!("DROP MESSAGE TYPE {};", identifier(m))],
        ObjectKey::Schema(s) => vec![format!("DROP SCHEMA {};", identifier(s))],
    }
}

/// Whether dropping it loses data: tables (rows) and queues (messages).
fn holds_data(key: &ObjectKey) -> Option<&QualifiedName> {
    match key {
        ObjectKey::Table(n) | ObjectKey::Queue(n) => Some(n),
        _ => None,
    }
}

/// With `--drop-extra`, plans the drop of every extra object (those holding
/// data only when allowed) and takes them out of `plan.extra`.
pub(super) fn plan_extra_drops(live: &Live, allow: &Allowances, plan: &mut Plan) {
    if !allow.drops_extra() || plan.extra.is_empty() {
        return;
    }
    let mut extra = std::mem::take(&mut plan.extra);
    extra.sort_by_key(drop_rank);
    let mut dropping: Vec<(ObjectKey, Vec<ChangeId>)> = Vec::new();
    for key in extra {
        let allowed = match holds_data(&key) {
            None => Vec::new(),
            Some(n) => {
                let change = ChangeId {
                    target: n.to_string(),
                    risk: Risk::Drop,
                };
                if !allow.allows(&change) {
                    let lost = if matches!(key, ObjectKey::Queue(_)) {
                        "messages"
                    } else {
                        "rows"
                    };
                    plan.blocked.push(Blocked {
                        object: key,
                        change,
                        summary: "drop (not in the source)".into(),
                        reason: format!("its {lost} would be lost"),
                    });
                    continue;
                }
                vec![change]
            }
        };
        dropping.push((key, allowed));
    }
    // Foreign keys between the tables dropped go first, so the tables can
    // go in any order.
    let tables: Vec<&QualifiedName> = dropping
        .iter()
        .filter_map(|(k, _)| match k {
            ObjectKey::Table(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut foreign_keys = Vec::new();
    for t in &tables {
        if let Some(table) = live.table(t) {
            for fk in &table.foreign_keys {
                foreign_keys.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    name(t),
                    identifier(&fk.name)
                ));
            }
        }
    }
    let mut first_table = true;
    for (key, allowed) in dropping {
        let mut batches = Vec::new();
        if matches!(key, ObjectKey::Table(_)) && first_table {
            first_table = false;
            batches.append(&mut foreign_keys);
        }
        batches.extend(drop_batches(&key, live));
        plan.steps.push(Step {
            object: key,
            action: Action::Drop,
            summary: "not in the source (--drop-extra)".into(),
            batches,
            allowed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_dropped_before_what_they_use() {
        let q = |n: &str| QualifiedName {
            schema: "dbo".into(),
            name: n.into(),
        };
        let mut keys = vec![
            ObjectKey::Schema("s".into()),
            ObjectKey::Table(q("T")),
            ObjectKey::Routine(1, q("f")),
            ObjectKey::Routine(3, q("p")),
            ObjectKey::View(q("v")),
            ObjectKey::Queue(q("Q")),
            ObjectKey::Service("svc".into()),
            ObjectKey::Contract("c".into()),
            ObjectKey::MessageType("m".into()),
            ObjectKey::Role("r".into()),
        ];
        keys.sort_by_key(drop_rank);
        let kinds: Vec<&str> = keys.iter().map(ObjectKey::kind_name).collect();
        assert_eq!(
            kinds,
            [
                "role",
                "service",
                "queue",
                "view",
                "procedure",
                "function",
                "table",
                "contract",
                "message type",
                "schema"
            ]
        );
    }
}
