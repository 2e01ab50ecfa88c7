//! `CREATE TABLE` with its constraints and indexes, one file per table.
//! Default, check and filter expressions are T-SQL the user wrote; names are
//! always quoted.

use crate::model::{ForeignKeyDef, GraphKind, IndexStorage, KeyDef, SqlType, TableDef};
use crate::quote_sql::{identifier, qualified};
use serde::Serialize;

#[derive(Serialize)]
struct DefaultView {
    name: String,
    expression: String,
}

#[derive(Serialize)]
struct ColumnView {
    name: String,
    sql_type: String,
    nullable: bool,
    identity: Option<(i64, i64)>,
    default: Option<DefaultView>,
    /// `ROW START` / `ROW END` for a temporal table's period columns.
    generated: Option<&'static str>,
    hidden: bool,
    computed: Option<String>,
    persisted: bool,
    collation: Option<String>,
}

#[derive(Serialize)]
struct KeyView {
    column: String,
    descending: bool,
}

#[derive(Serialize)]
struct IndexView {
    name: String,
    unique: bool,
    clustered: bool,
    columnstore: bool,
    bucket_count: Option<u64>,
    keys: Vec<KeyView>,
    include: Vec<String>,
    filter: Option<String>,
}

#[derive(Serialize)]
pub(super) struct TableView {
    schema: String,
    name: String,
    source: String,
    rust: String,
    doc: Vec<String>,
    columns: Vec<ColumnView>,
    /// Table constraints, each a finished clause with quoted names.
    constraints: Vec<String>,
    indexes: Vec<IndexView>,
    spatial_indexes: Vec<SpatialView>,
    /// `MEMORY_OPTIMIZED = ON, DURABILITY = ..`: indexes go inside the
    /// table, as In-Memory OLTP requires.
    durability: Option<&'static str>,
    /// `NODE` or `EDGE`.
    graph: Option<&'static str>,
    history: Option<String>,
    history_index: String,
    retention: Option<String>,
    period_start: String,
    period_end: String,
}

#[derive(Serialize)]
struct SpatialView {
    name: String,
    column: String,
    grid: &'static str,
    bounding_box: Option<String>,
}

/// `[A], [B]`.
pub(crate) fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| identifier(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CONSTRAINT [name] PRIMARY KEY|UNIQUE ...`, as a table or `ALTER TABLE ADD` writes it.
pub(crate) fn key_clause(key: &KeyDef, kind: &str) -> String {
    match key.hash_buckets {
        Some(buckets) => format!(
            "CONSTRAINT {} {kind} NONCLUSTERED HASH ({}) WITH (BUCKET_COUNT = {buckets})",
            identifier(&key.name),
            column_list(&key.columns)
        ),
        None => format!(
            "CONSTRAINT {} {kind} {} ({})",
            identifier(&key.name),
            if key.clustered {
                "CLUSTERED"
            } else {
                "NONCLUSTERED"
            },
            column_list(&key.columns)
        ),
    }
}

/// `CONSTRAINT [name] FOREIGN KEY (...) REFERENCES ...`.
pub(crate) fn foreign_key_clause(fk: &ForeignKeyDef) -> String {
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        identifier(&fk.name),
        column_list(&fk.columns),
        qualified(&fk.references.schema, &fk.references.name),
        column_list(&fk.referenced_columns),
        fk.on_delete.sql(),
        fk.on_update.sql()
    )
}

pub(super) fn table_view(table: &TableDef) -> TableView {
    let mut constraints = Vec::new();
    if let Some(pk) = &table.primary_key {
        constraints.push(key_clause(pk, "PRIMARY KEY"));
    }
    for unique in &table.uniques {
        constraints.push(key_clause(unique, "UNIQUE"));
    }
    for fk in &table.foreign_keys {
        constraints.push(foreign_key_clause(fk));
    }
    for check in &table.checks {
        constraints.push(format!(
            "CONSTRAINT {} CHECK ({})",
            identifier(&check.name),
            check.expression
        ));
    }
    if let GraphKind::Edge {
        connections,
        cascade,
    } = &table.graph
        && !connections.is_empty()
    {
        constraints.push(format!(
            "CONSTRAINT {} CONNECTION ({}){}",
            identifier(&format!("EC_{}", table.name.name)),
            connections
                .iter()
                .map(|c| format!(
                    "{} TO {}",
                    qualified(&c.from.schema, &c.from.name),
                    qualified(&c.to.schema, &c.to.name)
                ))
                .collect::<Vec<_>>()
                .join(", "),
            if *cascade { " ON DELETE CASCADE" } else { "" }
        ));
    }
    let temporal = table.temporal.as_ref();
    if let Some(t) = temporal {
        constraints.push(format!(
            "PERIOD FOR SYSTEM_TIME ({}, {})",
            identifier(&t.start),
            identifier(&t.end)
        ));
    }
    let role = |column: &str| -> Option<&'static str> {
        let t = temporal?;
        if t.start == column {
            Some("ROW START")
        } else if t.end == column {
            Some("ROW END")
        } else {
            None
        }
    };
    TableView {
        schema: table.name.schema.clone(),
        name: table.name.name.clone(),
        source: super::sql::source_text(&table.span),
        rust: table.rust.to_string(),
        doc: table.doc.clone(),
        columns: table
            .columns
            .iter()
            .map(|c| ColumnView {
                name: c.sql_name.clone(),
                sql_type: c.value.sql.to_string(),
                nullable: c.value.nullable,
                identity: c.identity,
                default: c.default.as_ref().map(|d| DefaultView {
                    name: d.name.clone(),
                    expression: d.expression.clone(),
                }),
                generated: role(&c.sql_name),
                hidden: role(&c.sql_name).is_some() && temporal.is_some_and(|t| t.hidden),
                computed: c.computed.as_ref().map(|d| d.expression.clone()),
                persisted: c.computed.as_ref().is_some_and(|d| d.persisted),
                collation: c.collation.clone(),
            })
            .collect(),
        spatial_indexes: table
            .spatial_indexes
            .iter()
            .map(|i| SpatialView {
                name: i.name.clone(),
                column: i.column.clone(),
                grid: match table.column(&i.column).map(|c| c.value.sql) {
                    Some(SqlType::Geography) => "GEOGRAPHY_AUTO_GRID",
                    _ => "GEOMETRY_AUTO_GRID",
                },
                bounding_box: i.bounding_box.map(|b| {
                    b.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            })
            .collect(),
        durability: table.memory_optimized.map(|d| d.sql()),
        graph: match table.graph {
            GraphKind::None => None,
            GraphKind::Node => Some("NODE"),
            GraphKind::Edge { .. } => Some("EDGE"),
        },
        history: temporal.map(|t| t.history.name.clone()),
        history_index: temporal
            .map(|t| format!("IX_{}_Period", t.history.name))
            .unwrap_or_default(),
        retention: temporal.and_then(|t| t.retention.clone()),
        period_start: temporal.map(|t| t.start.clone()).unwrap_or_default(),
        period_end: temporal.map(|t| t.end.clone()).unwrap_or_default(),
        constraints,
        indexes: table
            .indexes
            .iter()
            .map(|i| IndexView {
                name: i.name.clone(),
                unique: i.unique,
                clustered: i.clustered,
                columnstore: i.storage == IndexStorage::Columnstore,
                bucket_count: match i.storage {
                    IndexStorage::Hash { bucket_count } => Some(bucket_count),
                    _ => None,
                },
                keys: i
                    .keys
                    .iter()
                    .map(|k| KeyView {
                        column: k.column.clone(),
                        descending: k.descending,
                    })
                    .collect(),
                include: i.include.clone(),
                filter: i.filter.clone(),
            })
            .collect(),
    }
}
