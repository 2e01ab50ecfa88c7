//! `CREATE OR ALTER PROCEDURE/FUNCTION` for T-SQL-bodied routines: the header
//! from the Rust signature, the body from its `.sql` file, verbatim.

use super::sql::source_text;
use crate::model::{Direction, Model, Routine, RoutineKind};
use serde::Serialize;

#[derive(Serialize)]
struct ParamView {
    name: String,
    sql_type: String,
    default: Option<String>,
    output: bool,
}

#[derive(Serialize)]
struct ColumnView {
    name: String,
    sql_type: String,
}

#[derive(Serialize)]
pub(super) struct TSqlRoutineView {
    kind: &'static str,
    procedure: bool,
    /// `scalar`, `inline` or `multi-statement` for functions.
    form: &'static str,
    schema: String,
    name: String,
    source: String,
    rust: String,
    body_file: String,
    doc: Vec<String>,
    params: Vec<ParamView>,
    returns: Option<String>,
    columns: Vec<ColumnView>,
    body: String,
}

/// What kind of T-SQL routine this is, as the manifest names it.
pub fn tsql_kind(routine: &Routine) -> (&'static str, &'static str) {
    let body = routine.body.as_ref().map(|b| b.text.as_str()).unwrap_or("");
    match &routine.kind {
        RoutineKind::ScalarFunction { .. } => ("T-SQL scalar function", "scalar"),
        RoutineKind::TableFunction { .. } if crate::tsql::first_word(body) == "BEGIN" => {
            ("multi-statement table-valued function", "multi-statement")
        }
        RoutineKind::TableFunction { .. } => ("inline table-valued function", "inline"),
        RoutineKind::Procedure { .. } => ("T-SQL procedure", ""),
    }
}

pub(super) fn tsql_routine_view(model: &Model, routine: &Routine) -> TSqlRoutineView {
    let body = routine.body.as_ref().expect("a T-SQL routine has a body");
    let (kind, form) = tsql_kind(routine);
    let (returns, columns) = match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => (Some(returns.sql.to_string()), Vec::new()),
        RoutineKind::TableFunction { rows, .. } => (
            None,
            model
                .row(rows)
                .map(|r| {
                    r.columns
                        .iter()
                        .map(|c| ColumnView {
                            name: c.sql_name.clone(),
                            sql_type: c.value.sql.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        RoutineKind::Procedure { .. } => (None, Vec::new()),
    };
    TSqlRoutineView {
        kind,
        procedure: routine.kind.is_procedure(),
        form,
        schema: routine.name.schema.clone(),
        name: routine.name.name.clone(),
        source: source_text(&routine.span),
        rust: routine.rust.to_string(),
        body_file: if body.inline_at.is_some() {
            format!("inline in {}", body.file)
        } else {
            body.file.to_string()
        },
        doc: routine.doc.clone(),
        params: routine
            .params
            .iter()
            .map(|p| ParamView {
                name: p.sql_name.clone(),
                sql_type: p.value.sql.to_string(),
                default: p.default.clone(),
                output: p.direction == Direction::Output,
            })
            .collect(),
        returns,
        columns,
        body: body.text.trim_end().to_string(),
    }
}
