//! Reference data: rows of a table declared in Rust (`#[sql_data]` on a
//! function returning `Vec<Table>` built from struct literals), kept in
//! the database by an idempotent `MERGE` on every deployment.

use super::RustPath;
use crate::diagnostics::SourceSpan;

#[derive(Debug, Clone, PartialEq)]
pub struct DataDef {
    /// The function holding the rows.
    pub rust: RustPath,
    /// The row type's name as written (`ModelType`): the table's struct.
    pub row_type: String,
    /// Columns (SQL names) matching a row to the table's; the primary key
    /// when not given.
    pub key: Option<Vec<String>>,
    /// Rows the source lacks are deleted (only when asked).
    pub delete_missing: bool,
    pub rows: Vec<DataRow>,
    pub doc: Vec<String>,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataRow {
    /// By Rust field name, in the order written.
    pub fields: Vec<DataField>,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataField {
    pub field: String,
    pub value: DataValue,
    pub span: SourceSpan,
}

/// A literal value, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum DataValue {
    Null,
    Bool(bool),
    /// Integer digits with their sign.
    Integer(String),
    /// A float literal as written (`2.5`, `-1e-3`).
    Float(String),
    Text(String),
    /// Not a literal (as written): allowed only for columns the database
    /// computes (computed and period columns), whose values are not written.
    Expression(String),
}

impl DataDef {
    /// The table whose struct the rows are.
    pub fn table<'m>(&self, model: &'m super::Model) -> Option<&'m super::TableDef> {
        model.tables.iter().find(|t| t.rust.ident == self.row_type)
    }

    /// The columns matching a row to the table's: `key`, or the primary key.
    pub fn key_columns(&self, table: &super::TableDef) -> Vec<String> {
        match &self.key {
            Some(key) => key.clone(),
            None => table
                .primary_key
                .as_ref()
                .map(|k| k.columns.clone())
                .unwrap_or_default(),
        }
    }
}
