//! System versioning turned on, off, or moved to another history table, in
//! place: the data stays, and the history table with it.
//!
//! - On: the period columns are added with defaults (the rows need values),
//!   the defaults dropped again (the source declares none), and versioning
//!   set on with the source's history table and retention; SQL Server
//!   makes the history table from the table when it does not exist.
//! - Off: versioning set off and the period dropped; the period columns
//!   stay as ordinary columns (dropping them is a column drop, allowed or
//!   not like any other), and the history table stays as an ordinary table.
//! - Another history table: versioning off, the old history moved to its
//!   schema and renamed, versioning on with the new name and retention.
//! - The period's hidden flag: `ALTER COLUMN ... ADD/DROP HIDDEN`.
//!
//! - Period columns renamed (declared with `renamed_from`): versioning off,
//!   each renamed in the table and the history, versioning on.
//!
//! Every case leaves `live` as the desired versioning, so the rest of the
//! table is compared as usual.

use super::{same_temporal, versioning_on};
use crate::deploy::{Action, Plan, Step};
use crate::model::{ObjectKey, TableColumn, TableDef, TemporalDef};
use crate::quote_sql::{identifier, qualified, string_literal};

/// Why the versioning change cannot be planned in place, if it cannot.
pub(super) fn plan_versioning(
    live: &mut TableDef,
    desired: &TableDef,
    plan: &mut Plan,
) -> Result<(), String> {
    if same_temporal(live.temporal.as_ref(), desired.temporal.as_ref())
        || super::retention_change(live, desired).is_some()
    {
        return Ok(());
    }
    let table = qualified(&desired.name.schema, &desired.name.name);
    let object = ObjectKey::Table(desired.name.clone());
    let mut step = |summary: String, batches: Vec<String>| {
        plan.steps.push(Step {
            object: object.clone(),
            action: Action::Alter,
            summary,
            batches,
            allowed: Vec::new(),
        })
    };
    match (live.temporal.clone(), desired.temporal.as_ref()) {
        (None, Some(after)) => {
            let period = [&after.start, &after.end];
            if let Some(clash) = period.iter().find(|c| live.column(c).is_some()) {
                return Err(format!(
                    "versioning is turned on, but the table already has a column {}: rename or drop it first",
                    identifier(clash)
                ));
            }
            let column = |name: &str| {
                desired.column(name).ok_or_else(|| {
                    format!("its period column {} is not declared", identifier(name))
                })
            };
            let (start, end) = (column(&after.start)?, column(&after.end)?);
            let default_name = |c: &TableColumn| format!("DF_{}_{}", desired.name.name, c.sql_name);
            let hidden = if after.hidden { " HIDDEN" } else { "" };
            step(
                format!(
                    "versioning on: period {} to {} added, history {}",
                    identifier(&start.sql_name),
                    identifier(&end.sql_name),
                    qualified(&after.history.schema, &after.history.name)
                ),
                vec![
                    format!(
                        "ALTER TABLE {table} ADD\n    {} {} GENERATED ALWAYS AS ROW START{hidden} NOT NULL CONSTRAINT {} DEFAULT (SYSUTCDATETIME()),\n    {} {} GENERATED ALWAYS AS ROW END{hidden} NOT NULL CONSTRAINT {} DEFAULT (CONVERT({}, '9999-12-31 23:59:59.9999999')),\n    PERIOD FOR SYSTEM_TIME ({}, {});",
                        identifier(&start.sql_name),
                        start.value.sql,
                        identifier(&default_name(start)),
                        identifier(&end.sql_name),
                        end.value.sql,
                        identifier(&default_name(end)),
                        end.value.sql,
                        identifier(&start.sql_name),
                        identifier(&end.sql_name),
                    ),
                    format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {}, CONSTRAINT {};",
                        identifier(&default_name(start)),
                        identifier(&default_name(end))
                    ),
                    versioning_on(&table, after, false),
                ],
            );
            live.columns.push(TableColumn {
                default: None,
                ..start.clone()
            });
            live.columns.push(TableColumn {
                default: None,
                ..end.clone()
            });
            live.temporal = Some(after.clone());
        }
        (Some(before), None) => {
            step(
                format!(
                    "versioning off: the period dropped, history {} kept as an ordinary table",
                    qualified(&before.history.schema, &before.history.name)
                ),
                vec![
                    format!("ALTER TABLE {table} SET (SYSTEM_VERSIONING = OFF);"),
                    format!("ALTER TABLE {table} DROP PERIOD FOR SYSTEM_TIME;"),
                ],
            );
            live.temporal = None;
        }
        (Some(before), Some(after)) => {
            let mut batches = Vec::new();
            let mut summary = Vec::new();
            // Period columns renamed with `renamed_from`: versioning off,
            // each renamed in the table and its history, versioning on.
            let mut renames = Vec::new();
            for (old, new) in [(&before.start, &after.start), (&before.end, &after.end)] {
                if old.eq_ignore_ascii_case(new) {
                    continue;
                }
                let declared = desired
                    .column(new)
                    .and_then(|c| c.renamed_from.as_deref())
                    .is_some_and(|from| from.eq_ignore_ascii_case(old));
                if !declared {
                    return Err(format!(
                        "its period column {} is now {} without `renamed_from`: declare the rename (`#[sql(renamed_from = \"{old}\")]`), or keep the name",
                        identifier(old),
                        identifier(new)
                    ));
                }
                renames.push((old.clone(), new.clone()));
            }
            if !renames.is_empty() {
                let history = qualified(&before.history.schema, &before.history.name);
                let mut renaming = Vec::new();
                for (old, new) in &renames {
                    for owner in [&table, &history] {
                        renaming.push(format!(
                            "EXEC sp_rename {}, {}, N'COLUMN';",
                            string_literal(&format!("{owner}.{}", identifier(old))),
                            string_literal(new)
                        ));
                    }
                    summary.push(format!(
                        "period column {} renamed {}",
                        identifier(old),
                        identifier(new)
                    ));
                    if let Some(column) = live
                        .columns
                        .iter_mut()
                        .find(|c| c.sql_name.eq_ignore_ascii_case(old))
                    {
                        column.sql_name = new.clone();
                    }
                }
                batches.push(format!(
                    "ALTER TABLE {table} SET (SYSTEM_VERSIONING = OFF);"
                ));
                batches.extend(renaming);
                batches.push(versioning_on(
                    &table,
                    &TemporalDef {
                        start: after.start.clone(),
                        end: after.end.clone(),
                        ..before.clone()
                    },
                    false,
                ));
            }
            let before = TemporalDef {
                start: after.start.clone(),
                end: after.end.clone(),
                ..before
            };
            if before.hidden != after.hidden {
                for column in [&after.start, &after.end] {
                    batches.push(format!(
                        "ALTER TABLE {table} ALTER COLUMN {} {} HIDDEN;",
                        identifier(column),
                        if after.hidden { "ADD" } else { "DROP" }
                    ));
                }
                summary.push(if after.hidden {
                    "period columns hidden".to_string()
                } else {
                    "period columns shown".to_string()
                });
            }
            if before.history.collision_key() != after.history.collision_key() {
                // Versioning off, the history moved (ALTER SCHEMA ..
                // TRANSFER) and renamed with its rows, versioning on.
                batches.push(format!(
                    "ALTER TABLE {table} SET (SYSTEM_VERSIONING = OFF);"
                ));
                let mut at = before.history.clone();
                if !at.schema.eq_ignore_ascii_case(&after.history.schema) {
                    batches.push(format!(
                        "ALTER SCHEMA {} TRANSFER {};",
                        identifier(&after.history.schema),
                        qualified(&at.schema, &at.name)
                    ));
                    at.schema = after.history.schema.clone();
                }
                if !at.name.eq_ignore_ascii_case(&after.history.name) {
                    batches.push(format!(
                        "EXEC sp_rename {}, {};",
                        string_literal(&qualified(&at.schema, &at.name)),
                        string_literal(&after.history.name)
                    ));
                }
                batches.push(versioning_on(&table, after, false));
                summary.push(format!(
                    "history {} is now {}, its rows kept",
                    qualified(&before.history.schema, &before.history.name),
                    qualified(&after.history.schema, &after.history.name)
                ));
            } else if !same_temporal(
                Some(&TemporalDef {
                    hidden: after.hidden,
                    ..before.clone()
                }),
                Some(after),
            ) {
                // The retention differs too: set with it.
                batches.push(format!(
                    "ALTER TABLE {table} SET (SYSTEM_VERSIONING = ON (HISTORY_RETENTION_PERIOD = {}));",
                    after.retention.as_deref().unwrap_or("INFINITE")
                ));
                summary.push(format!(
                    "history retention {} → {}",
                    before.retention.as_deref().unwrap_or("INFINITE"),
                    after.retention.as_deref().unwrap_or("INFINITE")
                ));
            }
            step(summary.join(", "), batches);
            live.temporal = Some(after.clone());
        }
        (None, None) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versioned_table() -> TableDef {
        let source = r#"
#[derive(SqlTable)]
#[sql(temporal(retention = "90 DAYS"))]
pub struct Customer {
    #[sql(primary_key)]
    pub customer_id: i32,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}
"#;
        let generation = crate::output::generate_with(
            "src/lib.rs",
            |path| {
                (path == "src/lib.rs")
                    .then(|| source.to_string())
                    .ok_or_else(|| {
                        std::io::Error::new(std::io::ErrorKind::NotFound, path.to_string())
                    })
            },
            &crate::emit::EmitOptions::default(),
        );
        assert!(
            generation.diagnostics.is_empty(),
            "{:?}",
            generation.diagnostics
        );
        generation.model.tables[0].clone()
    }

    #[test]
    fn a_history_in_another_schema_is_transferred_with_its_rows() {
        // A database made by another tool keeps the history in its own schema.
        let desired = versioned_table();
        let mut live = desired.clone();
        let temporal = live.temporal.as_mut().unwrap();
        temporal.history.schema = "history".into();
        let mut plan = Plan::default();
        plan_versioning(&mut live, &desired, &mut plan).unwrap();
        assert_eq!(
            plan.steps[0].batches,
            [
                "ALTER TABLE [dbo].[Customer] SET (SYSTEM_VERSIONING = OFF);",
                "ALTER SCHEMA [dbo] TRANSFER [history].[CustomerHistory];",
                "ALTER TABLE [dbo].[Customer] SET (SYSTEM_VERSIONING = ON (HISTORY_TABLE = [dbo].[CustomerHistory], HISTORY_RETENTION_PERIOD = 90 DAYS));",
            ]
        );
        assert_eq!(live.temporal, desired.temporal);
    }
}
