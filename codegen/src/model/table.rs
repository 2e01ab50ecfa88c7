//! Tables: columns, keys, constraints and indexes, as `#[derive(SqlTable)]`
//! declares them.

use super::{QualifiedName, RustPath, Value};
use crate::diagnostics::SourceSpan;

#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub name: QualifiedName,
    pub rust: RustPath,
    pub doc: Vec<String>,
    pub span: SourceSpan,
    pub columns: Vec<TableColumn>,
    pub primary_key: Option<KeyDef>,
    pub uniques: Vec<KeyDef>,
    pub foreign_keys: Vec<ForeignKeyDef>,
    pub checks: Vec<CheckDef>,
    pub indexes: Vec<IndexDef>,
    /// System versioning, when the table is temporal.
    pub temporal: Option<TemporalDef>,
    /// Row-level security by tenant.
    pub tenancy: Tenancy,
    /// A graph node or edge table, or an ordinary one.
    pub graph: GraphKind,
    /// `MEMORY_OPTIMIZED = ON` with this durability.
    pub memory_optimized: Option<Durability>,
    pub spatial_indexes: Vec<SpatialIndexDef>,
    /// SQL Server 2025 approximate vector indexes, created after the table.
    pub vector_indexes: Vec<VectorIndexDef>,
    /// The name it had before, in the same schema (`renamed_from`).
    pub renamed_from: Option<String>,
}

/// SQL graph tables: `AS NODE`, or `AS EDGE` with the node tables its edges
/// may connect (a `CONNECTION` constraint when any are given).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum GraphKind {
    #[default]
    None,
    Node,
    Edge {
        connections: Vec<EdgeConnection>,
        /// `ON DELETE CASCADE`: deleting a node deletes its edges.
        cascade: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct EdgeConnection {
    pub from: QualifiedName,
    pub to: QualifiedName,
    pub span: SourceSpan,
}

/// What survives a restart of a memory-optimized table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    SchemaAndData,
    SchemaOnly,
}

impl Durability {
    pub fn sql(self) -> &'static str {
        match self {
            Durability::SchemaAndData => "SCHEMA_AND_DATA",
            Durability::SchemaOnly => "SCHEMA_ONLY",
        }
    }
}

/// A spatial index over a GEOMETRY or GEOGRAPHY column. GEOMETRY needs its
/// bounding box (xmin, ymin, xmax, ymax).
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialIndexDef {
    pub name: String,
    pub column: String,
    pub bounding_box: Option<[f64; 4]>,
    pub span: SourceSpan,
}

/// `CREATE VECTOR INDEX ... WITH (METRIC = .., TYPE = 'DiskANN')`.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorIndexDef {
    pub name: String,
    pub column: String,
    pub metric: VectorMetric,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorMetric {
    Cosine,
    Dot,
    Euclidean,
}

impl VectorMetric {
    pub fn sql(self) -> &'static str {
        match self {
            VectorMetric::Cosine => "cosine",
            VectorMetric::Dot => "dot",
            VectorMetric::Euclidean => "euclidean",
        }
    }
}

/// Whether a table's rows are filtered by tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tenancy {
    /// Not said: the project-wide setting decides.
    #[default]
    Inherit,
    /// Scoped by this column.
    Column(String),
    /// Explicitly shared by all tenants.
    Off,
}

/// A system-versioned temporal table's settings. The history table has the
/// table's columns (same names, types, order and nullability) and nothing
/// else, as SQL Server requires.
#[derive(Debug, Clone, PartialEq)]
pub struct TemporalDef {
    pub history: QualifiedName,
    /// `HISTORY_RETENTION_PERIOD`, e.g. `90 DAYS`; `None` keeps history forever.
    pub retention: Option<String>,
    /// The period columns, `GENERATED ALWAYS AS ROW START / END`.
    pub start: String,
    pub end: String,
    pub hidden: bool,
}

impl TableDef {
    /// The column with this SQL name (compared as SQL Server compares).
    pub fn column(&self, name: &str) -> Option<&TableColumn> {
        self.columns
            .iter()
            .find(|c| c.sql_name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    pub sql_name: String,
    pub rust_name: String,
    pub value: Value,
    pub identity: Option<(i64, i64)>,
    pub default: Option<DefaultDef>,
    /// `AS (expression) [PERSISTED]`: SQL Server computes the value.
    pub computed: Option<ComputedDef>,
    /// `COLLATE` of a character column.
    pub collation: Option<String>,
    /// The name it had before (`renamed_from`).
    pub renamed_from: Option<String>,
    pub span: SourceSpan,
}

impl TableColumn {
    /// Whether SQL Server fills the column itself, so inserts and updates
    /// leave it out: identity, computed and period columns.
    pub fn is_generated(&self, table: &TableDef) -> bool {
        self.identity.is_some()
            || self.computed.is_some()
            || table
                .temporal
                .as_ref()
                .is_some_and(|t| t.start == self.sql_name || t.end == self.sql_name)
    }
}

/// A computed column's T-SQL expression, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedDef {
    pub expression: String,
    pub persisted: bool,
}

/// A named default constraint; the expression is T-SQL as written.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultDef {
    pub name: String,
    pub expression: String,
}

/// A primary key or unique constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDef {
    pub name: String,
    pub columns: Vec<String>,
    pub clustered: bool,
    /// A memory-optimized table's hash key: `NONCLUSTERED HASH ... WITH
    /// (BUCKET_COUNT = n)`.
    pub hash_buckets: Option<u64>,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyDef {
    pub name: String,
    pub columns: Vec<String>,
    pub references: QualifiedName,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    pub span: SourceSpan,
}

/// A check constraint; the expression is T-SQL as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDef {
    pub name: String,
    pub expression: String,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexDef {
    pub name: String,
    pub unique: bool,
    pub clustered: bool,
    pub storage: IndexStorage,
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    /// `WHERE` of a filtered index, T-SQL as written.
    pub filter: Option<String>,
    pub span: SourceSpan,
}

/// How an index stores its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexStorage {
    #[default]
    Rowstore,
    Columnstore,
    /// A memory-optimized table's hash index.
    Hash {
        bucket_count: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexKey {
    pub column: String,
    pub descending: bool,
}
