//! One table, live against desired: columns, defaults, constraints and
//! indexes altered in place; what would lose data blocked unless allowed,
//! with a guard in the script where the allowance rests on an assumption
//! about the rows (no NULLs, values that fit, an empty table).

use super::canonical::canonical;
use super::type_change::{TypeChange, classify};
use super::{Action, Allowances, Blocked, ChangeId, Plan, Risk, Step};
use crate::emit::table::{column_list, foreign_key_clause, key_clause};
use crate::model::expression::quoted_column_names;
use crate::model::{
    IndexDef, IndexStorage, Length, ObjectKey, SqlType, TableColumn, TableDef, TemporalDef,
};
use crate::quote_sql::{identifier, qualified, string_literal};

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
        table.risky(
            plan,
            allow,
            ChangeId {
                target: table.target.clone(),
                risk: Risk::Rebuild,
            },
            format!("rebuild {}", table.sql),
            &reason,
            // A rebuild by copy is not planned yet: even allowed, it stays
            // blocked with its reason.
            None,
        );
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
        table.risky(
            plan,
            allow,
            ChangeId {
                target: table.target.clone(),
                risk: Risk::Rebuild,
            },
            format!("alter a column of {}", identifier(&key.name)),
            "a column of a primary or foreign key changes: the keys of other tables that depend on it would have to go and come back, which is not planned yet",
            None,
        );
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

/// The live table with a column renamed everywhere it is named: the column,
/// keys, indexes, and expressions that quote it.
fn rename_column(table: &mut TableDef, old: &str, new: &str) {
    let rename = |name: &mut String| {
        if name.eq_ignore_ascii_case(old) {
            *name = new.to_string();
        }
    };
    let quoted_old = identifier(old).to_lowercase();
    let requote = |text: &mut String| {
        // Case-blind replacement of `[old]`, as SQL Server compares names.
        let lower = text.to_lowercase();
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        for (at, _) in lower.match_indices(&quoted_old) {
            out.push_str(&text[rest..at]);
            out.push_str(&identifier(new));
            rest = at + quoted_old.len();
        }
        out.push_str(&text[rest..]);
        *text = out;
    };
    for c in &mut table.columns {
        rename(&mut c.sql_name);
        if let Some(computed) = &mut c.computed {
            requote(&mut computed.expression);
        }
    }
    for key in table.primary_key.iter_mut().chain(table.uniques.iter_mut()) {
        key.columns.iter_mut().for_each(rename);
    }
    for fk in &mut table.foreign_keys {
        fk.columns.iter_mut().for_each(rename);
    }
    for check in &mut table.checks {
        requote(&mut check.expression);
    }
    for index in &mut table.indexes {
        index.keys.iter_mut().for_each(|k| rename(&mut k.column));
        index.include.iter_mut().for_each(rename);
        if let Some(filter) = &mut index.filter {
            requote(filter);
        }
    }
    if let Some(t) = &mut table.temporal {
        rename(&mut t.start);
        rename(&mut t.end);
    }
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

    /// Pairs of a dependent that goes and one that comes with the same
    /// definition under another name (after a table rename, `PK_Old` and
    /// `PK_New`): renamed with `sp_rename` instead of dropped and created.
    /// Returns the rest.
    fn renamed(
        &self,
        plan: &mut Plan,
        mut drop: Vec<Dependent>,
        mut add: Vec<Dependent>,
        index: bool,
    ) -> (Vec<Dependent>, Vec<Dependent>) {
        let anonymous = |d: &Dependent| {
            d.compare
                .replacen(&format!("[{}]", d.name.to_lowercase()), "[]", 1)
        };
        let mut i = 0;
        while i < drop.len() {
            let found = add.iter().position(|a| {
                !a.name.eq_ignore_ascii_case(&drop[i].name) && anonymous(a) == anonymous(&drop[i])
            });
            match found {
                Some(j) => {
                    let (old, new) = (drop.remove(i), add.remove(j));
                    let (path, kind) = if index {
                        (format!("{}.{}", self.sql, identifier(&old.name)), "INDEX")
                    } else {
                        (qualified(&self.schema, &old.name), "OBJECT")
                    };
                    self.safe(
                        plan,
                        format!(
                            "rename {} to {}",
                            identifier(&old.name),
                            identifier(&new.name)
                        ),
                        vec![format!(
                            "EXEC sp_rename {}, {}, N'{kind}';",
                            string_literal(&path),
                            string_literal(&new.name)
                        )],
                    );
                }
                None => i += 1,
            }
        }
        (drop, add)
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

    fn add_column(&self, column: &TableColumn, allow: &Allowances, plan: &mut Plan) {
        let add = format!(
            "ALTER TABLE {} ADD {};",
            self.sql,
            column_definition(column)
        );
        let fills_itself = column.value.nullable
            || column.default.is_some()
            || column.identity.is_some()
            || column.computed.is_some();
        let summary = format!("add column {}", identifier(&column.sql_name));
        if fills_itself {
            self.safe(plan, summary, vec![add]);
        } else {
            let guard = self.guard(
                None,
                &format!(
                    "{}: column {} is NOT NULL without a default, and the table has rows",
                    self.target, column.sql_name
                ),
            );
            self.risky(
                plan,
                allow,
                self.column_change(&column.sql_name, Risk::Required),
                summary,
                "NOT NULL without a default fails on a table with rows: give it a default, make it nullable, or allow it if the table is empty",
                Some(vec![guard, add]),
            );
        }
    }

    fn change_column(
        &self,
        before: &TableColumn,
        after: &TableColumn,
        allow: &Allowances,
        plan: &mut Plan,
    ) {
        let name = identifier(&after.sql_name);
        // Computed columns hold no data of their own: dropped and added.
        if let (Some(old), Some(new)) = (&before.computed, &after.computed) {
            let same = canonical(&old.expression) == canonical(&new.expression)
                && old.persisted == new.persisted;
            if !same || before.value.nullable != after.value.nullable {
                self.safe(
                    plan,
                    format!("recompute column {name}"),
                    vec![
                        format!("ALTER TABLE {} DROP COLUMN {name};", self.sql),
                        format!("ALTER TABLE {} ADD {};", self.sql, column_definition(after)),
                    ],
                );
            }
            return;
        }
        let kind = match classify(before.value.sql, after.value.sql) {
            TypeChange::Same if !same_collation(before, after) => {
                if matches!(after.value.sql, SqlType::NVarChar(_) | SqlType::NChar(_)) {
                    TypeChange::Widening
                } else {
                    TypeChange::Conversion
                }
            }
            other => other,
        };
        let tightened = before.value.nullable && !after.value.nullable;
        let retyped = kind != TypeChange::Same || before.value.nullable != after.value.nullable;
        if retyped {
            let alter = format!(
                "ALTER TABLE {} ALTER COLUMN {name} {}{} {};",
                self.sql,
                after.value.sql,
                after
                    .collation
                    .as_ref()
                    .map(|c| format!(" COLLATE {c}"))
                    .unwrap_or_default(),
                if after.value.nullable {
                    "NULL"
                } else {
                    "NOT NULL"
                }
            );
            let change = format!("{} {} → {}", name, describe(before), describe(after));
            // Each risk with its reason, and the condition a row breaks it by.
            let fits = does_not_fit(&after.sql_name, after.value.sql);
            let held = format!("{name} IS NOT NULL");
            let (mut risks, mut guards) = (Vec::new(), Vec::new());
            let mut risk = |risk, reason, condition: &str, message: String| {
                risks.push((risk, reason));
                guards.push(self.guard(Some(condition), &message));
            };
            let (column, new_type) = (&after.sql_name, after.value.sql);
            match kind {
                TypeChange::Same | TypeChange::Widening => {}
                TypeChange::Narrowing => risk(
                    Risk::Narrow,
                    "values may not fit the smaller type",
                    &fits,
                    format!(
                        "{}: a value of {column} does not fit {new_type}",
                        self.target
                    ),
                ),
                TypeChange::Conversion => risk(
                    Risk::Convert,
                    "values are converted to another type and may fail or change",
                    &fits,
                    format!(
                        "{}: a value of {column} does not convert to {new_type}",
                        self.target
                    ),
                ),
                TypeChange::VectorDimension => risk(
                    Risk::VectorDimension,
                    "no vector keeps its values in another dimension",
                    &held,
                    format!(
                        "{}: {column} holds vectors of the old dimension",
                        self.target
                    ),
                ),
            }
            if tightened {
                risk(
                    Risk::NotNull,
                    "a row holding NULL makes the change fail",
                    &format!("{name} IS NULL"),
                    format!("{}: {column} holds NULL", self.target),
                );
            }
            let summary = if kind == TypeChange::Widening && before.value.sql != after.value.sql {
                format!("widen column {change}")
            } else {
                format!("alter column {change}")
            };
            // Its default goes while the column changes, and comes back.
            let mut batches = guards;
            if let Some(default) = &before.default {
                batches.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    self.sql,
                    identifier(&default.name)
                ));
            }
            match (&self.temporal, tightened) {
                (Some(t), true) => {
                    // Versioning off: the history column changes as well.
                    let history_alter = format!(
                        "ALTER TABLE {} ALTER COLUMN {name} {}{} NOT NULL;",
                        qualified(&t.history.schema, &t.history.name),
                        after.value.sql,
                        after
                            .collation
                            .as_ref()
                            .map(|c| format!(" COLLATE {c}"))
                            .unwrap_or_default(),
                    );
                    batches.extend(self.versioning_off(vec![alter, history_alter]));
                }
                _ => batches.push(alter),
            }
            if let Some(default) = &after.default {
                batches.push(add_default(&self.sql, &after.sql_name, default));
            }
            match risks.as_slice() {
                [] => self.safe(plan, summary, batches),
                _ => {
                    let blocked: Vec<&(Risk, &str)> = risks
                        .iter()
                        .filter(|(r, _)| !allow.allows(&self.column_change(&after.sql_name, *r)))
                        .collect();
                    match blocked.first() {
                        // Every risk the change carries is allowed.
                        None => plan.steps.push(Step {
                            object: self.object.clone(),
                            action: Action::Alter,
                            summary,
                            batches,
                            allowed: risks
                                .iter()
                                .map(|(r, _)| self.column_change(&after.sql_name, *r))
                                .collect(),
                        }),
                        Some(_) => {
                            for (risk, reason) in blocked {
                                plan.blocked.push(Blocked {
                                    object: self.object.clone(),
                                    change: self.column_change(&after.sql_name, *risk),
                                    summary: summary.clone(),
                                    reason: reason.to_string(),
                                });
                            }
                        }
                    }
                }
            }
        } else if let (Some(old), Some(new)) = (&before.default, &after.default)
            && !old.name.eq_ignore_ascii_case(&new.name)
            && canonical(&old.expression) == canonical(&new.expression)
        {
            self.safe(
                plan,
                format!(
                    "rename {} to {}",
                    identifier(&old.name),
                    identifier(&new.name)
                ),
                vec![format!(
                    "EXEC sp_rename {}, {}, N'OBJECT';",
                    string_literal(&qualified(&self.schema, &old.name)),
                    string_literal(&new.name)
                )],
            );
        } else if !same_default(before, after) {
            let mut batches = Vec::new();
            if let Some(default) = &before.default {
                batches.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    self.sql,
                    identifier(&default.name)
                ));
            }
            if let Some(default) = &after.default {
                batches.push(add_default(&self.sql, &after.sql_name, default));
            }
            self.safe(
                plan,
                format!("change the default of column {name}"),
                batches,
            );
        }
    }
}

fn same_collation(before: &TableColumn, after: &TableColumn) -> bool {
    match (&before.collation, &after.collation) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The same default under the same name (names and expressions compared
/// as SQL Server keeps them).
fn same_default(before: &TableColumn, after: &TableColumn) -> bool {
    match (&before.default, &after.default) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.name.eq_ignore_ascii_case(&b.name)
                && canonical(&a.expression) == canonical(&b.expression)
        }
        _ => false,
    }
}

fn describe(column: &TableColumn) -> String {
    format!(
        "{}{} {}",
        column.value.sql,
        column
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {c}"))
            .unwrap_or_default(),
        if column.value.nullable {
            "NULL"
        } else {
            "NOT NULL"
        }
    )
}

/// A condition true for a row whose value would not survive the change to
/// `target`: too long for a shorter string or binary type (SQL Server
/// would cut it, not fail), otherwise not convertible.
fn does_not_fit(column: &str, target: SqlType) -> String {
    let c = identifier(column);
    let bytes = |n: u32, per: u32| format!("DATALENGTH({c}) > {}", n * per);
    match target {
        SqlType::NVarChar(Length::Fixed(n)) | SqlType::NChar(n) => bytes(n, 2),
        SqlType::VarChar(Length::Fixed(n)) | SqlType::VarBinary(Length::Fixed(n)) => bytes(n, 1),
        SqlType::Char(n) | SqlType::Binary(n) => bytes(n, 1),
        other => format!("{c} IS NOT NULL AND TRY_CONVERT({other}, {c}) IS NULL"),
    }
}

fn add_default(table: &str, column: &str, default: &crate::model::DefaultDef) -> String {
    format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} DEFAULT ({}) FOR {};",
        identifier(&default.name),
        default.expression,
        identifier(column)
    )
}

/// A column as `ADD` writes it (as `CREATE TABLE` does).
fn column_definition(c: &TableColumn) -> String {
    let name = identifier(&c.sql_name);
    if let Some(computed) = &c.computed {
        return format!(
            "{name} AS ({}){}",
            computed.expression,
            match (computed.persisted, c.value.nullable) {
                (true, false) => " PERSISTED NOT NULL",
                (true, true) => " PERSISTED",
                _ => "",
            }
        );
    }
    let mut text = format!("{name} {}", c.value.sql);
    if let Some(collation) = &c.collation {
        text += &format!(" COLLATE {collation}");
    }
    if let Some((seed, step)) = c.identity {
        text += &format!(" IDENTITY({seed}, {step})");
    }
    text += if c.value.nullable {
        " NULL"
    } else {
        " NOT NULL"
    };
    if let Some(default) = &c.default {
        text += &format!(
            " CONSTRAINT {} DEFAULT ({})",
            identifier(&default.name),
            default.expression
        );
    }
    text
}

/// A constraint or index: its name, its definition (its `ADD` clause, or
/// its `CREATE INDEX` with `{table}` for the table's name; also what is
/// compared) and the columns it uses.
#[derive(Clone)]
struct Dependent {
    name: String,
    definition: String,
    /// The definition in the form compared (see `canonical`).
    compare: String,
    columns: Vec<String>,
    /// A primary key or foreign key: other tables may depend on it.
    key: bool,
}

impl Dependent {
    fn uses(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c.eq_ignore_ascii_case(column))
    }
}

/// A dependent with its compared form filled in.
fn dependent(name: &str, definition: String, columns: Vec<String>, key: bool) -> Dependent {
    Dependent {
        name: name.to_string(),
        compare: canonical(&definition),
        definition,
        columns,
        key,
    }
}

fn constraints(table: &TableDef) -> Vec<Dependent> {
    let mut all = Vec::new();
    if let Some(pk) = &table.primary_key {
        all.push(dependent(
            &pk.name,
            key_clause(pk, "PRIMARY KEY"),
            pk.columns.clone(),
            true,
        ));
    }
    for unique in &table.uniques {
        all.push(dependent(
            &unique.name,
            key_clause(unique, "UNIQUE"),
            unique.columns.clone(),
            false,
        ));
    }
    for fk in &table.foreign_keys {
        all.push(dependent(
            &fk.name,
            foreign_key_clause(fk),
            fk.columns.clone(),
            true,
        ));
    }
    for check in &table.checks {
        let clause = |expression: &str| {
            format!(
                "CONSTRAINT {} CHECK ({expression})",
                identifier(&check.name)
            )
        };
        all.push(Dependent {
            compare: canonical(&clause(&canonical(&check.expression))),
            ..dependent(
                &check.name,
                clause(&check.expression),
                quoted_column_names(&check.expression),
                false,
            )
        });
    }
    all
}

fn indexes(table: &TableDef) -> Vec<Dependent> {
    table
        .indexes
        .iter()
        .map(|i| {
            let canonical_filter = IndexDef {
                filter: i.filter.as_deref().map(canonical),
                ..i.clone()
            };
            Dependent {
                compare: canonical(&create_index(&canonical_filter)),
                ..dependent(
                    &i.name,
                    create_index(i),
                    i.keys
                        .iter()
                        .map(|k| k.column.clone())
                        .chain(i.include.iter().cloned())
                        .chain(i.filter.iter().flat_map(|f| quoted_column_names(f)))
                        .collect(),
                    false,
                )
            }
        })
        .collect()
}

fn create_index(index: &IndexDef) -> String {
    let keys = index
        .keys
        .iter()
        .map(|k| {
            format!(
                "{}{}",
                identifier(&k.column),
                if k.descending { " DESC" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let name = identifier(&index.name);
    match index.storage {
        IndexStorage::Columnstore => {
            format!("CREATE CLUSTERED COLUMNSTORE INDEX {name} ON {{table}};")
        }
        _ => {
            let mut text = format!(
                "CREATE {}{} INDEX {name} ON {{table}} ({keys})",
                if index.unique { "UNIQUE " } else { "" },
                if index.clustered {
                    "CLUSTERED"
                } else {
                    "NONCLUSTERED"
                },
            );
            if !index.include.is_empty() {
                text += &format!(" INCLUDE ({})", column_list(&index.include));
            }
            if let Some(filter) = &index.filter {
                text += &format!(" WHERE {filter}");
            }
            text + ";"
        }
    }
}

/// Entries of `live` to drop and of `desired` to add: gone, new or
/// changed (by name, compared case-blind), and those in both that use a
/// column being altered (SQL Server refuses `ALTER COLUMN` under them).
fn keyed_changes(
    live: &[Dependent],
    desired: &[Dependent],
    altered: &[String],
) -> (Vec<Dependent>, Vec<Dependent>) {
    let find = |list: &[Dependent], name: &str| {
        list.iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.compare.clone())
    };
    let around = |d: &Dependent| altered.iter().any(|c| d.uses(c));
    let drop = live
        .iter()
        .filter(|d| find(desired, &d.name).as_ref() != Some(&d.compare) || around(d))
        .cloned()
        .collect();
    let add = desired
        .iter()
        .filter(|d| find(live, &d.name).as_ref() != Some(&d.compare) || around(d))
        .cloned()
        .collect();
    (drop, add)
}

/// Columns whose type, nullability or collation changes (`ALTER COLUMN`).
fn altered_columns(live: &TableDef, desired: &TableDef) -> Vec<String> {
    desired
        .columns
        .iter()
        .filter(|after| {
            live.column(&after.sql_name).is_some_and(|before| {
                before.computed.is_none()
                    && (before.value.sql != after.value.sql
                        || before.value.nullable != after.value.nullable
                        || !same_collation(before, after))
            })
        })
        .map(|c| c.sql_name.clone())
        .collect()
}
