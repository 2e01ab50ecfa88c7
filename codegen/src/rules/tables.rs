//! Tables: names unique among all objects, keys and indexes over real
//! columns, foreign keys that SQL Server will accept, and an order to create
//! them in. The classic schema errors the seed system's build caught.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, TableDef};
use std::collections::HashMap;

pub fn table_rules(model: &Model, found: &mut Vec<Diagnostic>) {
    names(model, found);
    entity_names(model, found);
    tenancy(model, found);
    for table in &model.tables {
        columns_exist(table, found);
        foreign_keys(model, table, found);
        expressions(model, table, found);
        special_indexes(table, found);
        table_kinds(model, table, found);
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
    for sequence in &model.sequences {
        declared.push((
            &sequence.name,
            format!("sequence `{}`", sequence.declared.rust),
            &sequence.declared.span,
        ));
    }
    for view in &model.views {
        declared.push((
            &view.name,
            format!("view `{}`", view.declared.rust),
            &view.declared.span,
        ));
    }
    for queue in &model.queues {
        declared.push((
            &queue.name,
            format!("queue `{}`", queue.declared.rust),
            &queue.declared.span,
        ));
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
    let special = table
        .spatial_indexes
        .iter()
        .map(|i| (&i.name, &i.column, &i.span))
        .chain(
            table
                .vector_indexes
                .iter()
                .map(|i| (&i.name, &i.column, &i.span)),
        );
    for (name, column, span) in special {
        if table.column(column).is_none() {
            found.push(missing_column(
                table,
                column,
                &format!("index `{name}`"),
                span,
            ));
        }
    }
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

/// What the T-SQL expressions of a table call and read: functions and
/// sequences must be declared; persisted computed values must come from
/// deterministic, precise functions; filters may not read computed columns.
fn expressions(model: &Model, table: &TableDef, found: &mut Vec<Diagnostic>) {
    use crate::model::expression::{
        called_functions, column_names, next_value_sequences, quoted_column_names,
    };
    // Bracketed names in checks, computed columns and filters must be columns
    // of the table (bare words may be types or date parts: ScriptDom and
    // DacFx see those).
    let texts = table
        .checks
        .iter()
        .map(|c| {
            (
                c.expression.as_str(),
                format!("check `{}`", c.name),
                &c.span,
            )
        })
        .chain(table.columns.iter().filter_map(|c| {
            c.computed.as_ref().map(|d| {
                (
                    d.expression.as_str(),
                    format!("computed column `{}`", c.sql_name),
                    &c.span,
                )
            })
        }))
        .chain(table.indexes.iter().filter_map(|i| {
            i.filter.as_ref().map(|f| {
                (
                    f.as_str(),
                    format!("the filter of index `{}`", i.name),
                    &i.span,
                )
            })
        }));
    for (text, what, span) in texts {
        for name in quoted_column_names(text) {
            if table.column(&name).is_none() {
                found.push(missing_column(table, &name, &what, span));
            }
        }
    }
    let indexed = |column: &str| {
        let same = |c: &String| c.eq_ignore_ascii_case(column);
        table
            .primary_key
            .iter()
            .chain(&table.uniques)
            .any(|k| k.columns.iter().any(same))
            || table
                .indexes
                .iter()
                .any(|i| i.keys.iter().any(|k| same(&k.column)) || i.include.iter().any(same))
    };
    for column in &table.columns {
        let mut texts: Vec<(&str, bool)> = Vec::new();
        if let Some(c) = &column.computed {
            texts.push((&c.expression, c.persisted || indexed(&column.sql_name)));
        }
        if let Some(d) = &column.default {
            texts.push((&d.expression, false));
        }
        for (text, must_be_precise) in texts {
            for called in called_functions(text) {
                let routine = model
                    .routines
                    .iter()
                    .find(|r| r.name.collision_key() == called.collision_key());
                match routine.and_then(|r| r.kind.function_options().map(|o| (r, o))) {
                    None => found.push(unknown_function(model, table, &column.sql_name, &called, &column.span, routine.is_some())),
                    Some((r, options)) if must_be_precise && !(options.deterministic && options.precise) => found.push(
                        Diagnostic::new(
                            Code::ImpreciseComputedFunction,
                            format!(
                                "computed column `{}.{}` is persisted or indexed but calls `{}`, which is not marked deterministic and precise",
                                table.name, column.sql_name, r.name
                            ),
                        )
                        .at(column.span.clone())
                        .with_secondary(r.name_span.clone(), "declared here")
                        .with_help("SQL Server persists and indexes only deterministic, precise values: add `deterministic, precise` to the function if they hold, or drop `persisted`"),
                    ),
                    Some(_) => {}
                }
            }
            for sequence in next_value_sequences(text, &table.name.schema) {
                if !model
                    .sequences
                    .iter()
                    .any(|s| s.name.collision_key() == sequence.collision_key())
                {
                    found.push(
                        Diagnostic::new(
                            Code::UnknownObject,
                            format!(
                                "the default of `{}.{}` reads sequence `{sequence}`, which is not declared",
                                table.name, column.sql_name
                            ),
                        )
                        .at(column.span.clone())
                        .with_help(format!(
                            "declare it with #[sql_sequence] (declared sequences: {})",
                            list_or_none(model.sequences.iter().map(|s| s.name.to_string()))
                        )),
                    );
                }
            }
        }
    }
    for check in &table.checks {
        for called in called_functions(&check.expression) {
            let routine = model
                .routines
                .iter()
                .find(|r| r.name.collision_key() == called.collision_key());
            if routine.is_none_or(|r| r.kind.function_options().is_none()) {
                found.push(unknown_function(
                    model,
                    table,
                    &check.name,
                    &called,
                    &check.span,
                    routine.is_some(),
                ));
            }
        }
    }
    for index in &table.indexes {
        let Some(filter) = &index.filter else {
            continue;
        };
        for name in column_names(filter) {
            if let Some(column) = table.column(&name).filter(|c| c.computed.is_some()) {
                found.push(
                    Diagnostic::new(
                        Code::FilterOnComputedColumn,
                        format!(
                            "the filter of index `{}` reads computed column `{}`",
                            index.name, column.sql_name
                        ),
                    )
                    .at(index.span.clone())
                    .with_secondary(column.span.clone(), "computed here")
                    .with_help("SQL Server rejects filtered indexes over computed columns: filter on the columns the value is computed from"),
                );
            }
        }
    }
}

fn list_or_none(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn unknown_function(
    model: &Model,
    table: &TableDef,
    what: &str,
    called: &crate::model::QualifiedName,
    span: &crate::diagnostics::SourceSpan,
    is_procedure: bool,
) -> Diagnostic {
    let functions = model
        .routines
        .iter()
        .filter(|r| r.kind.function_options().is_some())
        .map(|r| r.name.to_string());
    Diagnostic::new(
        Code::UnknownObject,
        if is_procedure {
            format!(
                "`{}.{what}` calls `{called}`, which is a procedure, not a function",
                table.name
            )
        } else {
            format!(
                "`{}.{what}` calls `{called}`, which is not a declared function",
                table.name
            )
        },
    )
    .at(span.clone())
    .with_help(format!(
        "call a function of the model (declared functions: {})",
        list_or_none(functions)
    ))
}

/// Spatial and vector indexes need the column type and the key SQL Server
/// requires.
fn special_indexes(table: &TableDef, found: &mut Vec<Diagnostic>) {
    use crate::model::SqlType;
    let clustered_pk = table.primary_key.as_ref().filter(|pk| pk.clustered);
    let problem = |message: String, span: &crate::diagnostics::SourceSpan, help: &str| {
        Diagnostic::new(Code::IndexColumnType, message)
            .at(span.clone())
            .with_help(help.to_string())
    };
    for index in &table.spatial_indexes {
        let Some(column) = table.column(&index.column) else {
            continue;
        };
        match column.value.sql {
            SqlType::Geometry if index.bounding_box.is_none() => found.push(problem(
                format!(
                    "spatial index `{}` over GEOMETRY column `{}` has no bounding box",
                    index.name, column.sql_name
                ),
                &index.span,
                "GEOMETRY grids need their extent: add bounding_box = \"xmin, ymin, xmax, ymax\"",
            )),
            SqlType::Geometry => {}
            SqlType::Geography if index.bounding_box.is_some() => found.push(problem(
                format!(
                    "spatial index `{}` over GEOGRAPHY column `{}` has a bounding box",
                    index.name, column.sql_name
                ),
                &index.span,
                "GEOGRAPHY covers the whole globe: drop bounding_box",
            )),
            SqlType::Geography => {}
            other => found.push(problem(
                format!(
                    "spatial index `{}` is over `{}`, which is {other}, not GEOMETRY or GEOGRAPHY",
                    index.name, column.sql_name
                ),
                &index.span,
                "spatial indexes are over GEOMETRY or GEOGRAPHY columns",
            )),
        }
        if clustered_pk.is_none() {
            found.push(problem(
                format!(
                    "spatial index `{}` on `{}`, which has no clustered primary key",
                    index.name, table.name
                ),
                &index.span,
                "SQL Server builds spatial indexes only on tables with a clustered primary key",
            ));
        }
    }
    for index in &table.vector_indexes {
        let Some(column) = table.column(&index.column) else {
            continue;
        };
        if !matches!(column.value.sql, SqlType::Vector(_)) {
            found.push(problem(
                format!(
                    "vector index `{}` is over `{}`, which is {}, not VECTOR",
                    index.name, column.sql_name, column.value.sql
                ),
                &index.span,
                "vector indexes are over VECTOR(n) columns (a Vector<N> field)",
            ));
        }
        let single_int_key = clustered_pk.is_some_and(|pk| {
            pk.columns.len() == 1
                && table.column(&pk.columns[0]).is_some_and(|c| {
                    matches!(
                        c.value.sql,
                        SqlType::Int | SqlType::BigInt | SqlType::SmallInt | SqlType::TinyInt
                    )
                })
        });
        if !single_int_key {
            found.push(problem(
                format!("vector index `{}` on `{}`, whose primary key is not one clustered integer column", index.name, table.name),
                &index.span,
                "SQL Server 2025 builds vector indexes only on tables with a single-column integer clustered primary key",
            ));
        }
    }
}

/// Graph edges connect node tables; foreign keys stay within one storage kind.
fn table_kinds(model: &Model, table: &TableDef, found: &mut Vec<Diagnostic>) {
    use crate::model::{GraphKind, SqlType};
    let find = |name: &crate::model::QualifiedName| {
        model
            .tables
            .iter()
            .find(|t| t.name.collision_key() == name.collision_key())
    };
    if let GraphKind::Edge { connections, .. } = &table.graph {
        for connection in connections {
            let ends: &[&crate::model::QualifiedName] =
                if connection.from.collision_key() == connection.to.collision_key() {
                    &[&connection.from]
                } else {
                    &[&connection.from, &connection.to]
                };
            for end in ends.iter().copied() {
                match find(end) {
                    None => found.push(
                        Diagnostic::new(
                            Code::UnknownTable,
                            format!("edge `{}` connects `{end}`, which is not declared", table.name),
                        )
                        .at(connection.span.clone())
                        .with_help("declare the node table with #[derive(SqlTable)] and #[sql(node)], or correct the name"),
                    ),
                    Some(t) if t.graph != GraphKind::Node => found.push(
                        Diagnostic::new(
                            Code::TableKindMismatch,
                            format!("edge `{}` connects `{end}`, which is not a node table", table.name),
                        )
                        .at(connection.span.clone())
                        .with_secondary(t.span.clone(), "declared here without `node`")
                        .with_help("edges connect node tables: add #[sql(node)] to it, or connect another table"),
                    ),
                    Some(_) => {}
                }
            }
        }
    }
    for fk in &table.foreign_keys {
        if let Some(target) = find(&fk.references)
            && target.memory_optimized.is_some() != table.memory_optimized.is_some()
        {
            found.push(
                Diagnostic::new(
                    Code::TableKindMismatch,
                    format!(
                        "foreign key `{}` joins {} table `{}` to {} table `{}`",
                        fk.name,
                        if table.memory_optimized.is_some() { "memory-optimized" } else { "disk-based" },
                        table.name,
                        if target.memory_optimized.is_some() { "memory-optimized" } else { "disk-based" },
                        target.name
                    ),
                )
                .at(fk.span.clone())
                .with_help("SQL Server allows foreign keys only between tables of the same kind: drop the key or make both tables the same kind"),
            );
        }
    }
    if table.memory_optimized.is_some() {
        for column in &table.columns {
            if matches!(
                column.value.sql,
                SqlType::Geometry | SqlType::Geography | SqlType::HierarchyId
            ) {
                found.push(
                    Diagnostic::new(
                        Code::TableKindMismatch,
                        format!(
                            "memory-optimized table `{}` has {} column `{}`",
                            table.name, column.value.sql, column.sql_name
                        ),
                    )
                    .at(column.span.clone())
                    .with_help("In-Memory OLTP has no CLR types: keep the column in a disk-based table, or store its bytes as VARBINARY"),
                );
            }
        }
    }
}

/// The entity crate declares, at its root, a struct per table (`X`, `NewX`,
/// `XUpdate`, `XHistory`) and per row type; two of one name cannot compile.
fn entity_names(model: &Model, found: &mut Vec<Diagnostic>) {
    let mut declared: Vec<(String, String, &crate::diagnostics::SourceSpan)> = Vec::new();
    for table in &model.tables {
        let ident = &table.rust.ident;
        let by = format!("table `{}`", table.name);
        declared.push((ident.clone(), by.clone(), &table.span));
        declared.push((format!("New{ident}"), by.clone(), &table.span));
        declared.push((format!("{ident}Update"), by.clone(), &table.span));
        if table.temporal.is_some() {
            declared.push((format!("{ident}History"), by, &table.span));
        }
    }
    for row in &model.rows {
        declared.push((
            row.rust.ident.clone(),
            format!("row type `{}`", row.rust),
            &row.span,
        ));
    }
    let mut seen: HashMap<&str, (&str, &crate::diagnostics::SourceSpan)> = HashMap::new();
    for (name, by, at) in &declared {
        match seen.get(name.as_str()) {
            Some((first, first_at)) => found.push(
                Diagnostic::new(
                    Code::DuplicateObjectName,
                    format!("the entity crate would declare `{name}` twice: for {first} and for {by}"),
                )
                .at((*at).clone())
                .with_secondary((*first_at).clone(), "first here")
                .with_help("rename one of the Rust types (the SQL names can stay, with #[sql(name = \"..\")])"),
            ),
            None => {
                seen.insert(name, (by, at));
            }
        }
    }
}
