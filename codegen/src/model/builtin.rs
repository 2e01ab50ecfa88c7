//! Routines the bridge itself provides, added to the model when the crate
//! needs them. Their native exports live in `runtime::ffi`, not in user code.

use super::{
    Direction, FunctionOptions, Length, Model, Param, QualifiedName, Routine, RoutineKind,
    RustPath, RustValue, SqlType, Value,
};
use crate::diagnostics::{LineCol, SourceSpan};
use std::sync::Arc;

/// `[dbo].[hs_VectorFromJson]`: a `VECTOR(n)` value's JSON text (as bytes)
/// to the packed f32 the bridge takes.
pub const VECTOR_FROM_JSON: &str = "hs_VectorFromJson";

/// Where built-in routines say they come from.
pub const BUILTIN_FILE: &str = "runtime/src/ffi.rs";

fn builtin_span() -> SourceSpan {
    SourceSpan {
        file: Arc::from(BUILTIN_FILE),
        start: LineCol::default(),
        end: LineCol::default(),
    }
}

/// Whether any routine takes a `Vector<N>`, so `VECTOR(N)` companions and
/// the conversion they call are needed.
pub fn needs_vector_support(model: &Model) -> bool {
    model.routines.iter().any(has_vector_input)
}

/// Whether a routine has a `Vector<N>` input parameter.
/// The name of a routine's VECTOR companion (the T-SQL wrapper that takes
/// `VECTOR(N)` values): the routine's, with `_Vector` appended.
pub fn companion_name(routine: &Routine) -> Option<QualifiedName> {
    has_vector_input(routine).then(|| QualifiedName {
        schema: routine.name.schema.clone(),
        name: format!("{}_Vector", routine.name.name),
    })
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

/// Adds the built-in routines the model needs.
pub fn add_builtins(model: &mut Model) {
    if needs_vector_support(model) {
        model.routines.push(vector_from_json());
    }
}
