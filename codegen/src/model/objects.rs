//! The schema's objects other than tables and routines: schemas, sequences,
//! Service Broker (message types, contracts, queues and their services) and
//! database roles with their permissions. Each is declared in Rust by an
//! attribute on a unit struct.

use super::{QualifiedName, RustPath, SqlType};
use crate::diagnostics::SourceSpan;

/// What every declared object carries: where it is and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub rust: RustPath,
    pub doc: Vec<String>,
    pub span: SourceSpan,
}

/// `CREATE SCHEMA [name] AUTHORIZATION [owner]`. Schemas that objects use
/// but nobody declares are created too, owned by dbo.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDef {
    pub name: String,
    pub authorization: Option<String>,
    pub declared: Declared,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SequenceDef {
    pub name: QualifiedName,
    /// An integer type (TINYINT, SMALLINT, INT, BIGINT, DECIMAL(p, 0)).
    pub sql_type: SqlType,
    pub start: i64,
    pub increment: i64,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cycle: bool,
    pub cache: SequenceCache,
    pub declared: Declared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCache {
    /// SQL Server's default cache.
    Default,
    Size(u32),
    None,
}

/// How Service Broker checks a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageValidation {
    None,
    Empty,
    WellFormedXml,
}

impl MessageValidation {
    pub fn sql(self) -> &'static str {
        match self {
            MessageValidation::None => "NONE",
            MessageValidation::Empty => "EMPTY",
            MessageValidation::WellFormedXml => "WELL_FORMED_XML",
        }
    }
}

/// Service Broker names are database-wide (not in a schema) and often
/// URI-like: `//Hartonomous/Observe`.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageTypeDef {
    pub name: String,
    pub validation: MessageValidation,
    pub declared: Declared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentBy {
    Initiator,
    Target,
    Any,
}

impl SentBy {
    pub fn sql(self) -> &'static str {
        match self {
            SentBy::Initiator => "INITIATOR",
            SentBy::Target => "TARGET",
            SentBy::Any => "ANY",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractDef {
    pub name: String,
    pub messages: Vec<(String, SentBy)>,
    pub declared: Declared,
}

/// A queue, its activation procedure, and the service that receives on it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDef {
    pub name: QualifiedName,
    pub activation: Option<Activation>,
    pub poison_message_handling: bool,
    pub service: Option<ServiceDef>,
    pub declared: Declared,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    pub procedure: QualifiedName,
    pub max_readers: u16,
    /// `EXECUTE AS OWNER` or `SELF`.
    pub execute_as_owner: bool,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDef {
    pub name: String,
    pub contracts: Vec<String>,
    pub span: SourceSpan,
}

/// A view: its columns are a `#[derive(SqlRow)]` struct's, its body a
/// SELECT in a `.sql` file next to the Rust file.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewDef {
    pub name: QualifiedName,
    /// The row struct's Rust name (the struct the attribute is on).
    pub row: String,
    pub body: super::TSqlBody,
    pub schemabinding: bool,
    /// Indexes on the view (the first unique and clustered), created after it.
    pub indexes: Vec<super::IndexDef>,
    pub declared: Declared,
}

/// A database role and what it may (or may not) do.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDef {
    pub name: String,
    pub permissions: Vec<PermissionDef>,
    pub declared: Declared,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PermissionDef {
    pub deny: bool,
    /// `SELECT`, `EXECUTE`, `VIEW DEFINITION` ... upper-case, from a fixed list.
    pub permissions: Vec<String>,
    pub target: PermissionTarget,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PermissionTarget {
    Schema(String),
    Object(QualifiedName),
}

/// The object permissions a role may be granted or denied here.
pub const PERMISSIONS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "EXECUTE",
    "REFERENCES",
    "VIEW DEFINITION",
    "VIEW CHANGE TRACKING",
    "ALTER",
    "CONTROL",
    "TAKE OWNERSHIP",
    "RECEIVE",
];
