//! Schemas, sequences, Service Broker objects, roles and the tenant
//! security policy: compared field by field (the catalog cannot give back
//! their script text, and some of it, like a role's statement order, does
//! not matter), created from their generated script when missing, and
//! altered in place where SQL Server can.

use super::{Action, Allowances, Blocked, ChangeId, Plan, Risk, Step};
use crate::emit::TENANT_PREDICATE;
use crate::model::{
    ContractDef, Model, ObjectKey, PermissionDef, PermissionTarget, QualifiedName, QueueDef,
    RoleDef, SECURITY_SCHEMA, SequenceCache, SequenceDef, SqlType, Tenancy, used_schemas,
};
use crate::quote_sql::{identifier, qualified};
use std::collections::BTreeSet;

/// A schema and, where known, its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSchema {
    pub name: String,
    /// From the catalog always; from a model only where it declares one.
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiveMessageType {
    pub name: String,
    /// `NONE`, `EMPTY`, `WELL_FORMED_XML`, or `VALID_XML` (with a schema
    /// collection, which the source cannot declare).
    pub validation: String,
}

/// A queue's settings (its `service` is always `None`: services are
/// compared on their own), with the status bits a deploy turns back on.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveQueue {
    pub queue: QueueDef,
    /// Receive and enqueue on; poison-message handling turns it off.
    pub enabled: bool,
    pub retention: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiveService {
    pub name: String,
    pub queue: QualifiedName,
    pub contracts: Vec<String>,
}

/// One predicate of a security policy, as the catalog states it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LivePredicate {
    /// `schema.table`, lowercased.
    pub table: String,
    /// The predicate call, without spaces or outer parentheses, lowercased:
    /// `[security].[fn_tenantaccesspredicate]([tenantid])`.
    pub call: String,
    /// `FILTER` or `BLOCK`.
    pub kind: String,
    /// `AFTER INSERT`, ...; empty for every operation.
    pub operation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LivePolicy {
    pub enabled: bool,
    pub schema_bound: bool,
    pub predicates: BTreeSet<LivePredicate>,
}

/// Every object of these kinds a database holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveObjects {
    pub schemas: Vec<LiveSchema>,
    pub sequences: Vec<SequenceDef>,
    pub message_types: Vec<LiveMessageType>,
    pub contracts: Vec<ContractDef>,
    pub queues: Vec<LiveQueue>,
    pub services: Vec<LiveService>,
    pub roles: Vec<RoleDef>,
    /// The tenant policy (`[security].[TenantIsolationPolicy]`), if present.
    pub tenant_policy: Option<LivePolicy>,
}

/// A predicate call as compared: no spaces, no outer parentheses, lowercase.
pub fn predicate_call(text: &str) -> String {
    let mut call: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    while call.starts_with('(') && call.ends_with(')') && balanced(&call[1..call.len() - 1]) {
        call = call[1..call.len() - 1].to_string();
    }
    call.to_lowercase()
}

/// Whether every `(` in `text` closes within it (brackets quote).
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '[' if !quoted => quoted = true,
            ']' if quoted => quoted = false,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// The tenant policy the model makes: for each tenant-scoped table a filter
/// predicate and block predicates after insert and after update.
pub fn desired_policy(model: &Model) -> Option<LivePolicy> {
    let mut predicates = BTreeSet::new();
    for table in &model.tables {
        let Tenancy::Column(column) = &table.tenancy else {
            continue;
        };
        let call = predicate_call(&format!(
            "{}({})",
            qualified(SECURITY_SCHEMA, TENANT_PREDICATE),
            identifier(column)
        ));
        let name = format!("{}.{}", table.name.schema, table.name.name).to_lowercase();
        for (kind, operation) in [
            ("FILTER", ""),
            ("BLOCK", "AFTER INSERT"),
            ("BLOCK", "AFTER UPDATE"),
        ] {
            predicates.insert(LivePredicate {
                table: name.clone(),
                call: call.clone(),
                kind: kind.into(),
                operation: operation.into(),
            });
        }
    }
    (!predicates.is_empty()).then_some(LivePolicy {
        enabled: true,
        schema_bound: true,
        predicates,
    })
}

impl LiveObjects {
    /// What a database made from this model holds.
    pub fn from_model(model: &Model) -> Self {
        LiveObjects {
            schemas: used_schemas(model)
                .into_iter()
                .filter(|s| !s.eq_ignore_ascii_case("dbo"))
                .map(|name| LiveSchema {
                    owner: model
                        .schemas
                        .iter()
                        .find(|d| d.name.eq_ignore_ascii_case(&name))
                        .and_then(|d| d.authorization.clone()),
                    name,
                })
                .collect(),
            sequences: model.sequences.clone(),
            message_types: model
                .message_types
                .iter()
                .map(|m| LiveMessageType {
                    name: m.name.clone(),
                    validation: m.validation.sql().into(),
                })
                .collect(),
            contracts: model.contracts.clone(),
            queues: model
                .queues
                .iter()
                .map(|q| LiveQueue {
                    queue: QueueDef {
                        service: None,
                        ..q.clone()
                    },
                    enabled: true,
                    retention: false,
                })
                .collect(),
            services: model
                .queues
                .iter()
                .filter_map(|q| {
                    q.service.as_ref().map(|s| LiveService {
                        name: s.name.clone(),
                        queue: q.name.clone(),
                        contracts: s.contracts.clone(),
                    })
                })
                .collect(),
            roles: model.roles.clone(),
            tenant_policy: desired_policy(model),
        }
    }

    /// Every object's key.
    pub fn keys(&self) -> Vec<ObjectKey> {
        let mut keys: Vec<ObjectKey> = Vec::new();
        keys.extend(
            self.schemas
                .iter()
                .map(|s| ObjectKey::Schema(s.name.clone())),
        );
        keys.extend(
            self.sequences
                .iter()
                .map(|s| ObjectKey::Sequence(s.name.clone())),
        );
        keys.extend(
            self.message_types
                .iter()
                .map(|m| ObjectKey::MessageType(m.name.clone())),
        );
        keys.extend(
            self.contracts
                .iter()
                .map(|c| ObjectKey::Contract(c.name.clone())),
        );
        keys.extend(
            self.queues
                .iter()
                .map(|q| ObjectKey::Queue(q.queue.name.clone())),
        );
        keys.extend(
            self.services
                .iter()
                .map(|s| ObjectKey::Service(s.name.clone())),
        );
        keys.extend(self.roles.iter().map(|r| ObjectKey::Role(r.name.clone())));
        if self.tenant_policy.is_some() {
            keys.push(ObjectKey::TenantPolicy);
        }
        keys
    }
}

/// Whether this kind of object is compared here rather than by script.
pub fn compared_by_fields(key: &ObjectKey) -> bool {
    matches!(
        key,
        ObjectKey::Schema(_)
            | ObjectKey::Sequence(_)
            | ObjectKey::MessageType(_)
            | ObjectKey::Contract(_)
            | ObjectKey::Queue(_)
            | ObjectKey::Service(_)
            | ObjectKey::Role(_)
            | ObjectKey::TenantPolicy
    )
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn same_name(a: &QualifiedName, b: &QualifiedName) -> bool {
    a.collision_key() == b.collision_key()
}

/// Plans one object of a kind [`compared_by_fields`]: its generated script
/// when the database lacks it, an alteration when it differs.
pub fn plan_object(
    key: &ObjectKey,
    script: &str,
    desired: &Model,
    live: &LiveObjects,
    live_tables: &[crate::model::TableDef],
    allow: &Allowances,
    plan: &mut Plan,
) {
    let alter = |summary: String, batches: Vec<String>| Step {
        object: key.clone(),
        action: Action::Alter,
        summary,
        batches,
        allowed: Vec::new(),
    };
    let create = || Step {
        object: key.clone(),
        action: Action::Create,
        summary: "new".into(),
        batches: super::script::batches(script),
        allowed: Vec::new(),
    };
    match key {
        ObjectKey::Schema(name) => {
            let Some(before) = live.schemas.iter().find(|s| same(&s.name, name)) else {
                return plan.steps.push(create());
            };
            let owner = desired
                .schemas
                .iter()
                .find(|d| same(&d.name, name))
                .and_then(|d| d.authorization.as_ref());
            if let Some(owner) = owner
                && !before.owner.as_deref().is_some_and(|o| same(o, owner))
            {
                plan.steps.push(alter(
                    format!(
                        "owner {} → {owner}",
                        before.owner.as_deref().unwrap_or("(not known)")
                    ),
                    vec![format!(
                        "ALTER AUTHORIZATION ON SCHEMA::{} TO {};",
                        identifier(name),
                        identifier(owner)
                    )],
                ));
            }
        }
        ObjectKey::Sequence(name) => {
            let Some(before) = live.sequences.iter().find(|s| same_name(&s.name, name)) else {
                return plan.steps.push(create());
            };
            let Some(after) = desired.sequences.iter().find(|s| &s.name == name) else {
                return;
            };
            if before.sql_type != after.sql_type {
                return retype_sequence(key, script, before, after, live_tables, allow, plan);
            }
            plan_sequence(key, before, after, allow, plan);
        }
        ObjectKey::MessageType(name) => {
            let Some(before) = live.message_types.iter().find(|m| same(&m.name, name)) else {
                return plan.steps.push(create());
            };
            let Some(after) = desired.message_types.iter().find(|m| &m.name == name) else {
                return;
            };
            if before.validation != after.validation.sql() {
                plan.steps.push(alter(
                    format!(
                        "validation {} → {}",
                        before.validation,
                        after.validation.sql()
                    ),
                    vec![format!(
                        "ALTER MESSAGE TYPE {} VALIDATION = {};",
                        identifier(name),
                        after.validation.sql()
                    )],
                ));
            }
        }
        ObjectKey::Contract(name) => {
            let Some(before) = live.contracts.iter().find(|c| same(&c.name, name)) else {
                return plan.steps.push(create());
            };
            let Some(after) = desired.contracts.iter().find(|c| &c.name == name) else {
                return;
            };
            if contract_messages(before) != contract_messages(after) {
                // No ALTER CONTRACT: taken off its services, dropped (which
                // ends its conversations) and created again.
                let change = ChangeId {
                    target: name.clone(),
                    risk: Risk::Drop,
                };
                if !allow.allows(&change) {
                    plan.blocked.push(Blocked {
                        object: key.clone(),
                        change,
                        summary: "messages changed".into(),
                        reason: "SQL Server has no ALTER CONTRACT: it is dropped and created again, which ends the conversations on it with an error (or give the new contract a new name)".into(),
                    });
                    return;
                }
                let services: Vec<&LiveService> = live
                    .services
                    .iter()
                    .filter(|s| s.contracts.iter().any(|c| same(c, name)))
                    .collect();
                let mut batches: Vec<String> = services
                    .iter()
                    .map(|s| {
                        format!(
                            "ALTER SERVICE {} (DROP CONTRACT {});",
                            identifier(&s.name),
                            identifier(name)
                        )
                    })
                    .collect();
                batches.push(format!("DROP CONTRACT {};", identifier(name)));
                batches.extend(super::script::batches(script));
                batches.extend(services.iter().map(|s| {
                    format!(
                        "ALTER SERVICE {} (ADD CONTRACT {});",
                        identifier(&s.name),
                        identifier(name)
                    )
                }));
                plan.steps.push(Step {
                    allowed: vec![change],
                    ..alter(
                        "messages changed: dropped and created, its conversations ended".into(),
                        batches,
                    )
                });
            }
        }
        ObjectKey::Queue(name) => {
            let Some(before) = live.queues.iter().find(|q| same_name(&q.queue.name, name)) else {
                return plan.steps.push(create());
            };
            let Some(after) = desired.queues.iter().find(|q| &q.name == name) else {
                return;
            };
            if let Some(step) = alter_queue(key, before, after) {
                plan.steps.push(step);
            }
        }
        ObjectKey::Service(name) => {
            let Some(before) = live.services.iter().find(|s| same(&s.name, name)) else {
                return plan.steps.push(create());
            };
            let Some((queue, after)) = desired.queues.iter().find_map(|q| {
                q.service
                    .as_ref()
                    .filter(|s| &s.name == name)
                    .map(|s| (q, s))
            }) else {
                return;
            };
            let mut changes = Vec::new();
            let mut summary = Vec::new();
            if !same_name(&before.queue, &queue.name) {
                changes.push(format!(
                    "ON QUEUE {}",
                    qualified(&queue.name.schema, &queue.name.name)
                ));
                summary.push(format!("queue {} → {}", before.queue, queue.name));
            }
            let mut contracts = Vec::new();
            for c in &after.contracts {
                if !before.contracts.iter().any(|b| same(b, c)) {
                    contracts.push(format!("ADD CONTRACT {}", identifier(c)));
                    summary.push(format!("add contract {c}"));
                }
            }
            for c in &before.contracts {
                if !after.contracts.iter().any(|a| same(a, c)) {
                    contracts.push(format!("DROP CONTRACT {}", identifier(c)));
                    summary.push(format!("drop contract {c}"));
                }
            }
            if !contracts.is_empty() {
                changes.push(format!("({})", contracts.join(", ")));
            }
            if !changes.is_empty() {
                plan.steps.push(alter(
                    summary.join(", "),
                    vec![format!(
                        "ALTER SERVICE {} {};",
                        identifier(name),
                        changes.join(" ")
                    )],
                ));
            }
        }
        ObjectKey::Role(name) => {
            let Some(before) = live.roles.iter().find(|r| same(&r.name, name)) else {
                return plan.steps.push(create());
            };
            let Some(after) = desired.roles.iter().find(|r| &r.name == name) else {
                return;
            };
            let recreated = recreated_objects(plan);
            if let Some(step) = alter_role(key, before, after, &recreated) {
                plan.steps.push(step);
            }
        }
        ObjectKey::TenantPolicy => {
            // A changed predicate function dropped the policy first.
            // So did rebuilding a table it covers.
            let predicate_recreated = plan
                .steps
                .iter()
                .any(|s| s.object == ObjectKey::TenantPredicate && s.action == Action::Alter)
                || live.tenant_policy.as_ref().is_some_and(|p| {
                    plan.recreated.iter().any(|n| {
                        let covered = format!("{}.{}", n.schema, n.name).to_lowercase();
                        p.predicates.iter().any(|pr| pr.table == covered)
                    })
                });
            let Some(before) = live.tenant_policy.as_ref().filter(|_| !predicate_recreated) else {
                return plan.steps.push(create());
            };
            if Some(before) != desired_policy(desired).as_ref() {
                let mut batches = vec![format!(
                    "DROP SECURITY POLICY {};",
                    qualified(SECURITY_SCHEMA, crate::emit::TENANT_POLICY)
                )];
                batches.extend(super::script::batches(script));
                plan.steps.push(alter(
                    "tables or predicates changed: dropped and created".into(),
                    batches,
                ));
            }
        }
        _ => {}
    }
}

/// A contract's messages as a set: (name, sent by), case-blind.
fn contract_messages(contract: &ContractDef) -> BTreeSet<(String, &'static str)> {
    contract
        .messages
        .iter()
        .map(|(m, by)| (m.to_lowercase(), by.sql()))
        .collect()
}

/// The smallest and largest value of a sequence's type, where they fit.
fn type_bounds(sql_type: &SqlType) -> Option<(i64, i64)> {
    match sql_type {
        SqlType::TinyInt => Some((0, 255)),
        SqlType::SmallInt => Some((i16::MIN.into(), i16::MAX.into())),
        SqlType::Int => Some((i32::MIN.into(), i32::MAX.into())),
        SqlType::BigInt => Some((i64::MIN, i64::MAX)),
        SqlType::Decimal {
            precision,
            scale: 0,
        } if *precision <= 18 => {
            let max = 10i64.pow(u32::from(*precision)) - 1;
            Some((-max, max))
        }
        _ => None,
    }
}

/// The bounds as written: a bound equal to its type's limit is the same
/// as none (SQL Server stores the limit for `NO MINVALUE`).
fn effective_bounds(s: &SequenceDef) -> (Option<i64>, Option<i64>) {
    let limits = type_bounds(&s.sql_type);
    (
        s.min.filter(|m| limits.is_none_or(|(lo, _)| *m != lo)),
        s.max.filter(|m| limits.is_none_or(|(_, hi)| *m != hi)),
    )
}

/// A sequence of another type: there is no ALTER for it, so the defaults
/// that draw from it are dropped, the sequence dropped and created with its
/// new type, carried on from the last value the old one gave (read on the
/// server at run time), and the defaults put back. A narrower type is a
/// `narrow` change: the next value may not fit, which fails the deployment.
fn retype_sequence(
    key: &ObjectKey,
    script: &str,
    before: &SequenceDef,
    after: &SequenceDef,
    live_tables: &[crate::model::TableDef],
    allow: &Allowances,
    plan: &mut Plan,
) {
    use super::type_change::{TypeChange, classify};
    let name = qualified(&after.name.schema, &after.name.name);
    let summary = format!("type {} → {}", before.sql_type, after.sql_type);
    let mut allowed = Vec::new();
    if classify(before.sql_type, after.sql_type) != TypeChange::Widening {
        let change = ChangeId {
            target: after.name.to_string(),
            risk: Risk::Narrow,
        };
        if !allow.allows(&change) {
            plan.blocked.push(Blocked {
                object: key.clone(),
                change,
                summary,
                reason:
                    "the sequence carries on from its last value, which may not fit the new type"
                        .into(),
            });
            return;
        }
        allowed.push(change);
    }
    // Defaults drawing from it, as the database has them.
    let uses = |expression: &str| {
        let text: String = expression
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '[' && *c != ']')
            .collect();
        let bare = format!("{}.{}", after.name.schema, after.name.name).to_lowercase();
        text.contains(&format!("nextvaluefor{bare}"))
            || (after.name.schema.eq_ignore_ascii_case("dbo")
                && text.contains(&format!("nextvaluefor{}", after.name.name.to_lowercase())))
    };
    let defaults: Vec<(String, String, &crate::model::DefaultDef)> = live_tables
        .iter()
        .flat_map(|t| {
            t.columns.iter().filter_map(move |c| {
                c.default.as_ref().filter(|d| uses(&d.expression)).map(|d| {
                    (
                        qualified(&t.name.schema, &t.name.name),
                        c.sql_name.clone(),
                        d,
                    )
                })
            })
        })
        .collect();
    let mut batches: Vec<String> = defaults
        .iter()
        .map(|(table, _, d)| {
            format!(
                "ALTER TABLE {table} DROP CONSTRAINT {};",
                identifier(&d.name)
            )
        })
        .collect();
    // The new sequence starts where the source says (so its start value
    // compares equal next time), then hands out, unused, every value up to
    // the last one the old sequence gave: the next is the one after it.
    let literal = crate::quote_sql::string_literal(&name);
    batches.push(format!(
        "DECLARE @last DECIMAL(38, 0) = (SELECT CAST(last_used_value AS DECIMAL(38, 0)) FROM sys.sequences WHERE object_id = OBJECT_ID({literal}));\nDROP SEQUENCE {name};\n{}\nIF @last IS NOT NULL\nBEGIN\n    DECLARE @taken BIGINT = CAST((@last - ({})) / ({}) AS BIGINT) + 1;\n    IF @taken > 0\n        EXEC sys.sp_sequence_get_range @sequence_name = {literal}, @range_size = @taken;\nEND;",
        super::script::batches(script).join("\n"),
        after.start,
        after.increment
    ));
    batches.extend(defaults.iter().map(|(table, column, d)| {
        format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} DEFAULT ({}) FOR {};",
            identifier(&d.name),
            d.expression,
            identifier(column)
        )
    }));
    plan.steps.push(Step {
        object: key.clone(),
        action: Action::Alter,
        summary: format!("{summary}: dropped and created, carrying on from its last value"),
        batches,
        allowed,
    });
    // Its permissions went with it.
    plan.recreated.push(after.name.clone());
}

fn plan_sequence(
    key: &ObjectKey,
    before: &SequenceDef,
    after: &SequenceDef,
    allow: &Allowances,
    plan: &mut Plan,
) {
    let name = qualified(&after.name.schema, &after.name.name);
    let mut options = Vec::new();
    let mut summary = Vec::new();
    if before.increment != after.increment {
        options.push(format!("INCREMENT BY {}", after.increment));
        summary.push(format!(
            "increment {} → {}",
            before.increment, after.increment
        ));
    }
    let (min_before, max_before) = effective_bounds(before);
    let (min_after, max_after) = effective_bounds(after);
    let bound = |v: Option<i64>, word: &str| match v {
        Some(v) => format!("{word} {v}"),
        None => format!("NO {word}"),
    };
    let shown = |v: Option<i64>| v.map_or("none".to_string(), |v| v.to_string());
    if min_before != min_after {
        options.push(bound(min_after, "MINVALUE"));
        summary.push(format!("min {} → {}", shown(min_before), shown(min_after)));
    }
    if max_before != max_after {
        options.push(bound(max_after, "MAXVALUE"));
        summary.push(format!("max {} → {}", shown(max_before), shown(max_after)));
    }
    if before.cycle != after.cycle {
        options.push(if after.cycle { "CYCLE" } else { "NO CYCLE" }.into());
        summary.push(if after.cycle { "cycle" } else { "no cycle" }.into());
    }
    if before.cache != after.cache {
        options.push(match after.cache {
            SequenceCache::Default => "CACHE".into(),
            SequenceCache::None => "NO CACHE".into(),
            SequenceCache::Size(n) => format!("CACHE {n}"),
        });
        let cache = |c: SequenceCache| match c {
            SequenceCache::Default => "default".to_string(),
            SequenceCache::None => "none".to_string(),
            SequenceCache::Size(n) => n.to_string(),
        };
        summary.push(format!(
            "cache {} → {}",
            cache(before.cache),
            cache(after.cache)
        ));
    }
    let mut allowed = Vec::new();
    if before.start != after.start {
        let change = ChangeId {
            target: after.name.to_string(),
            risk: Risk::Restart,
        };
        let text = format!("start {} → {}", before.start, after.start);
        if allow.allows(&change) {
            options.insert(0, format!("RESTART WITH {}", after.start));
            summary.push(format!("{text}: restarted"));
            allowed.push(change);
        } else {
            plan.blocked.push(Blocked {
                object: key.clone(),
                change,
                summary: text,
                reason: "restarting a sequence hands out values it has given before".into(),
            });
        }
    }
    if !options.is_empty() {
        plan.steps.push(Step {
            object: key.clone(),
            action: Action::Alter,
            summary: summary.join(", "),
            batches: vec![format!("ALTER SEQUENCE {name} {};", options.join(" "))],
            allowed,
        });
    }
}

fn alter_queue(key: &ObjectKey, before: &LiveQueue, after: &QueueDef) -> Option<Step> {
    let mut summary = Vec::new();
    let mut options = Vec::new();
    if !before.enabled {
        options.push("STATUS = ON".to_string());
        summary.push("enabled again (it was off: poison-message handling, or by hand)".to_string());
    }
    if before.retention {
        options.push("RETENTION = OFF".into());
        summary.push("retention off".into());
    }
    let activation = |q: &QueueDef| {
        q.activation.as_ref().map(|a| {
            (
                a.procedure.collision_key(),
                a.max_readers,
                a.execute_as_owner,
            )
        })
    };
    if activation(&before.queue) != activation(after) {
        match &after.activation {
            Some(a) => {
                options.push(format!(
                    "ACTIVATION (STATUS = ON, PROCEDURE_NAME = {}, MAX_QUEUE_READERS = {}, EXECUTE AS {})",
                    qualified(&a.procedure.schema, &a.procedure.name),
                    a.max_readers,
                    if a.execute_as_owner { "OWNER" } else { "SELF" }
                ));
                summary.push(format!(
                    "activation {}, {} reader{}",
                    a.procedure,
                    a.max_readers,
                    if a.max_readers == 1 { "" } else { "s" }
                ));
            }
            None => {
                options.push("ACTIVATION (DROP)".into());
                summary.push("activation dropped".into());
            }
        }
    }
    if before.queue.poison_message_handling != after.poison_message_handling {
        options.push(format!(
            "POISON_MESSAGE_HANDLING (STATUS = {})",
            if after.poison_message_handling {
                "ON"
            } else {
                "OFF"
            }
        ));
        summary.push(format!(
            "poison-message handling {}",
            if after.poison_message_handling {
                "on"
            } else {
                "off"
            }
        ));
    }
    (!options.is_empty()).then(|| Step {
        object: key.clone(),
        action: Action::Alter,
        summary: summary.join(", "),
        batches: vec![format!(
            "ALTER QUEUE {} WITH {};",
            qualified(&after.name.schema, &after.name.name),
            options.join(", ")
        )],
        allowed: Vec::new(),
    })
}

/// A role's permissions as (permission, target) → deny, case-blind.
fn grants(role: &RoleDef) -> std::collections::BTreeMap<(String, String), (bool, String, String)> {
    let mut out = std::collections::BTreeMap::new();
    for p in &role.permissions {
        let target = target_text(&p.target);
        for permission in &p.permissions {
            out.insert(
                (permission.to_uppercase(), target.to_lowercase()),
                (p.deny, permission.to_uppercase(), target.clone()),
            );
        }
    }
    out
}

fn target_text(target: &PermissionTarget) -> String {
    match target {
        PermissionTarget::Schema(s) => format!("SCHEMA::{}", identifier(s)),
        PermissionTarget::Object(n) => format!("OBJECT::{}", qualified(&n.schema, &n.name)),
    }
}

/// Objects this plan drops and creates again (`OBJECT::[schema].[name]`,
/// lowercased): the permissions on them go with them and are granted again.
fn recreated_objects(plan: &Plan) -> BTreeSet<String> {
    let object = |schema: &str, name: &str| {
        target_text(&PermissionTarget::Object(QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }))
        .to_lowercase()
    };
    plan.steps
        .iter()
        .filter_map(|step| match (&step.object, step.action) {
            (ObjectKey::Aggregate(name), Action::Alter) => Some(object(&name.schema, &name.name)),
            _ => None,
        })
        .chain(plan.recreated.iter().map(|n| object(&n.schema, &n.name)))
        .collect()
}

fn alter_role(
    key: &ObjectKey,
    before: &RoleDef,
    after: &RoleDef,
    recreated: &BTreeSet<String>,
) -> Option<Step> {
    let mut old = grants(before);
    old.retain(|(_, target), _| !recreated.contains(target));
    let new = grants(after);
    let role = identifier(&after.name);
    let mut batches = Vec::new();
    let mut summary = Vec::new();
    for (k, (_, permission, target)) in &old {
        if !new.contains_key(k) {
            batches.push(format!("REVOKE {permission} ON {target} FROM {role};"));
            summary.push(format!("revoke {permission} on {target}"));
        }
    }
    for (k, (deny, permission, target)) in &new {
        if old.get(k).map(|(d, _, _)| d) != Some(deny) {
            let verb = if *deny { "DENY" } else { "GRANT" };
            batches.push(format!("{verb} {permission} ON {target} TO {role};"));
            summary.push(format!("{} {permission} on {target}", verb.to_lowercase()));
        }
    }
    (!batches.is_empty()).then(|| Step {
        object: key.clone(),
        action: Action::Alter,
        summary: summary.join(", "),
        batches: vec![batches.join("\n")],
        allowed: Vec::new(),
    })
}

/// A permission row read from the catalog, as the model states it.
pub fn permission(deny: bool, permission: &str, target: PermissionTarget) -> PermissionDef {
    PermissionDef {
        deny,
        permissions: vec![permission.to_uppercase()],
        target,
        span: super::catalog::catalog_span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicate_calls_compare_without_spacing_and_outer_parentheses() {
        assert_eq!(
            predicate_call("([security].[fn_TenantAccessPredicate]([TenantId]))"),
            "[security].[fn_tenantaccesspredicate]([tenantid])"
        );
        assert_eq!(
            predicate_call("[security].[fn_TenantAccessPredicate] ( [TenantId] )"),
            "[security].[fn_tenantaccesspredicate]([tenantid])"
        );
        // Parentheses that do not wrap the whole call stay.
        assert_eq!(predicate_call("(a)(b)"), "(a)(b)");
        assert_eq!(predicate_call("[(x]"), "[(x]");
    }

    #[test]
    fn sequence_bounds_at_the_type_limit_are_no_bounds() {
        let s = |min, max, sql_type| SequenceDef {
            name: QualifiedName {
                schema: "dbo".into(),
                name: "S".into(),
            },
            sql_type,
            start: 1,
            increment: 1,
            min,
            max,
            cycle: false,
            cache: SequenceCache::Default,
            declared: super::super::catalog::catalog_declared("S"),
        };
        assert_eq!(
            effective_bounds(&s(Some(i32::MIN.into()), Some(7), SqlType::Int)),
            (None, Some(7))
        );
        assert_eq!(
            effective_bounds(&s(
                Some(-99),
                Some(99),
                SqlType::Decimal {
                    precision: 2,
                    scale: 0
                }
            )),
            (None, None)
        );
        assert_eq!(
            effective_bounds(&s(Some(0), None, SqlType::BigInt)),
            (Some(0), None)
        );
    }
}
