//! Reference data as a `MERGE`: every value cast to its column's type (so
//! the `VALUES` rows type alike and NULLs carry a type), rows matched by
//! the key, changed rows found with `EXCEPT` (which compares NULLs as
//! equal), counts of what it did selected at the end.

use super::GeneratedFile;
use super::file_stem;
use super::sql::source_text;
use crate::model::{DataDef, DataValue, Model, TableColumn};
use crate::quote_sql::{identifier, qualified, string_literal};
use minijinja::context;

/// A value as a typed T-SQL literal.
fn cast(value: &DataValue, column: &TableColumn) -> String {
    let text = match value {
        // Never written (generated columns are left out); NULL all the same.
        DataValue::Null | DataValue::Expression(_) => "NULL".to_string(),
        DataValue::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        DataValue::Integer(digits) | DataValue::Float(digits) => digits.clone(),
        DataValue::Text(text) => string_literal(text),
    };
    format!("CAST({text} AS {})", column.value.sql)
}

/// Each data declaration's script, with its table's name, in the model's
/// order. Declarations whose table or key does not resolve are left to the
/// rules, which report them.
pub fn emit_data_scripts(
    model: &Model,
) -> Result<Vec<(&DataDef, GeneratedFile)>, minijinja::Error> {
    let env = super::sql::environment();
    let template = env.get_template("data.sql")?;
    // Parents before children: in the tables' deploy order.
    let order = crate::model::deploy_order(model).unwrap_or_default();
    let rank = |data: &DataDef| {
        data.table(model)
            .and_then(|t| {
                order
                    .iter()
                    .position(|k| *k == crate::model::ObjectKey::Table(t.name.clone()))
            })
            .unwrap_or(usize::MAX)
    };
    let mut declared: Vec<&DataDef> = model.data.iter().collect();
    declared.sort_by_key(|d| rank(d));
    let mut out = Vec::new();
    for data in declared {
        let Some(table) = data.table(model) else {
            continue;
        };
        let key = data.key_columns(table);
        if key.is_empty() || key.iter().any(|k| table.column(k).is_none()) {
            continue;
        }
        let generated = |c: &TableColumn| {
            c.computed.is_some()
                || table
                    .temporal
                    .as_ref()
                    .is_some_and(|t| t.start == c.sql_name || t.end == c.sql_name)
        };
        // The columns the rows give, in the table's order.
        let columns: Vec<&TableColumn> = table
            .columns
            .iter()
            .filter(|c| !generated(c))
            .filter(|c| {
                data.rows
                    .first()
                    .is_some_and(|r| r.fields.iter().any(|f| f.field == c.rust_name))
            })
            .collect();
        let rows: Vec<Vec<String>> = data
            .rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|c| {
                        let value = row
                            .fields
                            .iter()
                            .find(|f| f.field == c.rust_name)
                            .map(|f| &f.value)
                            .unwrap_or(&DataValue::Null);
                        cast(value, c)
                    })
                    .collect()
            })
            .collect();
        let is_key = |c: &TableColumn| key.iter().any(|k| k.eq_ignore_ascii_case(&c.sql_name));
        let updated: Vec<String> = columns
            .iter()
            .filter(|c| !is_key(c) && c.identity.is_none())
            .map(|c| identifier(&c.sql_name))
            .collect();
        let name = qualified(&table.name.schema, &table.name.name);
        let contents = template.render(context! {
            table => name.clone(),
            table_literal => string_literal(&table.name.to_string()),
            source => source_text(&data.span),
            rust => data.rust.to_string(),
            doc => data.doc.clone(),
            rows,
            key => key.iter().map(|k| identifier(k)).collect::<Vec<_>>(),
            columns => columns.iter().map(|c| identifier(&c.sql_name)).collect::<Vec<_>>(),
            updated,
            identity => columns.iter().any(|c| c.identity.is_some()),
            delete_missing => data.delete_missing,
        })?;
        out.push((
            data,
            GeneratedFile {
                path: format!(
                    "sql/{}/data/{}.sql",
                    file_stem(&table.name.schema),
                    file_stem(&table.name.name)
                ),
                contents: super::finish(contents),
            },
        ));
    }
    Ok(out)
}
