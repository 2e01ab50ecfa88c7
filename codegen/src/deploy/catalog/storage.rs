//! How tables are stored and what else indexes them: memory-optimized
//! durability, graph node and edge tables with their connections, spatial
//! indexes, and SQL Server 2025's vector indexes. Each query exists from a
//! given server version on; before it, it asks for nothing.

use super::{CatalogError, CatalogRows, catalog_span, key};
use crate::model::{
    Durability, EdgeConnection, GraphKind, ObjectKey, QualifiedName, SpatialIndexDef, TableDef,
    VectorIndexDef, VectorMetric,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per table: memory-optimized (and durability), graph node or edge.
/// `{graph}` is `t.is_node`/`t.is_edge` from SQL Server 2017 (14) on.
const TABLES: &str = "SELECT s.name AS schema_name, t.name AS table_name, t.is_memory_optimized, \
t.durability_desc, CAST({node} AS BIT) AS is_node, CAST({edge} AS BIT) AS is_edge \
FROM sys.tables AS t \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
WHERE t.is_ms_shipped = 0 AND t.temporal_type <> 1 \
ORDER BY s.name, t.name;";

/// Edge constraints (SQL Server 2019, 15, on), one row per clause.
const EDGE_CONSTRAINTS: &str = "SELECT s.name AS schema_name, t.name AS table_name, \
CAST(ec.delete_referential_action AS INT) AS on_delete, fs.name AS from_schema, f.name AS from_table, \
ts.name AS to_schema, tt.name AS to_table \
FROM sys.edge_constraints AS ec \
JOIN sys.tables AS t ON t.object_id = ec.parent_object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.edge_constraint_clauses AS c ON c.object_id = ec.object_id \
JOIN sys.tables AS f ON f.object_id = c.from_object_id \
JOIN sys.schemas AS fs ON fs.schema_id = f.schema_id \
JOIN sys.tables AS tt ON tt.object_id = c.to_object_id \
JOIN sys.schemas AS ts ON ts.schema_id = tt.schema_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, fs.name, f.name, ts.name, tt.name;";

/// The same columns, no rows: what a server too old for a query answers.
const NO_EDGE_CONSTRAINTS: &str = "SELECT CAST(NULL AS NVARCHAR(128)) AS schema_name, \
CAST(NULL AS NVARCHAR(128)) AS table_name, CAST(NULL AS INT) AS on_delete, \
CAST(NULL AS NVARCHAR(128)) AS from_schema, CAST(NULL AS NVARCHAR(128)) AS from_table, \
CAST(NULL AS NVARCHAR(128)) AS to_schema, CAST(NULL AS NVARCHAR(128)) AS to_table WHERE 1 = 0;";

/// Spatial indexes with their grid and bounding box.
pub const SPATIAL_INDEXES: &str = "SELECT s.name AS schema_name, t.name AS table_name, i.name AS index_name, \
c.name AS column_name, st.tessellation_scheme, CAST(st.bounding_box_xmin AS FLOAT) AS xmin, \
CAST(st.bounding_box_ymin AS FLOAT) AS ymin, CAST(st.bounding_box_xmax AS FLOAT) AS xmax, \
CAST(st.bounding_box_ymax AS FLOAT) AS ymax \
FROM sys.spatial_indexes AS i \
JOIN sys.tables AS t ON t.object_id = i.object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id \
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
JOIN sys.spatial_index_tessellations AS st ON st.object_id = i.object_id AND st.index_id = i.index_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, i.name;";

/// Vector indexes (SQL Server 2025, 17, on).
const VECTOR_INDEXES: &str = "SELECT s.name AS schema_name, t.name AS table_name, vi.name AS index_name, \
c.name AS column_name, CAST(vi.distance_metric AS NVARCHAR(20)) AS distance_metric \
FROM sys.vector_indexes AS vi \
JOIN sys.tables AS t ON t.object_id = vi.object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.index_columns AS ic ON ic.object_id = vi.object_id AND ic.index_id = vi.index_id \
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, vi.name;";

const NO_VECTOR_INDEXES: &str = "SELECT CAST(NULL AS NVARCHAR(128)) AS schema_name, \
CAST(NULL AS NVARCHAR(128)) AS table_name, CAST(NULL AS NVARCHAR(128)) AS index_name, \
CAST(NULL AS NVARCHAR(128)) AS column_name, CAST(NULL AS NVARCHAR(20)) AS distance_metric WHERE 1 = 0;";

/// [`TABLES`] for a server of this major version.
pub fn tables_query(major_version: i32) -> String {
    let (node, edge) = if major_version >= 14 {
        ("t.is_node", "t.is_edge")
    } else {
        ("0", "0")
    };
    TABLES.replace("{node}", node).replace("{edge}", edge)
}

/// [`EDGE_CONSTRAINTS`], or nothing before SQL Server 2019.
pub fn edge_constraints_query(major_version: i32) -> &'static str {
    if major_version >= 15 {
        EDGE_CONSTRAINTS
    } else {
        NO_EDGE_CONSTRAINTS
    }
}

/// [`VECTOR_INDEXES`], or nothing before SQL Server 2025.
pub fn vector_indexes_query(major_version: i32) -> &'static str {
    if major_version >= 17 {
        VECTOR_INDEXES
    } else {
        NO_VECTOR_INDEXES
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TableRow {
    pub schema: String,
    pub table: String,
    pub memory_optimized: bool,
    /// `SCHEMA_AND_DATA` or `SCHEMA_ONLY`.
    pub durability: Option<String>,
    pub node: bool,
    pub edge: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EdgeConstraintRow {
    pub schema: String,
    pub table: String,
    /// 1: `ON DELETE CASCADE`.
    pub on_delete: i32,
    pub from_schema: String,
    pub from_table: String,
    pub to_schema: String,
    pub to_table: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpatialIndexRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub column: String,
    /// `GEOMETRY_AUTO_GRID`, `GEOGRAPHY_AUTO_GRID`, ...
    pub tessellation: String,
    /// GEOMETRY grids only.
    pub bounding_box: Option<[f64; 4]>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VectorIndexRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub column: String,
    pub metric: String,
}

/// Applies the storage rows to the tables read from the columns.
pub(super) fn apply(
    rows: &CatalogRows,
    tables: &mut BTreeMap<(String, String), TableDef>,
) -> Result<(), CatalogError> {
    for row in &rows.tables {
        let Some(table) = tables.get_mut(&key(&row.schema, &row.table)) else {
            continue;
        };
        if row.memory_optimized {
            table.memory_optimized = Some(match row.durability.as_deref() {
                Some("SCHEMA_ONLY") => Durability::SchemaOnly,
                _ => Durability::SchemaAndData,
            });
        }
        if row.node {
            table.graph = GraphKind::Node;
        } else if row.edge {
            table.graph = GraphKind::Edge {
                connections: Vec::new(),
                cascade: false,
            };
        }
    }
    for row in &rows.edge_constraints {
        let Some(table) = tables.get_mut(&key(&row.schema, &row.table)) else {
            continue;
        };
        if let GraphKind::Edge {
            connections,
            cascade,
        } = &mut table.graph
        {
            *cascade = row.on_delete == 1;
            connections.push(EdgeConnection {
                from: QualifiedName {
                    schema: row.from_schema.clone(),
                    name: row.from_table.clone(),
                },
                to: QualifiedName {
                    schema: row.to_schema.clone(),
                    name: row.to_table.clone(),
                },
                span: catalog_span(),
            });
        }
    }
    for row in &rows.spatial_indexes {
        let table = super::table_of(tables, &row.schema, &row.table)?;
        table.spatial_indexes.push(SpatialIndexDef {
            name: row.name.clone(),
            column: row.column.clone(),
            bounding_box: row
                .bounding_box
                .filter(|_| row.tessellation.starts_with("GEOMETRY")),
            span: catalog_span(),
        });
    }
    Ok(())
}

/// Each vector index with its script, as codegen writes it.
pub(super) fn vector_indexes(rows: &CatalogRows) -> Result<Vec<(ObjectKey, String)>, CatalogError> {
    rows.vector_indexes
        .iter()
        .map(|row| {
            let object = || format!("vector index {} on {}.{}", row.name, row.schema, row.table);
            let metric = match row.metric.to_lowercase().as_str() {
                "cosine" => VectorMetric::Cosine,
                "dot" => VectorMetric::Dot,
                "euclidean" => VectorMetric::Euclidean,
                other => {
                    return Err(CatalogError {
                        object: object(),
                        message: format!("metric `{other}` is not one codegen models"),
                    });
                }
            };
            let table = QualifiedName {
                schema: row.schema.clone(),
                name: row.table.clone(),
            };
            let index = VectorIndexDef {
                name: row.name.clone(),
                column: row.column.clone(),
                metric,
                span: catalog_span(),
            };
            let script = crate::emit::vector_index_script(&table, None, &index).map_err(|e| {
                CatalogError {
                    object: object(),
                    message: format!("rendering its script: {e}"),
                }
            })?;
            Ok((ObjectKey::VectorIndex(table, row.name.clone()), script))
        })
        .collect()
}
