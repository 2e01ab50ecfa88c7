//! Columns of one table: added, changed (type, nullability, collation,
//! default, computed expression), each risky change behind its guard.

use super::super::canonical::canonical;
use super::Table;
use crate::deploy::type_change::{TypeChange, classify};
use crate::deploy::{Action, Allowances, Blocked, Plan, Risk, Step};
use crate::model::{Length, SqlType, TableColumn};
use crate::quote_sql::{identifier, qualified};

impl Table {
    pub(super) fn add_column(&self, column: &TableColumn, allow: &Allowances, plan: &mut Plan) {
        let add = format!(
            "ALTER TABLE {} ADD {};",
            self.sql,
            column_definition(column)
        );
        let summary = format!("add column {}", identifier(&column.sql_name));
        if let (Some(temporal), Some(_)) = (&self.temporal, &column.computed) {
            // SQL Server adds a computed column to a versioned table only
            // with versioning off, and the history takes a stored column.
            let history = format!(
                "ALTER TABLE {} ADD {} {} NULL;",
                qualified(&temporal.history.schema, &temporal.history.name),
                identifier(&column.sql_name),
                column.value.sql
            );
            self.safe(plan, summary, self.versioning_off(vec![add, history]));
        } else if fills_itself(column) {
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

    pub(super) fn change_column(
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
                // On a versioned table only with versioning off; the
                // history keeps its stored column and the values in it.
                self.safe(
                    plan,
                    format!("recompute column {name}"),
                    self.versioning_off(vec![
                        format!("ALTER TABLE {} DROP COLUMN {name};", self.sql),
                        format!("ALTER TABLE {} ADD {};", self.sql, column_definition(after)),
                    ]),
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
                "ALTER TABLE {} ALTER COLUMN {name} {};",
                self.sql,
                describe(after)
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
                        "ALTER TABLE {} ALTER COLUMN {name} {};",
                        qualified(&t.history.schema, &t.history.name),
                        describe(after)
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
            self.rename(
                plan,
                &qualified(&self.schema, &old.name),
                "OBJECT",
                &old.name,
                &new.name,
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

/// Whether existing rows get a value for the column when it is added:
/// nullable, defaulted, identity or computed.
pub(super) fn fills_itself(column: &TableColumn) -> bool {
    column.value.nullable
        || column.default.is_some()
        || column.identity.is_some()
        || column.computed.is_some()
}

pub(super) fn same_collation(before: &TableColumn, after: &TableColumn) -> bool {
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
