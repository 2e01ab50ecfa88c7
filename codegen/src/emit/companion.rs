//! Companions: for a native routine with `Vector<N>`, `Geometry` or
//! `Geography` values, a T-SQL routine of the same shape that takes (and
//! returns) SQL Server's own types where the bridge takes bytes. A
//! `VECTOR(N)` argument is converted with the built-in
//! `[dbo].[hs_VectorFromJson]` (`VECTOR` cannot be a CLR parameter type, and
//! converts only to text); a spatial one to its SRID and WKB
//! (`CAST(@g.STSrid AS BINARY(4)) + @g.STAsBinary()`), and a spatial result
//! back with `STGeomFromWKB`.

use crate::model::builtin::{VECTOR_FROM_JSON, spatial_from_bytes, spatial_to_bytes};
use crate::model::{Direction, Model, QualifiedName, Routine, RoutineKind, RustValue};
use crate::quote_sql;
use serde::Serialize;

pub use crate::model::builtin::companion_name;

#[derive(Serialize)]
struct CompanionParam {
    name: String,
    sql_type: String,
    output: bool,
    /// The T-SQL expression that turns the argument into what the bridge
    /// takes, for VECTOR and spatial arguments.
    conversion: Option<String>,
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
    /// The helper that reads a spatial result back (`hs_GeometryFromBytes`).
    spatial_result: Option<&'static str>,
    /// What the header says the companion converts.
    converts: Vec<&'static str>,
}

/// The SQL type keyword of a spatial Rust value.
fn spatial_type(rust: RustValue) -> Option<&'static str> {
    match rust {
        RustValue::Geometry => Some("geometry"),
        RustValue::Geography => Some("geography"),
        _ => None,
    }
}

pub(super) fn companion_view(
    model: &Model,
    routine: &Routine,
    name: &QualifiedName,
) -> CompanionView {
    let mut params = Vec::new();
    let mut arguments = Vec::new();
    let mut converts = Vec::new();
    for p in &routine.params {
        let input = p.direction == Direction::Input;
        let (sql_type, conversion) = match (p.value.rust, spatial_type(p.value.rust)) {
            (RustValue::Vector(n), _) if input => {
                converts.push("VECTOR");
                (
                    format!("VECTOR({n})"),
                    Some(format!(
                        "[dbo].{}(CAST(CAST(@{} AS VARCHAR(MAX)) AS VARBINARY(MAX)))",
                        quote_sql::identifier(VECTOR_FROM_JSON),
                        p.sql_name
                    )),
                )
            }
            (_, Some(kind)) if input => {
                converts.push(if kind == "geometry" {
                    "GEOMETRY"
                } else {
                    "GEOGRAPHY"
                });
                (
                    kind.to_uppercase(),
                    Some(format!(
                        "[dbo].{}(@{})",
                        quote_sql::identifier(spatial_to_bytes(p.value.rust)),
                        p.sql_name
                    )),
                )
            }
            _ => (p.value.sql.to_string(), None),
        };
        arguments.push(
            conversion
                .clone()
                .unwrap_or_else(|| format!("@{}", p.sql_name)),
        );
        params.push(CompanionParam {
            name: p.sql_name.clone(),
            sql_type,
            output: p.direction == Direction::Output,
            conversion,
        });
    }
    let mut spatial_result = None;
    let all_required = routine.params.iter().all(|p| !p.value.nullable);
    let (kind, returns, columns, null_call) = match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => {
            let kind = spatial_type(returns.rust);
            if let Some(kind) = kind {
                converts.push(if kind == "geometry" {
                    "GEOMETRY"
                } else {
                    "GEOGRAPHY"
                });
                spatial_result = Some(spatial_from_bytes(returns.rust));
            }
            (
                "scalar function",
                Some(match kind {
                    Some(kind) => kind.to_uppercase(),
                    None => returns.sql.to_string(),
                }),
                Vec::new(),
                all_required.then_some("RETURNS NULL ON NULL INPUT"),
            )
        }
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
        spatial_result,
        converts: {
            converts.dedup();
            converts
        },
    }
}
