//! Tables: names unique among all objects, keys and indexes over real
//! columns, foreign keys that SQL Server will accept, and an order to create
//! them in. The classic schema errors the seed system's build caught.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, TableDef, dependency_order};
use std::collections::HashMap;

pub fn table_rules(model: &Model, found: &mut Vec<Diagnostic>) {
    names(model, found);
    tenancy(model, found);
    for table in &model.tables {
        columns_exist(table, found);
        foreign_keys(model, table, found);
    }
    if let Err(cycle) = dependency_order(&model.tables) {
        let first = model
            .tables
            .iter()
            .find(|t| t.name == cycle[0])
            .expect("cycle names tables");
        found.push(
            Diagnostic::new(
                Code::DependencyCycle,
                format!(
                    "foreign keys form a cycle: {}",
                    cycle.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → ")
                ),
            )
            .at(first.span.clone())
            .with_help("tables are created in foreign-key order, so one of these keys must go (or be made nullable and added after the data loads)"),
        );
    }
}

fn names(model: &Model, found: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(String, String), (String, crate::diagnostics::SourceSpan)> =
        HashMap::new();
    for routine in &model.routines {
        seen.entry(routine.name.collision_key()).or_insert_with(|| {
            (
                format!("routine `{}`", routine.rust),
                routine.name_span.clone(),
            )
        });
    }
    let mut declared: Vec<(
        &crate::model::QualifiedName,
        String,
        &crate::diagnostics::SourceSpan,
    )> = Vec::new();
    for table in &model.tables {
        declared.push((&table.name, format!("table `{}`", table.rust), &table.span));
        if let Some(t) = &table.temporal {
            declared.push((
                &t.history,
                format!("the history table of `{}`", table.rust),
                &table.span,
            ));
        }
    }
    for (name, what_new, span_new) in declared {
        match seen.get(&name.collision_key()) {
            Some((what, span)) => found.push(
                Diagnostic::new(
                    Code::DuplicateObjectName,
                    format!("`{name}` is declared twice: by {what} and by {what_new}"),
                )
                .at(span_new.clone())
                .with_secondary(span.clone(), "first declared here")
                .with_help("tables, views, functions and procedures share one namespace per schema: rename one"),
            ),
            None => {
                seen.insert(name.collision_key(), (what_new, span_new.clone()));
            }
        }
    }
}

fn missing_column(
    table: &TableDef,
    column: &str,
    what: &str,
    span: &crate::diagnostics::SourceSpan,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownColumn,
        format!(
            "{what} names column `{column}`, which table `{}` does not have",
            table.name
        ),
    )
    .at(span.clone())
    .with_help(format!(
        "columns of {}: {}",
        table.name,
        table
            .columns
            .iter()
            .map(|c| c.sql_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn columns_exist(table: &TableDef, found: &mut Vec<Diagnostic>) {
    for index in &table.indexes {
        let names = index
            .keys
            .iter()
            .map(|k| k.column.as_str())
            .chain(index.include.iter().map(String::as_str));
        for column in names {
            if table.column(column).is_none() {
                found.push(missing_column(
                    table,
                    column,
                    &format!("index `{}`", index.name),
                    &index.span,
                ));
            }
        }
    }
}

fn foreign_keys(model: &Model, table: &TableDef, found: &mut Vec<Diagnostic>) {
    for fk in &table.foreign_keys {
        let Some(target) = model
            .tables
            .iter()
            .find(|t| t.name.collision_key() == fk.references.collision_key())
        else {
            found.push(
                Diagnostic::new(
                    Code::UnknownTable,
                    format!(
                        "foreign key `{}` references table `{}`, which is not declared",
                        fk.name, fk.references
                    ),
                )
                .at(fk.span.clone())
                .with_help(
                    "declare it with #[derive(SqlTable)], or correct the name in `references`",
                ),
            );
            continue;
        };
        let mut resolved = true;
        for (column, referenced) in fk.columns.iter().zip(&fk.referenced_columns) {
            let Some(target_column) = target.column(referenced) else {
                found.push(missing_column(
                    target,
                    referenced,
                    &format!("foreign key `{}`", fk.name),
                    &fk.span,
                ));
                resolved = false;
                continue;
            };
            let source = table.column(column).expect("the key's own column");
            if source.value.sql != target_column.value.sql {
                found.push(
                    Diagnostic::new(
                        Code::ForeignKeyTypeMismatch,
                        format!(
                            "foreign key `{}`: `{}.{}` is {} but `{}.{}` is {}",
                            fk.name, table.name, column, source.value.sql, target.name, referenced, target_column.value.sql
                        ),
                    )
                    .at(fk.span.clone())
                    .with_secondary(target_column.span.clone(), "referenced column declared here")
                    .with_help("a foreign key column must have exactly the type of the column it references"),
                );
            }
        }
        if fk.columns.len() != fk.referenced_columns.len() {
            found.push(
                Diagnostic::new(
                    Code::InvalidOptionValue,
                    format!(
                        "foreign key `{}` has {} columns but references {}",
                        fk.name,
                        fk.columns.len(),
                        fk.referenced_columns.len()
                    ),
                )
                .at(fk.span.clone())
                .with_help("reference as many columns as the key has"),
            );
            continue;
        }
        let is_key = |cols: &[String]| {
            let same = |a: &[String]| {
                a.len() == cols.len() && a.iter().zip(cols).all(|(x, y)| x.eq_ignore_ascii_case(y))
            };
            target
                .primary_key
                .as_ref()
                .is_some_and(|pk| same(&pk.columns))
                || target.uniques.iter().any(|u| same(&u.columns))
                || target.indexes.iter().any(|i| {
                    i.unique
                        && i.filter.is_none()
                        && same(&i.keys.iter().map(|k| k.column.clone()).collect::<Vec<_>>())
                })
        };
        if resolved && !is_key(&fk.referenced_columns) {
            found.push(
                Diagnostic::new(
                    Code::ForeignKeyNotToKey,
                    format!(
                        "foreign key `{}` references {}({}), which is not its primary key or a unique key",
                        fk.name,
                        target.name,
                        fk.referenced_columns.join(", ")
                    ),
                )
                .at(fk.span.clone())
                .with_help("reference the primary key, or mark the referenced column `unique`"),
            );
        }
    }
}

/// Tenant-scoped tables must have their tenant column, all of one type (the
/// predicate function takes one parameter).
pub fn tenancy(model: &Model, found: &mut Vec<Diagnostic>) {
    let mut first: Option<(&TableDef, &crate::model::TableColumn)> = None;
    for table in &model.tables {
        let crate::model::Tenancy::Column(column) = &table.tenancy else {
            continue;
        };
        let Some(c) = table.column(column) else {
            found.push(
                missing_column(table, column, "tenant row-level security", &table.span)
                    .with_help(format!(
                        "add a `{column}` column, name another with tenant = \"Column\", or opt out with tenant = false (columns: {})",
                        table.columns.iter().map(|c| c.sql_name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
            );
            continue;
        };
        match first {
            None => first = Some((table, c)),
            Some((t0, c0)) if c0.value.sql != c.value.sql => found.push(
                Diagnostic::new(
                    Code::ForeignKeyTypeMismatch,
                    format!(
                        "tenant column `{}.{}` is {} but `{}.{}` is {}",
                        table.name, c.sql_name, c.value.sql, t0.name, c0.sql_name, c0.value.sql
                    ),
                )
                .at(c.span.clone())
                .with_secondary(c0.span.clone(), "first tenant column")
                .with_help("one predicate function filters every tenant-scoped table, so their tenant columns share one type"),
            ),
            Some(_) => {}
        }
    }
}
