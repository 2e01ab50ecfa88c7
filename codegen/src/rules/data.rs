//! Reference data against its table: the rows' struct is a table, the key
//! names its columns, every row has a key value and no two rows the same.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{DataValue, Model};
use std::collections::BTreeMap;

pub fn data_rules(model: &Model, found: &mut Vec<Diagnostic>) {
    let mut tables_seen: BTreeMap<(String, String), &crate::model::DataDef> = BTreeMap::new();
    for data in &model.data {
        let Some(table) = data.table(model) else {
            found.push(
                Diagnostic::new(
                    Code::UnknownTable,
                    format!(
                        "reference data `{}` is rows of `{}`, which is not a #[derive(SqlTable)] struct",
                        data.rust, data.row_type
                    ),
                )
                .at(data.span.clone())
                .with_help("return `Vec<T>` where T is the table's struct"),
            );
            continue;
        };
        if let Some(first) = tables_seen.insert(table.name.collision_key(), data) {
            found.push(
                Diagnostic::new(
                    Code::DuplicateDataKey,
                    format!(
                        "table {} has reference data twice: `{}` and `{}`",
                        table.name, first.rust, data.rust
                    ),
                )
                .at(data.span.clone())
                .with_secondary(first.span.clone(), "first here")
                .with_help("keep one #[sql_data] function per table"),
            );
        }
        let key = data.key_columns(table);
        if key.is_empty() {
            found.push(
                Diagnostic::new(
                    Code::UnknownColumn,
                    format!(
                        "reference data `{}`: table {} has no primary key to match rows by",
                        data.rust, table.name
                    ),
                )
                .at(data.span.clone())
                .with_help("name the columns that identify a row: `#[sql_data(key = \"Code\")]`"),
            );
            continue;
        }
        let mut key_fields = Vec::new();
        for column in &key {
            match table.column(column) {
                Some(c) => key_fields.push(c.rust_name.clone()),
                None => found.push(
                    Diagnostic::new(
                        Code::UnknownColumn,
                        format!(
                            "reference data `{}`: key column `{column}` is not a column of {}",
                            data.rust, table.name
                        ),
                    )
                    .at(data.span.clone())
                    .with_help(format!(
                        "columns of {}: {}",
                        table.name,
                        table
                            .columns
                            .iter()
                            .map(|c| c.sql_name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
            }
        }
        if key_fields.len() != key.len() {
            continue;
        }
        // Values that are not literals: only where the database computes
        // the column (computed and period columns are not written).
        for row in &data.rows {
            for field in &row.fields {
                let DataValue::Expression(text) = &field.value else {
                    continue;
                };
                let column = table.columns.iter().find(|c| c.rust_name == field.field);
                let generated = column.is_some_and(|c| {
                    c.computed.is_some()
                        || table.temporal.as_ref().is_some_and(|t| {
                            t.start.eq_ignore_ascii_case(&c.sql_name)
                                || t.end.eq_ignore_ascii_case(&c.sql_name)
                        })
                });
                if !generated {
                    found.push(
                        Diagnostic::new(
                            Code::DataShape,
                            format!(
                                "the value of `{}` in `{}` is `{text}`, not a literal the deployment can write",
                                field.field, data.rust
                            ),
                        )
                        .at(field.span.clone())
                        .with_help("use a number, true/false, a string (\"x\", \"x\".into(), String::from(\"x\")), None or Some(literal); only computed and period columns, which are not written, take any expression"),
                    );
                }
            }
        }
        let mut seen: BTreeMap<Vec<String>, &crate::model::DataRow> = BTreeMap::new();
        for row in &data.rows {
            let mut values = Vec::new();
            for field in &key_fields {
                match row.fields.iter().find(|f| &f.field == field) {
                    Some(f) if f.value != DataValue::Null => values.push(key_text(&f.value)),
                    _ => {
                        found.push(
                            Diagnostic::new(
                                Code::DataShape,
                                format!(
                                    "a row of `{}` has no value for key field `{field}`",
                                    data.rust
                                ),
                            )
                            .at(row.span.clone())
                            .with_help("every row needs its key: rows are matched by it"),
                        );
                        values.clear();
                        break;
                    }
                }
            }
            if values.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(values.clone(), row) {
                found.push(
                    Diagnostic::new(
                        Code::DuplicateDataKey,
                        format!(
                            "two rows of `{}` have the same key ({})",
                            data.rust,
                            values.join(", ")
                        ),
                    )
                    .at(row.span.clone())
                    .with_secondary(first.span.clone(), "first here")
                    .with_help("each row's key must be unique: it is what the MERGE matches on"),
                );
            }
        }
    }
}

/// A key value as compared (strings case-blind, as SQL Server's default
/// collations compare them).
fn key_text(value: &DataValue) -> String {
    match value {
        DataValue::Null => "NULL".into(),
        DataValue::Bool(b) => b.to_string(),
        DataValue::Integer(i) | DataValue::Float(i) | DataValue::Expression(i) => i.clone(),
        DataValue::Text(t) => format!("'{}'", t.to_lowercase()),
    }
}
