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
    pub span: SourceSpan,
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
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    /// `WHERE` of a filtered index, T-SQL as written.
    pub filter: Option<String>,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexKey {
    pub column: String,
    pub descending: bool,
}

/// Tables ordered so every table comes after the tables its foreign keys
/// reference (self-references aside), ties broken by name; or the first cycle
/// found, as the names along it.
pub fn dependency_order(tables: &[TableDef]) -> Result<Vec<&TableDef>, Vec<QualifiedName>> {
    let mut sorted: Vec<&TableDef> = tables.iter().collect();
    sorted.sort_by(|a, b| {
        a.name
            .collision_key()
            .cmp(&b.name.collision_key())
            .then_with(|| a.name.cmp(&b.name))
    });
    let index_of = |name: &QualifiedName| {
        sorted
            .iter()
            .position(|t| t.name.collision_key() == name.collision_key())
    };
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; sorted.len()];
    let mut order = Vec::with_capacity(sorted.len());
    fn visit<'a>(
        i: usize,
        sorted: &[&'a TableDef],
        index_of: &dyn Fn(&QualifiedName) -> Option<usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
        order: &mut Vec<&'a TableDef>,
    ) -> Result<(), Vec<QualifiedName>> {
        match state[i] {
            2 => return Ok(()),
            1 => {
                let start = path.iter().position(|p| *p == i).unwrap_or(0);
                let mut cycle: Vec<QualifiedName> = path[start..]
                    .iter()
                    .map(|p| sorted[*p].name.clone())
                    .collect();
                cycle.push(sorted[i].name.clone());
                return Err(cycle);
            }
            _ => {}
        }
        state[i] = 1;
        path.push(i);
        let mut targets: Vec<usize> = sorted[i]
            .foreign_keys
            .iter()
            .filter_map(|fk| index_of(&fk.references))
            .filter(|t| *t != i)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        for t in targets {
            visit(t, sorted, index_of, state, path, order)?;
        }
        path.pop();
        state[i] = 2;
        order.push(sorted[i]);
        Ok(())
    }
    for i in 0..sorted.len() {
        visit(
            i,
            &sorted,
            &index_of,
            &mut state,
            &mut Vec::new(),
            &mut order,
        )?;
    }
    Ok(order)
}
