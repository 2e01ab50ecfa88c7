//! Routines the bridge itself provides, added to the model when the crate
//! needs them. Their native exports live in `runtime::ffi`, not in user code.

use super::{
    Direction, FunctionOptions, Length, Model, Param, QualifiedName, Routine, RoutineKind,
    RustPath, RustValue, SqlType, TSqlBody, Value,
};
use crate::diagnostics::{LineCol, SourceSpan};
use std::sync::Arc;

/// `[dbo].[hs_VectorFromJson]`: a `VECTOR(n)` value's JSON text (as bytes)
/// to the packed f32 the bridge takes.
pub const VECTOR_FROM_JSON: &str = "hs_VectorFromJson";

/// Where built-in routines say they come from.
pub const BUILTIN_FILE: &str = "runtime/src/ffi/mod.rs";

/// Where the spatial helpers say they come from: the module that reads and
/// writes the bytes they convert to.
pub const SPATIAL_FILE: &str = "runtime/src/geometry.rs";

fn builtin_span() -> SourceSpan {
    span_in(BUILTIN_FILE)
}

fn span_in(file: &str) -> SourceSpan {
    SourceSpan {
        file: Arc::from(file),
        start: LineCol::default(),
        end: LineCol::default(),
    }
}

/// Whether any routine takes a `Vector<N>`, so `VECTOR(N)` companions and
/// the conversion they call are needed.
pub fn needs_vector_support(model: &Model) -> bool {
    model.routines.iter().any(has_vector_input)
}

/// The name of a routine's companion, the T-SQL wrapper that takes and
/// returns SQL Server's own types where the bridge takes bytes: the
/// routine's name with `_Vector` appended when it takes `Vector<N>` (the
/// companion also converts any spatial values), else `_Geometry` or
/// `_Geography` when it takes or returns those.
pub fn companion_name(routine: &Routine) -> Option<QualifiedName> {
    let suffix = if has_vector_input(routine) {
        "_Vector"
    } else {
        match spatial_kind(routine)? {
            RustValue::Geography => "_Geography",
            _ => "_Geometry",
        }
    };
    Some(QualifiedName {
        schema: routine.name.schema.clone(),
        name: format!("{}{suffix}", routine.name.name),
    })
}

/// `Geometry` if a native routine takes or returns one, else `Geography` if
/// it takes or returns that; `None` without spatial values.
pub fn spatial_kind(routine: &Routine) -> Option<RustValue> {
    if !routine.is_native() {
        return None;
    }
    let mut values: Vec<RustValue> = routine.params.iter().map(|p| p.value.rust).collect();
    if let RoutineKind::ScalarFunction { returns, .. } = &routine.kind {
        values.push(returns.rust);
    }
    [RustValue::Geometry, RustValue::Geography]
        .into_iter()
        .find(|kind| values.contains(kind))
}

pub fn has_vector_input(routine: &Routine) -> bool {
    // T-SQL-bodied routines take VECTOR(n) themselves: no companion.
    routine.is_native()
        && routine.params.iter().any(|p| {
            p.direction == Direction::Input && matches!(p.value.rust, RustValue::Vector(_))
        })
}

pub fn vector_from_json() -> Routine {
    let bytes = Value {
        sql: SqlType::VarBinary(Length::Max),
        rust: RustValue::ByteSlice,
        nullable: false,
    };
    Routine {
        name: QualifiedName {
            schema: "dbo".into(),
            name: VECTOR_FROM_JSON.into(),
        },
        rust: RustPath {
            module: vec!["runtime".into()],
            ident: "vector_from_json".into(),
        },
        doc: vec![
            "The JSON text of a VECTOR(n) value, as bytes (CAST(CAST(@v AS VARCHAR(MAX)) AS VARBINARY(MAX))),".into(),
            "to packed little-endian float32: what native functions take for Vector<N>.".into(),
            "Built into the bridge; the VECTOR companions of native routines call it.".into(),
        ],
        span: builtin_span(),
        name_span: builtin_span(),
        body: None,
        params: vec![Param {
            sql_name: "json".into(),
            rust_name: "json".into(),
            value: bytes,
            direction: Direction::Input,
            default: None,
            span: builtin_span(),
        }],
        fallible: true,
        kind: RoutineKind::ScalarFunction {
            returns: Value {
                sql: SqlType::VarBinary(Length::Max),
                rust: RustValue::F32Vec,
                nullable: false,
            },
            options: FunctionOptions {
                deterministic: true,
                precise: true,
                data_access: Default::default(),
            },
        },
    }
}

/// The T-SQL helpers that turn a spatial value into the bridge's bytes
/// (SRID, then WKB) and back, by SQL type: companions call them, and so do
/// queries around aggregates (which cannot have a T-SQL body).
pub fn spatial_to_bytes(kind: RustValue) -> &'static str {
    match kind {
        RustValue::Geography => "hs_GeographyToBytes",
        _ => "hs_GeometryToBytes",
    }
}

pub fn spatial_from_bytes(kind: RustValue) -> &'static str {
    match kind {
        RustValue::Geography => "hs_GeographyFromBytes",
        _ => "hs_GeometryFromBytes",
    }
}

/// The spatial kinds the native routines and aggregates use.
pub fn spatial_kinds_used(model: &Model) -> Vec<RustValue> {
    let mut values: Vec<RustValue> = Vec::new();
    for r in model.routines.iter().filter(|r| r.is_native()) {
        values.extend(r.params.iter().map(|p| p.value.rust));
        if let RoutineKind::ScalarFunction { returns, .. } = &r.kind {
            values.push(returns.rust);
        }
    }
    for a in &model.aggregates {
        values.extend(a.params.iter().map(|p| p.value.rust));
        values.push(a.returns.rust);
    }
    [RustValue::Geometry, RustValue::Geography]
        .into_iter()
        .filter(|k| values.contains(k))
        .collect()
}

/// `[dbo].[hs_GeometryToBytes]` / `[dbo].[hs_GeometryFromBytes]` (and the
/// geography pair) as T-SQL-bodied routines.
fn spatial_helper(kind: RustValue, to_bytes: bool) -> Routine {
    let sql_kind = if kind == RustValue::Geography {
        "geography"
    } else {
        "geometry"
    };
    let spatial = Value {
        sql: if kind == RustValue::Geography {
            SqlType::Geography
        } else {
            SqlType::Geometry
        },
        rust: RustValue::ByteVec,
        nullable: true,
    };
    let bytes = Value {
        sql: SqlType::VarBinary(Length::Max),
        rust: RustValue::ByteVec,
        nullable: true,
    };
    let (name, param, input, output, text, doc) = if to_bytes {
        (
            spatial_to_bytes(kind),
            "value",
            spatial,
            bytes,
            "BEGIN\n    RETURN CAST(@value.STSrid AS BINARY(4)) + @value.STAsBinary();\nEND;"
                .to_string(),
            format!(
                "A {sql_kind} value as the bridge takes it: its SRID (4 bytes, big-endian) and its WKB (STAsBinary: 2-D)."
            ),
        )
    } else {
        (
            spatial_from_bytes(kind),
            "bytes",
            bytes,
            spatial,
            format!(
                "BEGIN\n    RETURN {sql_kind}::STGeomFromWKB(SUBSTRING(@bytes, 5, DATALENGTH(@bytes) - 4), CAST(SUBSTRING(@bytes, 1, 4) AS INT));\nEND;"
            ),
            format!(
                "A {sql_kind} value from the bridge's bytes (SRID, then WKB), as native functions and aggregates return it."
            ),
        )
    };
    Routine {
        name: QualifiedName {
            schema: "dbo".into(),
            name: name.into(),
        },
        rust: RustPath {
            module: vec!["runtime".into(), "geometry".into()],
            ident: name.into(),
        },
        doc: vec![
            doc,
            "Built in: generated when native code takes or returns spatial values.".into(),
        ],
        span: span_in(SPATIAL_FILE),
        name_span: span_in(SPATIAL_FILE),
        body: Some(TSqlBody {
            file: Arc::from(SPATIAL_FILE),
            inline_at: None,
            text,
            option_span: span_in(SPATIAL_FILE),
        }),
        params: vec![Param {
            sql_name: param.into(),
            rust_name: param.into(),
            value: input,
            direction: Direction::Input,
            default: None,
            span: span_in(SPATIAL_FILE),
        }],
        fallible: false,
        kind: RoutineKind::ScalarFunction {
            returns: output,
            options: FunctionOptions {
                deterministic: true,
                precise: true,
                data_access: Default::default(),
            },
        },
    }
}

/// Adds the built-in routines the model needs.
pub fn add_builtins(model: &mut Model) {
    if needs_vector_support(model) {
        model.routines.push(vector_from_json());
    }
    for kind in spatial_kinds_used(model) {
        model.routines.push(spatial_helper(kind, true));
        model.routines.push(spatial_helper(kind, false));
    }
}
