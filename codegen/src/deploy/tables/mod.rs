//! One table, live against desired: columns, defaults, constraints and
//! indexes altered in place; what would lose data blocked unless allowed,
//! with a guard in the script where the allowance rests on an assumption
//! about the rows (no NULLs, values that fit, an empty table).

mod columns;
mod dependents;

use super::{Action, Allowances, Blocked, ChangeId, Plan, Risk, Step};
use crate::model::{ObjectKey, TableDef, TemporalDef};
use crate::quote_sql::{identifier, qualified, string_literal};
use dependents::{Dependent, altered_columns, constraints, indexes, keyed_changes, rename_column};

/// The changes to one table, in an order SQL Server accepts: constraints
/// and indexes that go or change are dropped first, columns changed, then
/// constraints and indexes added.
pub fn plan_table(live: &TableDef, desired: &TableDef, allow: &Allowances, plan: &mut Plan) {
    let (steps_before, blocked_before) = (plan.steps.len(), plan.blocked.len());
    plan_table_changes(live, desired, allow, plan);
    hold_back_dependents(plan, steps_before, blocked_before);
}

/// Steps of this table that use a column whose addition is blocked would
/// fail on the missing column: they are held back with it, as blocked
/// under the same change (allowing it plans them all).
fn hold_back_dependents(plan: &mut Plan, steps_before: usize, blocked_before: usize) {
    let missing: Vec<(String, ChangeId)> = plan.blocked[blocked_before..]
        .iter()
        .filter(|b| b.change.risk == Risk::Required)
        .filter_map(|b| {
            let column = b.change.target.rsplit('.').next()?;
            Some((identifier(column), b.change.clone()))
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut i = steps_before;
    while i < plan.steps.len() {
        let uses = missing.iter().find(|(column, _)| {
            plan.steps[i]
                .batches
                .iter()
                .any(|b| b.to_lowercase().contains(&column.to_lowercase()))
        });
        match uses {
            Some((column, change)) => {
                let step = plan.steps.remove(i);
                plan.blocked.push(Blocked {
                    object: step.object,
                    change: change.clone(),
                    summary: step.summary,
                    reason: format!("it uses {column}, whose addition is blocked"),
                });
            }
            None => i += 1,
        }
    }
}

fn plan_table_changes(live: &TableDef, desired: &TableDef, allow: &Allowances, plan: &mut Plan) {
    let mut live = live.clone();
    let table = Table {
        object: ObjectKey::Table(desired.name.clone()),
        sql: qualified(&desired.name.schema, &desired.name.name),
        schema: desired.name.schema.clone(),
        target: desired.name.to_string(),
        // Both sides versioned alike (a difference is planned or blocked
        // below, before any column change).
        temporal: live.temporal.as_ref().and(desired.temporal.clone()),
    };
    if let (Some(before), Some(after)) = (&live.temporal, &desired.temporal)
        && same_temporal(
            Some(before),
            Some(&with_retention(after, &before.retention)),
        )
        && !same_temporal(Some(before), Some(after))
    {
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
                change: table.column_change(&after.sql_name, Risk::Rebuild),
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
    let rebuild = rebuild_reason(live, desired);
    if let Some(reason) = rebuild {
        table.not_planned(plan, format!("rebuild {}", table.sql), &reason);
        return;
    }

    // Constraints and indexes that go or change, or stand on a column
    // being altered: dropped first.
    let altered = altered_columns(live, desired);
    let (drop_keys, add_keys) = keyed_changes(&constraints(live), &constraints(desired), &altered);
    let (drop_keys, add_keys) = table.renamed(plan, drop_keys, add_keys, false);
    // A column whose drop stays blocked keeps what stands on it: those
    // drops are held back with it, so the table is not left half-changed.
    let kept: Vec<ChangeId> = live
        .columns
        .iter()
        .filter(|c| desired.column(&c.sql_name).is_none())
        .map(|c| table.column_change(&c.sql_name, Risk::Drop))
        .filter(|change| !allow.allows(change))
        .collect();
    let hold = |drops: Vec<Dependent>, plan: &mut Plan, what: &str| -> Vec<Dependent> {
        drops
            .into_iter()
            .filter(|d| {
                let column = kept.iter().find(|change| {
                    let name = change.target.rsplit('.').next().unwrap_or_default();
                    d.uses(name)
                });
                if let Some(change) = column {
                    plan.blocked.push(Blocked {
                        object: table.object.clone(),
                        change: change.clone(),
                        summary: format!("drop {what} {}", identifier(&d.name)),
                        reason: format!(
                            "it stands on {}, whose drop is blocked",
                            identifier(change.target.rsplit('.').next().unwrap_or_default())
                        ),
                    });
                }
                column.is_none()
            })
            .collect()
    };
    let drop_keys = hold(drop_keys, plan, "constraint");
    if let Some(key) = drop_keys
        .iter()
        .find(|d| d.key && altered.iter().any(|c| d.uses(c)))
    {
        table.not_planned(plan, format!("alter a column of {}", identifier(&key.name)), "a column of a primary or foreign key changes: the keys of other tables that depend on it would have to go and come back, which is not planned yet");
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
    let drop_indexes = hold(drop_indexes, plan, "index");
    for d in &drop_indexes {
        table.safe(
            plan,
            format!("drop index {}", identifier(&d.name)),
            vec![format!(
                "DROP INDEX {} ON {};",
                identifier(&d.name),
                table.sql
            )],
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

/// Why the table cannot be changed in place, if it cannot.
fn rebuild_reason(live: &TableDef, desired: &TableDef) -> Option<String> {
    const BY_COPY: &str =
        "SQL Server does this only by copying the table into a new one, which is not planned yet";
    if live.memory_optimized != desired.memory_optimized {
        return Some(format!("its memory-optimized setting changes: {BY_COPY}"));
    }
    if live.graph != desired.graph {
        return Some(format!("it changes to or from a graph table: {BY_COPY}"));
    }
    let retention_only = match (&live.temporal, &desired.temporal) {
        (Some(before), Some(after)) => same_temporal(
            Some(before),
            Some(&with_retention(after, &before.retention)),
        ),
        _ => false,
    };
    if !retention_only && !same_temporal(live.temporal.as_ref(), desired.temporal.as_ref()) {
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
        } else if after.computed.is_some() && desired.temporal.is_some() {
            return Some(format!(
                "computed column {} added to a system-versioned table: SQL Server needs versioning off for it, and the history table a stored column in its place, which is not planned yet",
                identifier(&after.sql_name)
            ));
        }
    }
    None
}

/// `temporal` with another retention.
fn with_retention(temporal: &TemporalDef, retention: &Option<String>) -> TemporalDef {
    TemporalDef {
        retention: retention.clone(),
        ..temporal.clone()
    }
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
                risk: Risk::Rebuild,
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
        let history = qualified(&t.history.schema, &t.history.name);
        let mut all = vec![format!(
            "ALTER TABLE {} SET (SYSTEM_VERSIONING = OFF);",
            self.sql
        )];
        all.extend(batches);
        all.push(format!(
            "ALTER TABLE {} SET (SYSTEM_VERSIONING = ON (HISTORY_TABLE = {history}, DATA_CONSISTENCY_CHECK = ON{}));",
            self.sql,
            t.retention
                .as_ref()
                .map(|r| format!(", HISTORY_RETENTION_PERIOD = {r}"))
                .unwrap_or_default()
        ));
        all
    }
}
