//! `VECTOR(n)` companions: for a native routine with `Vector<N>` parameters,
//! a T-SQL routine of the same shape that takes SQL Server 2025 `VECTOR(N)`
//! values and converts each with the built-in `[dbo].[hs_VectorFromJson]`.
//! `VECTOR` cannot be a CLR parameter type, and converts only to text.

use crate::model::builtin::VECTOR_FROM_JSON;
use crate::model::{Direction, Model, QualifiedName, Routine, RoutineKind, RustValue};
use crate::quote_sql;
use serde::Serialize;

pub use crate::model::builtin::companion_name;

#[derive(Serialize)]
struct CompanionParam {
    name: String,
    sql_type: String,
    output: bool,
    vector: bool,
}

#[derive(Serialize)]
pub(super) struct CompanionView {
    kind: &'static str,
    procedure: bool,
    schema: String,
    name: String,
    base_schema: String,
    base_name: String,
    source: String,
    rust: String,
    helper: &'static str,
    params: Vec<CompanionParam>,
    arguments: Vec<String>,
    returns: Option<String>,
    columns: Vec<String>,
    null_call: Option<&'static str>,
}

pub(super) fn companion_view(
    model: &Model,
    routine: &Routine,
    name: &QualifiedName,
) -> CompanionView {
    let mut params = Vec::new();
    let mut arguments = Vec::new();
    for p in &routine.params {
        let vector = match p.value.rust {
            RustValue::Vector(n) if p.direction == Direction::Input => Some(n),
            _ => None,
        };
        params.push(CompanionParam {
            name: p.sql_name.clone(),
            sql_type: match vector {
                Some(n) => format!("VECTOR({n})"),
                None => p.value.sql.to_string(),
            },
            output: p.direction == Direction::Output,
            vector: vector.is_some(),
        });
        arguments.push(match vector {
            Some(_) => format!(
                "[dbo].{}(CAST(CAST(@{} AS VARCHAR(MAX)) AS VARBINARY(MAX)))",
                quote_sql::identifier(VECTOR_FROM_JSON),
                p.sql_name
            ),
            None => format!("@{}", p.sql_name),
        });
    }
    let all_required = routine.params.iter().all(|p| !p.value.nullable);
    let (kind, returns, columns, null_call) = match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => (
            "scalar function",
            Some(returns.sql.to_string()),
            Vec::new(),
            all_required.then_some("RETURNS NULL ON NULL INPUT"),
        ),
        RoutineKind::TableFunction { rows, .. } => (
            "inline table-valued function",
            None,
            model
                .row(rows)
                .map(|r| r.columns.iter().map(|c| c.sql_name.clone()).collect())
                .unwrap_or_default(),
            None,
        ),
        RoutineKind::Procedure { .. } => ("procedure", None, Vec::new(), None),
    };
    CompanionView {
        kind,
        procedure: routine.kind.is_procedure(),
        schema: name.schema.clone(),
        name: name.name.clone(),
        base_schema: routine.name.schema.clone(),
        base_name: routine.name.name.clone(),
        source: super::sql::source_text(&routine.span),
        rust: routine.rust.to_string(),
        helper: VECTOR_FROM_JSON,
        params,
        arguments,
        returns,
        columns,
        null_call,
    }
}
