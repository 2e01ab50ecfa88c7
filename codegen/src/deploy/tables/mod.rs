//! One table, live against desired: columns, defaults, constraints and
//! indexes altered in place; what would lose data blocked unless allowed,
//! with a guard in the script where the allowance rests on an assumption
//! about the rows (no NULLs, values that fit, an empty table).

mod columns;
mod dependents;
mod rebuild;
mod versioning;

pub use rebuild::Surroundings;

use super::{Action, Allowances, Blocked, ChangeId, Plan, Risk, Step};
use crate::model::{ObjectKey, TableDef, TemporalDef};
use crate::quote_sql::{identifier, qualified, string_literal};
use dependents::{Dependent, altered_columns, constraints, indexes, keyed_changes, rename_column};

/// The changes to one table, in an order SQL Server accepts: constraints
/// and indexes that go or change are dropped first, columns changed, then
/// constraints and indexes added. A memory-optimized table's `ALTER TABLE`
/// runs only outside a transaction (SQL Server error 12331): its steps are
/// moved out of the deployment's transaction afterwards (`move_outside`).
pub fn plan_table(
    live: &TableDef,
    desired: &TableDef,
    surroundings: &Surroundings<'_>,
    allow: &Allowances,
    plan: &mut Plan,
) {
    let mut live = live.clone();
    // Versioning turned on or off, or moved: planned first, and `live`
    // then stands for the table as versioned as desired.
    let versioning = versioning::plan_versioning(&mut live, desired, plan);
    let table = Table {
        object: ObjectKey::Table(desired.name.clone()),
        sql: qualified(&desired.name.schema, &desired.name.name),
        schema: desired.name.schema.clone(),
        target: desired.name.to_string(),
        // Both sides versioned alike (a difference is planned or blocked
        // below, before any column change).
        temporal: live.temporal.as_ref().and(desired.temporal.clone()),
    };
    if let Err(reason) = versioning {
        table.not_planned(
            plan,
            format!("change the versioning of {}", table.sql),
            &reason,
        );
        return;
    }
    if let Some((before, after)) = retention_change(&live, desired) {
        // Only the retention differs: set in place, history kept.
        table.safe(
            plan,
            format!(
                "history retention {} → {}",
                before.retention.as_deref().unwrap_or("INFINITE"),
                after.retention.as_deref().unwrap_or("INFINITE")
            ),
            vec![format!(
                "ALTER TABLE {} SET (SYSTEM_VERSIONING = ON (HISTORY_RETENTION_PERIOD = {}));",
                table.sql,
                after.retention.as_deref().unwrap_or("INFINITE")
            )],
        );
    }
    // Declared column renames: the live column, renamed, stands for the
    // desired one from here on.
    for after in &desired.columns {
        let Some(old) = &after.renamed_from else {
            continue;
        };
        match (
            live.column(old).is_some(),
            live.column(&after.sql_name).is_some(),
        ) {
            (true, false) => {
                table.safe(
                    plan,
                    format!(
                        "rename column {} to {}",
                        identifier(old),
                        identifier(&after.sql_name)
                    ),
                    vec![format!(
                        "EXEC sp_rename {}, {}, N'COLUMN';",
                        string_literal(&format!("{}.{}", table.sql, identifier(old))),
                        string_literal(&after.sql_name)
                    )],
                );
                rename_column(&mut live, old, &after.sql_name);
            }
            (true, true) => plan.blocked.push(Blocked {
                object: table.object.clone(),
                change: table.column_change(&after.sql_name, Risk::Unplanned),
                summary: format!(
                    "rename column {} to {}",
                    identifier(old),
                    identifier(&after.sql_name)
                ),
                reason: format!(
                    "both {} and {} exist: drop one by hand, or remove `renamed_from`",
                    identifier(old),
                    identifier(&after.sql_name)
                ),
            }),
            // Renamed already, or never there: nothing to rename.
            _ => {}
        }
    }
    let live = &live;
    if let Some(reason) = rebuild_reason(live, desired) {
        rebuild::plan_rebuild(live, desired, surroundings, allow, plan, &table, &reason);
        return;
    }

    // Constraints and indexes that go or change, or stand on a column
    // being altered: dropped first.
    let altered = altered_columns(live, desired);
    let (drop_keys, add_keys) = keyed_changes(&constraints(live), &constraints(desired), &altered);
    let (drop_keys, add_keys) = table.renamed(plan, drop_keys, add_keys, false);
    // Constraints and indexes on a column whose drop or addition stays
    // blocked are held back with it, as blocked under the same change
    // (allowing it plans them all), so the table is never left half-changed
    // and no step fails on a missing column.
    let held = held_columns(live, desired, &table, allow);
    let hold = |dependents: Vec<Dependent>, plan: &mut Plan, dropping: bool, what: &str| {
        dependents
            .into_iter()
            .filter(|d| {
                let Some(h) = held
                    .iter()
                    .find(|h| h.dropped == dropping && d.uses(&h.column))
                else {
                    return true;
                };
                let (summary, reason) = if dropping {
                    (
                        format!("drop {what} {}", identifier(&d.name)),
                        format!(
                            "it stands on {}, whose drop is blocked",
                            identifier(&h.column)
                        ),
                    )
                } else {
                    (
                        format!("{what} {}", identifier(&d.name)),
                        format!(
                            "it uses {}, whose addition is blocked",
                            identifier(&h.column)
                        ),
                    )
                };
                plan.blocked.push(Blocked {
                    object: table.object.clone(),
                    change: h.change.clone(),
                    summary,
                    reason,
                });
                false
            })
            .collect::<Vec<_>>()
    };
    let drop_keys = hold(drop_keys, plan, true, "constraint");
    // A memory-optimized table: a bucket count alone changes in place; its
    // primary key cannot go (a durable one must always have one).
    let (drop_keys, add_keys) = if live.memory_optimized.is_some() {
        let (drop_keys, add_keys) = table.rebucketed(plan, drop_keys, add_keys);
        if let Some(pk) = drop_keys.iter().find(|d| {
            live.primary_key
                .as_ref()
                .is_some_and(|k| k.name.eq_ignore_ascii_case(&d.name))
        }) {
            table.not_planned(
                plan,
                format!("change primary key {}", identifier(&pk.name)),
                "a memory-optimized table's primary key is changed only by rebuilding the table outside a transaction, which is not planned yet: change it by hand, or keep the key (a bucket count alone changes in place)",
            );
            return;
        }
        (drop_keys, add_keys)
    } else {
        (drop_keys, add_keys)
    };
    if let Some(key) = drop_keys
        .iter()
        .find(|d| d.key && altered.iter().any(|c| d.uses(c)))
    {
        let reason = format!(
            "a column of key {} changes, and keys of other tables may stand on it",
            identifier(&key.name)
        );
        rebuild::plan_rebuild(live, desired, surroundings, allow, plan, &table, &reason);
        return;
    }
    for d in &drop_keys {
        table.safe(
            plan,
            format!("drop constraint {}", identifier(&d.name)),
            vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                table.sql,
                identifier(&d.name)
            )],
        );
    }
    let (drop_indexes, add_indexes) = keyed_changes(&indexes(live), &indexes(desired), &altered);
    let (drop_indexes, add_indexes) = table.renamed(plan, drop_indexes, add_indexes, true);
    let (drop_indexes, add_indexes) = if live.memory_optimized.is_some() {
        table.rebucketed(plan, drop_indexes, add_indexes)
    } else {
        (drop_indexes, add_indexes)
    };
    let drop_indexes = hold(drop_indexes, plan, true, "index");
    for d in &drop_indexes {
        // A memory-optimized table's indexes go through ALTER TABLE.
        let statement = if live.memory_optimized.is_some() {
            format!(
                "ALTER TABLE {} DROP INDEX {};",
                table.sql,
                identifier(&d.name)
            )
        } else {
            format!("DROP INDEX {} ON {};", identifier(&d.name), table.sql)
        };
        table.safe(
            plan,
            format!("drop index {}", identifier(&d.name)),
            vec![statement],
        );
    }

    // Columns.
    for before in &live.columns {
        if desired.column(&before.sql_name).is_none() {
            let mut batches = Vec::new();
            if let Some(default) = &before.default {
                batches.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    table.sql,
                    identifier(&default.name)
                ));
            }
            batches.push(format!(
                "ALTER TABLE {} DROP COLUMN {};",
                table.sql,
                identifier(&before.sql_name)
            ));
            table.risky(
                plan,
                allow,
                table.column_change(&before.sql_name, Risk::Drop),
                format!("drop column {}", identifier(&before.sql_name)),
                "its values are lost",
                Some(batches),
            );
        }
    }
    for after in &desired.columns {
        match live.column(&after.sql_name) {
            None => table.add_column(after, allow, plan),
            Some(before) => table.change_column(before, after, allow, plan),
        }
    }

    let add_keys = hold(add_keys, plan, false, "add constraint");
    let add_indexes = hold(add_indexes, plan, false, "create index");
    for d in &add_keys {
        table.safe(
            plan,
            format!("add constraint {}", identifier(&d.name)),
            vec![format!("ALTER TABLE {} ADD {};", table.sql, d.definition)],
        );
    }
    for d in &add_indexes {
        table.safe(
            plan,
            format!("create index {}", identifier(&d.name)),
            vec![d.definition.replace("{table}", &table.sql)],
        );
    }
}

/// A column whose drop or addition stays blocked, and the change that
/// would unblock it.
struct Held {
    column: String,
    dropped: bool,
    change: ChangeId,
}

fn held_columns(
    live: &TableDef,
    desired: &TableDef,
    table: &Table,
    allow: &Allowances,
) -> Vec<Held> {
    let dropped = live
        .columns
        .iter()
        .filter(|c| desired.column(&c.sql_name).is_none())
        .map(|c| (c, true, Risk::Drop));
    let added = desired
        .columns
        .iter()
        .filter(|c| live.column(&c.sql_name).is_none() && !columns::fills_itself(c))
        .map(|c| (c, false, Risk::Required));
    dropped
        .chain(added)
        .map(|(c, dropped, risk)| Held {
            column: c.sql_name.clone(),
            dropped,
            change: table.column_change(&c.sql_name, risk),
        })
        .filter(|h| !allow.allows(&h.change))
        .collect()
}

/// Why the table cannot be changed in place, if it cannot.
fn rebuild_reason(live: &TableDef, desired: &TableDef) -> Option<String> {
    const BY_COPY: &str = "SQL Server cannot alter that in place";
    if live.memory_optimized != desired.memory_optimized {
        return Some(format!("its memory-optimized setting changes: {BY_COPY}"));
    }
    if !same_graph(&live.graph, &desired.graph) {
        return Some(format!("it changes to or from a graph table: {BY_COPY}"));
    }
    if !same_temporal(live.temporal.as_ref(), desired.temporal.as_ref())
        && retention_change(live, desired).is_none()
    {
        return Some(
            "its system versioning changes, which is not planned in place yet (versioning off, both tables altered, versioning on with the same history and retention)"
                .into(),
        );
    }
    for after in &desired.columns {
        if let Some(before) = live.column(&after.sql_name) {
            if before.identity != after.identity {
                return Some(format!(
                    "column {} gains, loses or changes IDENTITY: {BY_COPY}",
                    identifier(&after.sql_name)
                ));
            }
            if before.computed.is_some() != after.computed.is_some() {
                return Some(format!(
                    "column {} changes between computed and stored: {BY_COPY}",
                    identifier(&after.sql_name)
                ));
            }
        }
    }
    None
}

/// The same graph kind: node, or edge with the same connections (as a
/// set, names compared as SQL Server compares them) and delete rule.
fn same_graph(a: &crate::model::GraphKind, b: &crate::model::GraphKind) -> bool {
    use crate::model::GraphKind;
    let connections = |c: &[crate::model::EdgeConnection]| {
        c.iter()
            .map(|e| (e.from.collision_key(), e.to.collision_key()))
            .collect::<std::collections::BTreeSet<_>>()
    };
    match (a, b) {
        (GraphKind::None, GraphKind::None) | (GraphKind::Node, GraphKind::Node) => true,
        (
            GraphKind::Edge {
                connections: ca,
                cascade: xa,
            },
            GraphKind::Edge {
                connections: cb,
                cascade: xb,
            },
        ) => xa == xb && connections(ca) == connections(cb),
        _ => false,
    }
}

/// Both sides' versioning, when they differ in the retention alone (set
/// in place, the history kept).
fn retention_change<'a>(
    live: &'a TableDef,
    desired: &'a TableDef,
) -> Option<(&'a TemporalDef, &'a TemporalDef)> {
    let (before, after) = (live.temporal.as_ref()?, desired.temporal.as_ref()?);
    let only_retention = TemporalDef {
        retention: before.retention.clone(),
        ..after.clone()
    };
    (same_temporal(Some(before), Some(&only_retention))
        && !same_temporal(Some(before), Some(after)))
    .then_some((before, after))
}

/// The same system versioning: history table, retention and period
/// columns, names and units compared as SQL Server compares them.
fn same_temporal(a: Option<&TemporalDef>, b: Option<&TemporalDef>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let retention = |t: &TemporalDef| {
                t.retention
                    .as_deref()
                    .map(|r| r.to_uppercase())
                    .filter(|r| r != "INFINITE")
            };
            a.history.collision_key() == b.history.collision_key()
                && retention(a) == retention(b)
                && a.start.eq_ignore_ascii_case(&b.start)
                && a.end.eq_ignore_ascii_case(&b.end)
                && a.hidden == b.hidden
        }
        _ => false,
    }
}

struct Table {
    object: ObjectKey,
    /// `[schema].[name]`.
    sql: String,
    schema: String,
    /// System versioning, when the table has it on both sides.
    temporal: Option<TemporalDef>,
    /// `schema.name`, as allowances name it.
    target: String,
}

impl Table {
    /// Hash indexes and keys whose bucket count alone changes:
    /// `ALTER INDEX .. REBUILD WITH (BUCKET_COUNT = n)`, taken out of the
    /// drops and adds.
    fn rebucketed(
        &self,
        plan: &mut Plan,
        drop: Vec<Dependent>,
        add: Vec<Dependent>,
    ) -> (Vec<Dependent>, Vec<Dependent>) {
        /// The definition without its bucket count, and the count.
        fn split(definition: &str) -> Option<(String, u64)> {
            let at = definition.find("BUCKET_COUNT = ")?;
            let digits: String = definition[at + 15..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let count = digits.parse().ok()?;
            let rest = format!(
                "{}{}",
                &definition[..at],
                &definition[at + 15 + digits.len()..]
            );
            Some((rest, count))
        }
        let mut rebuilt = Vec::new();
        for d in &drop {
            let Some(a) = add.iter().find(|a| a.name.eq_ignore_ascii_case(&d.name)) else {
                continue;
            };
            if let (Some((before, _)), Some((after, count))) =
                (split(&d.definition), split(&a.definition))
                && before == after
            {
                rebuilt.push(d.name.clone());
                self.safe(
                    plan,
                    format!("bucket count of {} → {count}", identifier(&d.name)),
                    vec![format!(
                        "ALTER TABLE {} ALTER INDEX {} REBUILD WITH (BUCKET_COUNT = {count});",
                        self.sql,
                        identifier(&d.name)
                    )],
                );
            }
        }
        let kept = |list: Vec<Dependent>| {
            list.into_iter()
                .filter(|d| !rebuilt.iter().any(|n| n.eq_ignore_ascii_case(&d.name)))
                .collect::<Vec<_>>()
        };
        (kept(drop), kept(add))
    }

    fn column_change(&self, column: &str, risk: Risk) -> ChangeId {
        ChangeId {
            target: format!("{}.{}", self.target, column),
            risk,
        }
    }

    /// A change SQL Server can make only in ways not planned yet (a rebuild
    /// by copy, keys of other tables): blocked with its reason, allowed or
    /// not.
    fn not_planned(&self, plan: &mut Plan, summary: String, reason: &str) {
        plan.blocked.push(Blocked {
            object: self.object.clone(),
            change: ChangeId {
                target: self.target.clone(),
                risk: Risk::Unplanned,
            },
            summary,
            reason: reason.to_string(),
        });
    }

    fn safe(&self, plan: &mut Plan, summary: String, batches: Vec<String>) {
        plan.steps.push(Step {
            object: self.object.clone(),
            action: Action::Alter,
            summary,
            batches,
            allowed: Vec::new(),
        });
    }

    /// A change that can lose data: planned (guard first) when allowed and
    /// `batches` is given, blocked otherwise.
    fn risky(
        &self,
        plan: &mut Plan,
        allow: &Allowances,
        change: ChangeId,
        summary: String,
        reason: &str,
        batches: Option<Vec<String>>,
    ) {
        match batches {
            Some(batches) if allow.allows(&change) => plan.steps.push(Step {
                object: self.object.clone(),
                action: Action::Alter,
                summary,
                batches,
                allowed: vec![change],
            }),
            _ => plan.blocked.push(Blocked {
                object: self.object.clone(),
                change,
                summary,
                reason: reason.to_string(),
            }),
        }
    }

    /// `IF EXISTS (SELECT TOP 1 1 FROM t WHERE condition) THROW ...`: stops
    /// the deployment (and rolls it back) where the rows break the
    /// assumption an allowance made.
    fn guard(&self, condition: Option<&str>, message: &str) -> String {
        let filter = condition.map(|c| format!(" WHERE {c}")).unwrap_or_default();
        // A versioned table's change reaches its history rows too.
        let history = match (&self.temporal, condition) {
            (Some(t), Some(_)) => format!(
                "\n    OR EXISTS (SELECT TOP 1 1 FROM {}{filter})",
                qualified(&t.history.schema, &t.history.name)
            ),
            _ => String::new(),
        };
        format!(
            "IF EXISTS (SELECT TOP 1 1 FROM {}{filter}){history}\n    THROW 50000, {}, 1;",
            self.sql,
            string_literal(message)
        )
    }

    /// `batches` with versioning off around them, then on again with the
    /// same history table and retention (SQL Server refuses some changes
    /// on a versioned table, NULL to NOT NULL among them).
    fn versioning_off(&self, batches: Vec<String>) -> Vec<String> {
        let Some(t) = &self.temporal else {
            return batches;
        };
        let mut all = vec![format!(
            "ALTER TABLE {} SET (SYSTEM_VERSIONING = OFF);",
            self.sql
        )];
        all.extend(batches);
        all.push(versioning_on(&self.sql, t, true));
        all
    }
}

/// `ALTER TABLE .. SET (SYSTEM_VERSIONING = ON (HISTORY_TABLE = ..,
/// [DATA_CONSISTENCY_CHECK = ON,] retention))`: `table` is `[schema].[name]`.
fn versioning_on(table: &str, temporal: &TemporalDef, consistency_check: bool) -> String {
    format!(
        "ALTER TABLE {table} SET (SYSTEM_VERSIONING = ON (HISTORY_TABLE = {}{}{}));",
        qualified(&temporal.history.schema, &temporal.history.name),
        if consistency_check {
            ", DATA_CONSISTENCY_CHECK = ON"
        } else {
            ""
        },
        temporal
            .retention
            .as_deref()
            .map(|r| format!(", HISTORY_RETENTION_PERIOD = {r}"))
            .unwrap_or_default()
    )
}
