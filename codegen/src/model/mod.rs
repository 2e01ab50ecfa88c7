//! The one model of the database. Readers build it, rules check it, emitters
//! render it; nothing here knows about Rust syntax trees or output text.

mod aggregate;
pub mod builtin;
mod data;
pub mod expression;
mod names;
mod objects;
mod order;
mod sql_type;
mod table;

pub use aggregate::{AggregateDef, AggregateOptions, StateSize};
pub use data::{DataDef, DataField, DataRow, DataValue};
pub use names::{
    MAX_IDENTIFIER_LEN, check_object_name, check_parameter_name, lower_camel, pascal_case,
    snake_case, unraw,
};
pub use objects::{
    Activation, ContractDef, Declared, MessageTypeDef, MessageValidation, PERMISSIONS,
    PermissionDef, PermissionTarget, QueueDef, RoleDef, SchemaDef, SentBy, SequenceCache,
    SequenceDef, ServiceDef, ViewDef,
};
pub use order::{
    ObjectKey, SECURITY_SCHEMA, dependencies, deploy_order, routine_rank, span_of, used_schemas,
};
pub use sql_type::{Length, MAX_VECTOR_DIMENSION, SqlType, SqlTypeError, TYPE_NAMES};
pub use table::{
    CheckDef, ComputedDef, DefaultDef, Durability, EdgeConnection, ForeignKeyDef, GraphKind,
    IndexDef, IndexKey, IndexStorage, KeyDef, ReferentialAction, SpatialIndexDef, TableColumn,
    TableDef, TemporalDef, Tenancy, VectorIndexDef, VectorMetric,
};

use crate::diagnostics::SourceSpan;
use std::fmt;

/// Everything the database contains, in source order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub routines: Vec<Routine>,
    /// User-defined aggregates (`#[sql_aggregate]`), always native.
    pub aggregates: Vec<AggregateDef>,
    pub rows: Vec<RowDef>,
    pub tables: Vec<TableDef>,
    pub schemas: Vec<SchemaDef>,
    pub sequences: Vec<SequenceDef>,
    pub message_types: Vec<MessageTypeDef>,
    pub contracts: Vec<ContractDef>,
    pub queues: Vec<QueueDef>,
    pub roles: Vec<RoleDef>,
    pub views: Vec<ViewDef>,
    /// Reference data (`#[sql_data]`), merged on every deployment.
    pub data: Vec<DataDef>,
    /// T-SQL files run before and after every deployment's schema changes
    /// (seed data, queue activation, jobs), in the order the project
    /// declares them.
    pub deploy_steps: DeploySteps,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeploySteps {
    pub pre: Vec<DeployStep>,
    pub post: Vec<DeployStep>,
    /// Changes that can lose data which the source allows
    /// (`schema.table[.column]:kind`), as `--allow` does for one run.
    pub allow: Vec<String>,
    /// Per environment (`local`, `development`, `staging`, `production`, or
    /// any other name), what is added to the steps above when deploying there.
    pub environments: std::collections::BTreeMap<String, DeploySteps>,
}

impl DeploySteps {
    /// The steps for one environment: the base's, then the environment's
    /// (pre and post steps appended, allowances added); `None` for a name
    /// the source does not declare.
    pub fn for_environment(&self, name: &str) -> Option<DeploySteps> {
        let overlay = self.environments.get(name)?;
        let mut steps = self.clone();
        steps.environments.clear();
        steps.pre.extend(overlay.pre.iter().cloned());
        steps.post.extend(overlay.post.iter().cloned());
        steps.allow.extend(overlay.allow.iter().cloned());
        Some(steps)
    }
}

/// One step file: its path (relative to the crate) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployStep {
    pub path: String,
    pub text: String,
}

/// `[schema].[name]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    /// SQL Server compares names case-insensitively under the default
    /// collations, so two objects differing only in case collide.
    pub fn collision_key(&self) -> (String, String) {
        (self.schema.to_lowercase(), self.name.to_lowercase())
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Where a Rust item lives: its module path inside the crate and its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RustPath {
    pub module: Vec<String>,
    pub ident: String,
}

impl fmt::Display for RustPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.module {
            write!(f, "{segment}::")?;
        }
        f.write_str(&self.ident)
    }
}

/// A function or procedure callable from T-SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Routine {
    pub name: QualifiedName,
    pub rust: RustPath,
    /// Doc comment lines, leading space trimmed.
    pub doc: Vec<String>,
    /// The `fn` item.
    pub span: SourceSpan,
    /// The SQL name as written (the `name = ...` value, or the Rust ident).
    pub name_span: SourceSpan,
    pub params: Vec<Param>,
    /// The Rust function returns `Result`: its `Err` is raised as a SQL error.
    pub fallible: bool,
    pub kind: RoutineKind,
    /// `Some` for a routine whose body is T-SQL (a bodiless `fn` with
    /// `file = ".."`); `None` for native Rust reached through the bridge.
    pub body: Option<TSqlBody>,
}

impl Routine {
    pub fn is_native(&self) -> bool {
        self.body.is_none()
    }
}

/// A T-SQL body: a `.sql` file next to the Rust file, or written inline in
/// the attribute (`body = r#"..."#`).
#[derive(Debug, Clone, PartialEq)]
pub struct TSqlBody {
    /// The file the text is in, relative to the workspace root (as
    /// diagnostics name it): the `.sql` file, or the Rust file for an inline
    /// body.
    pub file: std::sync::Arc<str>,
    /// For an inline body, where its text starts in the Rust file.
    pub inline_at: Option<crate::diagnostics::LineCol>,
    /// The file's text, once the reader has loaded it (the macros only
    /// check that it exists, through `include_str!`).
    pub text: String,
    /// The `file = ".."` option, where a missing file is reported.
    pub option_span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RoutineKind {
    ScalarFunction {
        returns: Value,
        options: FunctionOptions,
    },
    TableFunction {
        rows: RowRef,
        options: FunctionOptions,
    },
    Procedure {
        /// The result sets the procedure sends, in order: at most one for a
        /// native procedure, any number for a T-SQL one.
        result_sets: Vec<RowRef>,
        /// A T-SQL procedure whose result sets depend on data: not declared,
        /// read as raw rows.
        dynamic: bool,
    },
}

impl RoutineKind {
    pub fn is_procedure(&self) -> bool {
        matches!(self, RoutineKind::Procedure { .. })
    }

    pub fn function_options(&self) -> Option<&FunctionOptions> {
        match self {
            RoutineKind::ScalarFunction { options, .. }
            | RoutineKind::TableFunction { options, .. } => Some(options),
            RoutineKind::Procedure { .. } => None,
        }
    }

    /// The row type this routine returns, for table functions and procedures.
    pub fn row_ref(&self) -> Option<&RowRef> {
        match self {
            RoutineKind::TableFunction { rows, .. } => Some(rows),
            RoutineKind::Procedure { result_sets, .. } => result_sets.first(),
            RoutineKind::ScalarFunction { .. } => None,
        }
    }

    /// Every row type this routine returns.
    pub fn row_refs(&self) -> Vec<&RowRef> {
        match self {
            RoutineKind::TableFunction { rows, .. } => vec![rows],
            RoutineKind::Procedure { result_sets, .. } => result_sets.iter().collect(),
            RoutineKind::ScalarFunction { .. } => Vec::new(),
        }
    }
}

/// What SQL Server is told about a function (the CLR attribute's properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FunctionOptions {
    pub deterministic: bool,
    pub precise: bool,
    pub data_access: DataAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataAccess {
    #[default]
    None,
    Read,
}

impl fmt::Display for DataAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataAccess::None => "none",
            DataAccess::Read => "read",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    /// `OUTPUT`: a `&mut` parameter of a procedure.
    Output,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Without the `@`.
    pub sql_name: String,
    pub rust_name: String,
    pub value: Value,
    pub direction: Direction,
    /// `= <constant>` in the routine's header: callers may leave it out.
    pub default: Option<String>,
    pub span: SourceSpan,
}

/// A value crossing between SQL and Rust: its SQL type, its Rust form and
/// whether it may be NULL (`Option`).
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub sql: SqlType,
    pub rust: RustValue,
    pub nullable: bool,
}

/// The Rust forms a value can take; the bridge converts each to and from its
/// SqlTypes counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RustValue {
    Bool,
    U8,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// `&str` (parameters) or `&'static str` (results).
    Str,
    String,
    /// `&[u8]`.
    ByteSlice,
    ByteVec,
    /// `&[f32]`: packed little-endian f32 of any length.
    F32Slice,
    F32Vec,
    /// `Vector<N>`: packed little-endian f32 of exactly N elements.
    Vector(u16),
    Uuid,
    Date,
    Time,
    DateTime,
    DateTimeOffset,
    Decimal,
    /// `runtime::geometry::Geometry`: SQL Server `geometry`, crossing the
    /// bridge as its SRID and WKB in `VARBINARY(MAX)`.
    Geometry,
    /// `runtime::geometry::Geography`: SQL Server `geography`, likewise.
    Geography,
}

/// A reference to a `#[derive(SqlRow)]` struct, by its Rust name.
#[derive(Debug, Clone, PartialEq)]
pub struct RowRef {
    pub ident: String,
    pub span: SourceSpan,
    /// `impl Iterator` (rows stream) rather than `Vec` (rows collected).
    pub streaming: bool,
}

/// A row shape: the columns of a table function or a result set.
#[derive(Debug, Clone, PartialEq)]
pub struct RowDef {
    pub rust: RustPath,
    pub doc: Vec<String>,
    pub span: SourceSpan,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub sql_name: String,
    pub rust_name: String,
    pub value: Value,
    pub span: SourceSpan,
}

impl Model {
    /// The row struct a reference names, if exactly one exists.
    pub fn row(&self, reference: &RowRef) -> Option<&RowDef> {
        let mut found = self.rows.iter().filter(|r| r.rust.ident == reference.ident);
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}
