//! The live database, read from its catalog (`sys.*`): the rows the
//! queries return, and the [`Live`] they make. Reading rows from a server
//! (tiberius) is in `read`; turning rows into the model is here, and
//! tested on rows directly.
//!
//! What is read: tables (not history tables) with their columns (type,
//! length, precision, collation unless it is the database's, nullability,
//! identity, computed expression, default), primary-key, unique, foreign-key
//! and check constraints, indexes (filtered, INCLUDE, columnstore), system
//! versioning, and the definitions of procedures, functions and views.

mod clr;
mod objects;
mod storage;

pub use clr::{
    ASSEMBLIES, AssemblyRow, CLR_COLUMNS, CLR_MODULES, ClrColumnRow, ClrModuleRow, ClrParameterRow,
};
pub use objects::{
    CONTRACTS, ContractRow, MESSAGE_TYPES, MessageTypeRow, PolicyRow, QUEUES, QueueRow, ROLES,
    RoleRow, SCHEMAS, SEQUENCES, SERVICES, SchemaRow, SequenceRow, ServiceRow, TENANT_POLICY,
};
pub use storage::{
    EdgeConstraintRow, SPATIAL_INDEXES, SpatialIndexRow, TableRow, VectorIndexRow,
    edge_constraints_query, tables_query, vector_indexes_query,
};

use super::Live;
use crate::diagnostics::SourceSpan;
use crate::model::{
    CheckDef, ComputedDef, DefaultDef, ForeignKeyDef, IndexDef, IndexKey, IndexStorage, KeyDef,
    Length, ObjectKey, QualifiedName, ReferentialAction, RustPath, RustValue, SqlType, TableColumn,
    TableDef, TemporalDef, Value,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The server's version and the database's default collation.
pub const SERVER: &str = "SELECT CAST(SERVERPROPERTY('ProductMajorVersion') AS INT) AS major_version, \
CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS NVARCHAR(128)) AS collation;";

/// Columns of user tables (history tables left out: the model derives them).
/// `{vector_dimensions}` is `c.vector_dimensions` from SQL Server 2025 (17)
/// on, `NULL` before; `{graph_columns}` leaves out graph tables' internal
/// columns (`$node_id` and the like) from SQL Server 2017 (14) on.
pub const COLUMNS: &str = "SELECT s.name AS schema_name, t.name AS table_name, c.name AS column_name, \
ty.name AS type_name, CAST(c.max_length AS INT) AS max_length, CAST(c.precision AS INT) AS precision, \
CAST(c.scale AS INT) AS scale, c.collation_name, c.is_nullable, c.is_identity, \
CAST(ic.seed_value AS BIGINT) AS identity_seed, CAST(ic.increment_value AS BIGINT) AS identity_step, \
cc.definition AS computed, ISNULL(cc.is_persisted, 0) AS persisted, dc.name AS default_name, \
dc.definition AS default_definition, CAST({vector_dimensions} AS INT) AS vector_dimensions \
FROM sys.tables AS t \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.columns AS c ON c.object_id = t.object_id \
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id \
LEFT JOIN sys.identity_columns AS ic ON ic.object_id = c.object_id AND ic.column_id = c.column_id \
LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id \
LEFT JOIN sys.default_constraints AS dc ON dc.parent_object_id = c.object_id AND dc.parent_column_id = c.column_id \
WHERE t.is_ms_shipped = 0 AND t.temporal_type <> 1{graph_columns} \
ORDER BY s.name, t.name, c.column_id;";

/// Primary keys and unique constraints, one row per column in key order.
pub const KEYS: &str = "SELECT s.name AS schema_name, t.name AS table_name, k.name AS constraint_name, \
k.type AS kind, CAST(CASE WHEN i.type = 1 THEN 1 ELSE 0 END AS BIT) AS clustered, c.name AS column_name, \
CAST(h.bucket_count AS BIGINT) AS bucket_count \
FROM sys.key_constraints AS k \
JOIN sys.tables AS t ON t.object_id = k.parent_object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.indexes AS i ON i.object_id = k.parent_object_id AND i.index_id = k.unique_index_id \
LEFT JOIN sys.hash_indexes AS h ON h.object_id = i.object_id AND h.index_id = i.index_id \
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id \
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, k.name, ic.key_ordinal;";

/// Foreign keys, one row per column pair.
pub const FOREIGN_KEYS: &str = "SELECT s.name AS schema_name, t.name AS table_name, fk.name AS constraint_name, \
pc.name AS column_name, rs.name AS referenced_schema, rt.name AS referenced_table, rc.name AS referenced_column, \
fk.delete_referential_action_desc AS on_delete, fk.update_referential_action_desc AS on_update \
FROM sys.foreign_keys AS fk \
JOIN sys.tables AS t ON t.object_id = fk.parent_object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.tables AS rt ON rt.object_id = fk.referenced_object_id \
JOIN sys.schemas AS rs ON rs.schema_id = rt.schema_id \
JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id \
JOIN sys.columns AS pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id \
JOIN sys.columns AS rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, fk.name, fkc.constraint_column_id;";

pub const CHECKS: &str = "SELECT s.name AS schema_name, t.name AS table_name, ck.name AS constraint_name, \
ck.definition \
FROM sys.check_constraints AS ck \
JOIN sys.tables AS t ON t.object_id = ck.parent_object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
WHERE t.is_ms_shipped = 0 \
ORDER BY s.name, t.name, ck.name;";

/// Rowstore, columnstore and hash indexes that are not a key constraint's,
/// one row per column (keys in order, then included columns). Spatial,
/// XML and vector indexes are read on their own.
pub const INDEXES: &str = "SELECT s.name AS schema_name, t.name AS table_name, i.name AS index_name, \
i.is_unique, i.type_desc, i.filter_definition, c.name AS column_name, ic.is_descending_key, \
ic.is_included_column, CAST(h.bucket_count AS BIGINT) AS bucket_count \
FROM sys.indexes AS i \
JOIN sys.tables AS t ON t.object_id = i.object_id \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
LEFT JOIN sys.hash_indexes AS h ON h.object_id = i.object_id AND h.index_id = i.index_id \
LEFT JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id \
LEFT JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE t.is_ms_shipped = 0 AND t.temporal_type <> 1 AND i.type IN (1, 2, 5, 6, 7) \
AND i.is_primary_key = 0 AND i.is_unique_constraint = 0 \
ORDER BY s.name, t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id;";

/// System-versioned tables: their history table, retention and period.
pub const TEMPORAL: &str = "SELECT s.name AS schema_name, t.name AS table_name, hs.name AS history_schema, \
h.name AS history_table, CAST(t.history_retention_period AS INT) AS retention, \
t.history_retention_period_unit_desc AS retention_unit, sc.name AS period_start, ec.name AS period_end, \
CAST(sc.is_hidden AS BIT) AS hidden \
FROM sys.tables AS t \
JOIN sys.schemas AS s ON s.schema_id = t.schema_id \
JOIN sys.tables AS h ON h.object_id = t.history_table_id \
JOIN sys.schemas AS hs ON hs.schema_id = h.schema_id \
JOIN sys.periods AS p ON p.object_id = t.object_id \
JOIN sys.columns AS sc ON sc.object_id = t.object_id AND sc.column_id = p.start_column_id \
JOIN sys.columns AS ec ON ec.object_id = t.object_id AND ec.column_id = p.end_column_id \
WHERE t.temporal_type = 2;";

/// Procedures, functions and views with their definitions.
pub const MODULES: &str = "SELECT s.name AS schema_name, o.name AS object_name, \
CAST(o.type AS NVARCHAR(2)) AS object_type, m.definition \
FROM sys.sql_modules AS m \
JOIN sys.objects AS o ON o.object_id = m.object_id \
JOIN sys.schemas AS s ON s.schema_id = o.schema_id \
WHERE o.is_ms_shipped = 0 AND o.type IN ('P', 'FN', 'IF', 'TF', 'V') \
ORDER BY s.name, o.name;";

/// The newest row of codegen's deployment history, if the table exists.
pub const LAST_DEPLOYMENT: &str = "IF OBJECT_ID(N'[hartonomous].[DeploymentHistory]', N'U') IS NOT NULL \
EXEC (N'SELECT TOP (1) CONVERT(NVARCHAR(33), [DeployedAt], 126) AS deployed_at, [DeployedBy] AS deployed_by, \
CAST([SourceHash] AS NVARCHAR(64)) AS source_hash, CAST([PlanHash] AS NVARCHAR(64)) AS plan_hash, [Outcome] AS outcome \
FROM [hartonomous].[DeploymentHistory] ORDER BY [DeploymentId] DESC') \
ELSE SELECT CAST(NULL AS NVARCHAR(33)) AS deployed_at, CAST(NULL AS NVARCHAR(128)) AS deployed_by, \
CAST(NULL AS NVARCHAR(64)) AS source_hash, CAST(NULL AS NVARCHAR(64)) AS plan_hash, CAST(NULL AS NVARCHAR(20)) AS outcome WHERE 1 = 0;";

/// [`COLUMNS`] for a server of this major version.
pub fn columns_query(major_version: i32) -> String {
    COLUMNS
        .replace(
            "{vector_dimensions}",
            if major_version >= 17 {
                "c.vector_dimensions"
            } else {
                "NULL"
            },
        )
        .replace(
            "{graph_columns}",
            if major_version >= 14 {
                " AND c.graph_type IS NULL"
            } else {
                ""
            },
        )
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnRow {
    pub schema: String,
    pub table: String,
    pub column: String,
    pub type_name: String,
    pub max_length: i32,
    pub precision: i32,
    pub scale: i32,
    pub collation: Option<String>,
    pub nullable: bool,
    pub identity: Option<(i64, i64)>,
    pub computed: Option<String>,
    pub persisted: bool,
    pub default: Option<(String, String)>,
    pub vector_dimensions: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KeyRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    /// `PK` or `UQ`.
    pub kind: String,
    pub clustered: bool,
    pub column: String,
    /// A hash key's bucket count (a power of two: SQL Server rounds up).
    #[serde(default)]
    pub bucket_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ForeignKeyRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub column: String,
    pub referenced_schema: String,
    pub referenced_table: String,
    pub referenced_column: String,
    /// `NO_ACTION`, `CASCADE`, `SET_NULL`, `SET_DEFAULT`.
    pub on_delete: String,
    pub on_update: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub unique: bool,
    /// `CLUSTERED`, `NONCLUSTERED`, `CLUSTERED COLUMNSTORE`, ...
    pub type_desc: String,
    pub filter: Option<String>,
    pub column: Option<String>,
    pub descending: bool,
    pub included: bool,
    /// A hash index's bucket count.
    #[serde(default)]
    pub bucket_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TemporalRow {
    pub schema: String,
    pub table: String,
    pub history_schema: String,
    pub history_table: String,
    /// `None`: infinite.
    pub retention: Option<(i32, String)>,
    pub period_start: String,
    pub period_end: String,
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModuleRow {
    pub schema: String,
    pub name: String,
    /// `P`, `FN`, `IF`, `TF` or `V`.
    pub object_type: String,
    pub definition: String,
}

/// The last deployment codegen recorded in the database.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DeploymentRow {
    pub deployed_at: String,
    pub deployed_by: String,
    pub source_hash: String,
    pub plan_hash: String,
    pub outcome: String,
}

/// Everything the queries returned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CatalogRows {
    /// From codegen's deployment history; `None` before the first deploy.
    #[serde(default)]
    pub last_deployment: Option<DeploymentRow>,
    pub default_collation: String,
    pub columns: Vec<ColumnRow>,
    pub keys: Vec<KeyRow>,
    pub foreign_keys: Vec<ForeignKeyRow>,
    pub checks: Vec<CheckRow>,
    pub indexes: Vec<IndexRow>,
    pub temporal: Vec<TemporalRow>,
    pub modules: Vec<ModuleRow>,
    #[serde(default)]
    pub schemas: Vec<SchemaRow>,
    #[serde(default)]
    pub sequences: Vec<SequenceRow>,
    #[serde(default)]
    pub message_types: Vec<MessageTypeRow>,
    #[serde(default)]
    pub contracts: Vec<ContractRow>,
    #[serde(default)]
    pub queues: Vec<QueueRow>,
    #[serde(default)]
    pub services: Vec<ServiceRow>,
    #[serde(default)]
    pub roles: Vec<RoleRow>,
    #[serde(default)]
    pub tenant_policy: Vec<PolicyRow>,
    #[serde(default)]
    pub assemblies: Vec<AssemblyRow>,
    #[serde(default)]
    pub clr_modules: Vec<ClrModuleRow>,
    #[serde(default)]
    pub clr_columns: Vec<ClrColumnRow>,
    #[serde(default)]
    pub tables: Vec<TableRow>,
    #[serde(default)]
    pub edge_constraints: Vec<EdgeConstraintRow>,
    #[serde(default)]
    pub spatial_indexes: Vec<SpatialIndexRow>,
    #[serde(default)]
    pub vector_indexes: Vec<VectorIndexRow>,
}

/// A catalog row the model cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub object: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading the catalog: {}: {}", self.object, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// A column's SQL type from `sys.types` and `sys.columns`.
pub fn sql_type(row: &ColumnRow) -> Result<SqlType, CatalogError> {
    read_type(
        &TypeFields {
            type_name: &row.type_name,
            max_length: row.max_length,
            precision: row.precision,
            scale: row.scale,
            vector_dimensions: row.vector_dimensions,
        },
        || format!("{}.{}.{}", row.schema, row.table, row.column),
    )
}

/// What the catalog says of a column's or parameter's type.
pub(super) struct TypeFields<'a> {
    pub type_name: &'a str,
    /// In bytes; -1 for MAX.
    pub max_length: i32,
    pub precision: i32,
    pub scale: i32,
    pub vector_dimensions: Option<i32>,
}

/// The SQL type the fields describe; `object` names the column or
/// parameter in errors.
pub(super) fn read_type(
    t: &TypeFields<'_>,
    object: impl Fn() -> String,
) -> Result<SqlType, CatalogError> {
    let length = |per_char: i32| {
        if t.max_length == -1 {
            Length::Max
        } else {
            Length::Fixed((t.max_length / per_char) as u32)
        }
    };
    let fixed = |per_char: i32| (t.max_length / per_char) as u32;
    Ok(match t.type_name.to_lowercase().as_str() {
        "bit" => SqlType::Bit,
        "tinyint" => SqlType::TinyInt,
        "smallint" => SqlType::SmallInt,
        "int" => SqlType::Int,
        "bigint" => SqlType::BigInt,
        "real" => SqlType::Real,
        "float" => SqlType::Float,
        "decimal" | "numeric" => SqlType::Decimal {
            precision: t.precision as u8,
            scale: t.scale as u8,
        },
        "nvarchar" => SqlType::NVarChar(length(2)),
        "varchar" => SqlType::VarChar(length(1)),
        "nchar" => SqlType::NChar(fixed(2)),
        "char" => SqlType::Char(fixed(1)),
        "varbinary" => SqlType::VarBinary(length(1)),
        "binary" => SqlType::Binary(fixed(1)),
        "uniqueidentifier" => SqlType::UniqueIdentifier,
        "date" => SqlType::Date,
        "time" => SqlType::Time(t.scale as u8),
        "datetime" => SqlType::DateTime,
        "datetime2" => SqlType::DateTime2(t.scale as u8),
        "datetimeoffset" => SqlType::DateTimeOffset(t.scale as u8),
        "json" => SqlType::Json,
        "geometry" => SqlType::Geometry,
        "geography" => SqlType::Geography,
        "hierarchyid" => SqlType::HierarchyId,
        "vector" => match t.vector_dimensions {
            Some(n) if (1..=1998).contains(&n) => SqlType::Vector(n as u16),
            other => {
                return Err(CatalogError {
                    object: object(),
                    message: format!(
                        "a VECTOR column whose dimensions the catalog does not give ({other:?})"
                    ),
                });
            }
        },
        other => {
            return Err(CatalogError {
                object: object(),
                message: format!("type `{other}` is not one codegen models"),
            });
        }
    })
}

fn action(desc: &str) -> ReferentialAction {
    match desc {
        "CASCADE" => ReferentialAction::Cascade,
        "SET_NULL" => ReferentialAction::SetNull,
        "SET_DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

pub(crate) fn catalog_span() -> SourceSpan {
    SourceSpan {
        file: std::sync::Arc::from("(database catalog)"),
        start: Default::default(),
        end: Default::default(),
    }
}

/// What an object read from the catalog is "declared" by: its name, no
/// source.
pub(crate) fn catalog_declared(name: &str) -> crate::model::Declared {
    crate::model::Declared {
        rust: RustPath {
            module: Vec::new(),
            ident: name.to_string(),
        },
        doc: Vec::new(),
        span: catalog_span(),
    }
}

/// The table a constraint or index row belongs to.
pub(super) fn table_of<'a>(
    tables: &'a mut BTreeMap<(String, String), TableDef>,
    schema: &str,
    table: &str,
) -> Result<&'a mut TableDef, CatalogError> {
    tables
        .get_mut(&key(schema, table))
        .ok_or_else(|| CatalogError {
            object: format!("{schema}.{table}"),
            message: "a constraint or index on a table the column query did not return".into(),
        })
}

/// `schema.table` as a map key, case-blind.
pub(super) fn key(schema: &str, table: &str) -> (String, String) {
    (schema.to_lowercase(), table.to_lowercase())
}

/// The live database the rows describe.
pub fn build_live(rows: &CatalogRows) -> Result<Live, CatalogError> {
    let mut tables: BTreeMap<(String, String), TableDef> = BTreeMap::new();
    let mut order = Vec::new();
    for row in &rows.columns {
        // codegen's own deployment history is not part of any source.
        if row.schema.eq_ignore_ascii_case(super::HISTORY_SCHEMA) {
            continue;
        }
        let k = key(&row.schema, &row.table);
        let table = tables.entry(k.clone()).or_insert_with(|| {
            order.push(k.clone());
            TableDef {
                name: QualifiedName {
                    schema: row.schema.clone(),
                    name: row.table.clone(),
                },
                rust: RustPath {
                    module: Vec::new(),
                    ident: row.table.clone(),
                },
                doc: Vec::new(),
                span: catalog_span(),
                columns: Vec::new(),
                primary_key: None,
                uniques: Vec::new(),
                foreign_keys: Vec::new(),
                checks: Vec::new(),
                indexes: Vec::new(),
                temporal: None,
                tenancy: Default::default(),
                graph: Default::default(),
                memory_optimized: None,
                spatial_indexes: Vec::new(),
                vector_indexes: Vec::new(),
                renamed_from: None,
            }
        });
        let collation = row
            .collation
            .clone()
            .filter(|c| !c.eq_ignore_ascii_case(&rows.default_collation));
        table.columns.push(TableColumn {
            sql_name: row.column.clone(),
            rust_name: row.column.clone(),
            value: Value {
                sql: sql_type(row)?,
                rust: RustValue::ByteSlice,
                nullable: row.nullable,
            },
            identity: row.identity,
            default: row.default.as_ref().map(|(name, expression)| DefaultDef {
                name: name.clone(),
                expression: expression.clone(),
            }),
            computed: row.computed.as_ref().map(|expression| ComputedDef {
                expression: expression.clone(),
                persisted: row.persisted,
            }),
            collation,
            renamed_from: None,
            span: catalog_span(),
        });
    }

    for row in rows
        .keys
        .iter()
        .filter(|r| !r.schema.eq_ignore_ascii_case(super::HISTORY_SCHEMA))
    {
        let table = table_of(&mut tables, &row.schema, &row.table)?;
        // One row per column, in key order: the first makes the key.
        let keys = if row.kind.trim() == "PK" {
            table.primary_key.as_mut().map(std::slice::from_mut)
        } else {
            Some(table.uniques.as_mut_slice())
        };
        match keys.and_then(|keys| keys.iter_mut().find(|k| k.name == row.name)) {
            Some(key) => key.columns.push(row.column.clone()),
            None => {
                let key = KeyDef {
                    name: row.name.clone(),
                    columns: vec![row.column.clone()],
                    clustered: row.clustered,
                    hash_buckets: row.bucket_count.map(|n| n.max(0) as u64),
                    span: catalog_span(),
                };
                if row.kind.trim() == "PK" {
                    table.primary_key = Some(key);
                } else {
                    table.uniques.push(key);
                }
            }
        }
    }
    for row in &rows.foreign_keys {
        let table = table_of(&mut tables, &row.schema, &row.table)?;
        match table.foreign_keys.iter_mut().find(|f| f.name == row.name) {
            Some(fk) => {
                fk.columns.push(row.column.clone());
                fk.referenced_columns.push(row.referenced_column.clone());
            }
            None => table.foreign_keys.push(ForeignKeyDef {
                name: row.name.clone(),
                columns: vec![row.column.clone()],
                references: QualifiedName {
                    schema: row.referenced_schema.clone(),
                    name: row.referenced_table.clone(),
                },
                referenced_columns: vec![row.referenced_column.clone()],
                on_delete: action(&row.on_delete),
                on_update: action(&row.on_update),
                span: catalog_span(),
            }),
        }
    }
    for row in &rows.checks {
        table_of(&mut tables, &row.schema, &row.table)?
            .checks
            .push(CheckDef {
                name: row.name.clone(),
                expression: row.definition.clone(),
                span: catalog_span(),
            });
    }
    for row in &rows.indexes {
        let table = table_of(&mut tables, &row.schema, &row.table)?;
        let index = match table.indexes.iter_mut().position(|i| i.name == row.name) {
            Some(i) => &mut table.indexes[i],
            None => {
                table.indexes.push(IndexDef {
                    name: row.name.clone(),
                    unique: row.unique,
                    clustered: row.type_desc.starts_with("CLUSTERED"),
                    storage: if row.type_desc.contains("COLUMNSTORE") {
                        IndexStorage::Columnstore
                    } else if let Some(n) = row.bucket_count {
                        IndexStorage::Hash {
                            bucket_count: n.max(0) as u64,
                        }
                    } else {
                        IndexStorage::Rowstore
                    },
                    keys: Vec::new(),
                    include: Vec::new(),
                    filter: row.filter.clone(),
                    span: catalog_span(),
                });
                table.indexes.last_mut().expect("just pushed")
            }
        };
        // A clustered columnstore index lists every column: the model's
        // has none.
        if let Some(column) = &row.column
            && index.storage != IndexStorage::Columnstore
        {
            if row.included {
                index.include.push(column.clone());
            } else {
                index.keys.push(IndexKey {
                    column: column.clone(),
                    descending: row.descending,
                });
            }
        }
    }
    for row in &rows.temporal {
        let table = table_of(&mut tables, &row.schema, &row.table)?;
        table.temporal = Some(TemporalDef {
            history: QualifiedName {
                schema: row.history_schema.clone(),
                name: row.history_table.clone(),
            },
            retention: row
                .retention
                .as_ref()
                .filter(|(n, _)| *n >= 0)
                // The catalog says `DAY`; the DDL (and the model) `DAYS`.
                .map(|(n, unit)| format!("{n} {}S", unit.trim_end_matches('S'))),
            start: row.period_start.clone(),
            end: row.period_end.clone(),
            hidden: row.hidden,
        });
    }
    storage::apply(rows, &mut tables)?;
    let mut live = Live {
        tables: order
            .into_iter()
            .filter_map(|k| tables.remove(&k))
            .collect(),
        objects: objects::build_objects(rows)?,
        assemblies: rows.assemblies.clone(),
        ..Live::default()
    };
    for (key, script) in storage::vector_indexes(rows)? {
        live.add_definition(key, script);
    }
    for (key, assembly, script) in clr::clr_modules(rows)? {
        live.clr_modules.push((key.clone(), assembly));
        live.add_definition(key, script);
    }
    for row in &rows.modules {
        let name = QualifiedName {
            schema: row.schema.clone(),
            name: row.name.clone(),
        };
        let object = match row.object_type.trim() {
            "V" => ObjectKey::View(name),
            "P" => ObjectKey::Routine(3, name),
            "FN" => ObjectKey::Routine(1, name),
            _ => ObjectKey::Routine(2, name),
        };
        live.add_definition(object, row.definition.clone());
    }
    Ok(live)
}
