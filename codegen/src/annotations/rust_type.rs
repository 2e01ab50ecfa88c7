//! Syntactic mapping from Rust types to SQL values (DESIGN.md's type map).
//! Codegen never compiles the target, so types are recognised by their last
//! path segment; `#[sql(type = "...")]` overrides where a type is ambiguous.

use super::error::AnnotationError;
use crate::diagnostics::Code;
use crate::model::{Length, MAX_VECTOR_DIMENSION, RustValue, SqlType, Value};
use darling::util::SpannedValue;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type, TypeParamBound};

/// Where a type appears; the rules differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Parameter,
    OutputParameter,
    Return,
    Column,
    /// A column of a `#[derive(SqlTable)]` table: vectors are `VECTOR(N)`.
    TableColumn,
    /// A parameter or result of a T-SQL-bodied routine: SQL Server's own
    /// types, as in a table (vectors are `VECTOR(N)`), nothing crosses a bridge.
    TSqlParameter,
    TSqlReturn,
}

impl Position {
    /// Values SQL Server holds itself, never crossing the native bridge.
    fn in_sql(self) -> bool {
        matches!(
            self,
            Position::TableColumn | Position::TSqlParameter | Position::TSqlReturn
        )
    }
}

const SUPPORTED: &str = "supported types: bool, u8, i16, i32, i64, f32, f64, &str, String, &[u8], Vec<u8>, &[f32], Vec<f32>, Vector<N>, Uuid, NaiveDate, NaiveTime, NaiveDateTime, DateTime<Tz>, Decimal, Geometry, Geography; wrap in Option<..> for NULL";

/// Renders a type for messages: `Vec < u8 >` becomes `Vec<u8>`.
pub fn type_text(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let glue = matches!(prev, Some('<' | '&' | ':' | '[' | '('))
                || matches!(next, Some('<' | '>' | ',' | ':' | ']' | ')'));
            if glue {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The last segment of a plain path type (`std::option::Option<T>` → `Option<T>`).
pub fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// The single type argument of `Name<T>` when the type is `Name<T>`.
pub fn generic_of<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let segment = last_segment(ty)?;
    if segment.ident != name {
        return None;
    }
    first_type_arg(&segment.arguments)
}

fn first_type_arg(arguments: &PathArguments) -> Option<&Type> {
    match arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// `impl Iterator<Item = T>` (or `IntoIterator`) → `T`.
pub fn iterator_item(ty: &Type) -> Option<&Type> {
    let Type::ImplTrait(imp) = ty else {
        return None;
    };
    imp.bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(trait_bound) = bound else {
            return None;
        };
        let segment = trait_bound.path.segments.last()?;
        if segment.ident != "Iterator" && segment.ident != "IntoIterator" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &segment.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            GenericArgument::AssocType(assoc) if assoc.ident == "Item" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// Names that are SQL scalars, so they cannot be rows of a table result.
pub fn is_scalar_name(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) | Type::Slice(_) | Type::Array(_) | Type::Tuple(_) => true,
        _ => last_segment(ty).is_some_and(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "bool"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "f32"
                    | "f64"
                    | "char"
                    | "str"
                    | "String"
                    | "Vec"
                    | "Option"
                    | "Result"
                    | "Vector"
                    | "Uuid"
                    | "NaiveDate"
                    | "NaiveTime"
                    | "NaiveDateTime"
                    | "DateTime"
                    | "Decimal"
            )
        }),
    }
}

/// Maps one value type: `Option<..>` for NULL, then the base type, then the
/// override if one is given.
pub fn value_of(
    ty: &Type,
    override_type: Option<&SpannedValue<String>>,
    position: Position,
) -> Result<Value, AnnotationError> {
    let (nullable, base) = match generic_of(ty, "Option") {
        Some(inner) => (true, inner),
        None => (false, ty),
    };
    if generic_of(base, "Option").is_some() {
        return Err(unsupported(
            base,
            position,
            "nested `Option` has no SQL meaning: NULL is a single state",
        ));
    }
    let rust = base_value(base, position)?;
    let sql = match override_type {
        Some(text) => {
            let parsed: SqlType = text.parse().map_err(|e: crate::model::SqlTypeError| {
                AnnotationError::new(Code::InvalidTypeOverride, text.span(), e.message).help(e.help)
            })?;
            check_override(rust, parsed, base, text)?;
            if parsed.table_only() && !position.in_sql() {
                return Err(AnnotationError::new(
                    Code::TypeOverrideMismatch,
                    text.span(),
                    format!("{parsed} is a type for table columns; it cannot cross the native bridge"),
                )
                .help(if parsed == SqlType::Json {
                    "take the JSON as text: NVARCHAR(MAX) (a JSON value converts implicitly)"
                } else {
                    "take the value's bytes as VARBINARY(MAX) and convert in T-SQL (e.g. `@g.STAsBinary()` for spatial values)"
                }));
            }
            parsed
        }
        None => default_in(rust, position).ok_or_else(|| {
            AnnotationError::new(
                Code::TypeNeedsOverride,
                base.span(),
                format!("`{}` needs an explicit SQL type", type_text(base)),
            )
            .help("SQL Server's DECIMAL needs a precision and scale: add #[sql(type = \"DECIMAL(18, 4)\")] (or `returns = ...` on the function)")
        })?,
    };
    Ok(Value {
        sql,
        rust,
        nullable,
    })
}

fn unsupported(ty: &Type, position: Position, help: &str) -> AnnotationError {
    let (code, what) = match position {
        Position::Parameter | Position::OutputParameter | Position::TSqlParameter => {
            (Code::UnsupportedParameterType, "parameter")
        }
        Position::Return | Position::TSqlReturn => (Code::UnsupportedReturnType, "return"),
        Position::Column | Position::TableColumn => (Code::UnsupportedColumnType, "column"),
    };
    AnnotationError::new(
        code,
        ty.span(),
        format!("unsupported {what} type `{}`", type_text(ty)),
    )
    .help(help)
}

fn base_value(ty: &Type, position: Position) -> Result<RustValue, AnnotationError> {
    let owned_only = matches!(
        position,
        Position::Column
            | Position::TableColumn
            | Position::OutputParameter
            | Position::Return
            | Position::TSqlReturn
    );
    match ty {
        Type::ImplTrait(_) => {
            return Err(AnnotationError::new(
                Code::ImplTraitParameter,
                ty.span(),
                format!("`{}` cannot cross to SQL", type_text(ty)),
            )
            .help(
                "SQL needs one concrete type per parameter: name the type (e.g. `&str` instead of `impl AsRef<str>`)",
            ));
        }
        Type::Reference(reference) => {
            if reference.mutability.is_some() {
                return Err(unsupported(
                    ty,
                    position,
                    "`&mut` marks an OUTPUT parameter of a procedure, and only at the top level",
                ));
            }
            let borrowed = match &*reference.elem {
                Type::Path(p) if p.path.is_ident("str") => Some(RustValue::Str),
                Type::Slice(slice)
                    if last_segment(&slice.elem).is_some_and(|s| s.ident == "u8") =>
                {
                    Some(RustValue::ByteSlice)
                }
                Type::Slice(slice)
                    if last_segment(&slice.elem).is_some_and(|s| s.ident == "f32") =>
                {
                    Some(RustValue::F32Slice)
                }
                _ => None,
            };
            return match borrowed {
                // A `&'static str` result is fine; other borrowed results and
                // columns would outlive the call.
                Some(RustValue::Str)
                    if matches!(position, Position::Return | Position::TSqlReturn)
                        && reference
                            .lifetime
                            .as_ref()
                            .is_some_and(|l| l.ident == "static") =>
                {
                    Ok(RustValue::Str)
                }
                Some(value) if !owned_only => Ok(value),
                Some(_) => Err(unsupported(
                    ty,
                    position,
                    "results, columns and OUTPUT parameters own their data: use String, Vec<u8> or Vec<f32>",
                )),
                None => Err(unsupported(ty, position, SUPPORTED)),
            };
        }
        _ => {}
    }
    let Some(segment) = last_segment(ty) else {
        return Err(unsupported(ty, position, SUPPORTED));
    };
    let name = segment.ident.to_string();
    let value = match name.as_str() {
        "bool" => RustValue::Bool,
        "u8" => RustValue::U8,
        "i16" => RustValue::I16,
        "i32" => RustValue::I32,
        "i64" => RustValue::I64,
        "f32" => RustValue::F32,
        "f64" => RustValue::F64,
        "String" => RustValue::String,
        "Uuid" => RustValue::Uuid,
        "NaiveDate" => RustValue::Date,
        "NaiveTime" => RustValue::Time,
        "NaiveDateTime" => RustValue::DateTime,
        "DateTime" => RustValue::DateTimeOffset,
        "Decimal" => RustValue::Decimal,
        "Geometry" | "Geography" => {
            if !matches!(position, Position::Parameter | Position::Return) {
                return Err(unsupported(
                    ty,
                    position,
                    "Geometry and Geography cross the bridge as parameters and results of native functions and aggregates; in a table or a T-SQL routine use Vec<u8> with #[sql(type = \"GEOMETRY\")]",
                ));
            }
            if name == "Geometry" {
                RustValue::Geometry
            } else {
                RustValue::Geography
            }
        }
        "Vector" => RustValue::Vector(vector_dimension(ty, segment)?),
        "Vec" => match first_type_arg(&segment.arguments).and_then(last_segment) {
            Some(s) if s.ident == "u8" => RustValue::ByteVec,
            Some(s) if s.ident == "f32" => RustValue::F32Vec,
            _ => {
                return Err(unsupported(
                    ty,
                    position,
                    "a Vec crosses to SQL only as bytes (Vec<u8>) or a packed f32 vector (Vec<f32>); rows of a table-valued function are the function's result, not a parameter",
                ));
            }
        },
        "u16" | "u32" => {
            return Err(unsupported(
                ty,
                position,
                "SQL Server has no unsigned integers: use i32 (INT) or i64 (BIGINT)",
            ));
        }
        "u64" | "usize" | "u128" | "i128" | "isize" => {
            return Err(unsupported(
                ty,
                position,
                "SQL Server's widest integer is BIGINT: use i64",
            ));
        }
        "i8" => {
            return Err(unsupported(
                ty,
                position,
                "SQL Server's TINYINT is unsigned: use u8 (TINYINT) or i16 (SMALLINT)",
            ));
        }
        "char" => {
            return Err(unsupported(
                ty,
                position,
                "use &str or String with #[sql(type = \"NCHAR(1)\")]",
            ));
        }
        _ => return Err(unsupported(ty, position, SUPPORTED)),
    };
    Ok(value)
}

fn vector_dimension(ty: &Type, segment: &syn::PathSegment) -> Result<u16, AnnotationError> {
    let arg = match &segment.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => args.args.first(),
        _ => None,
    };
    let literal = match arg {
        Some(GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }))) => Some(int),
        // `Vector<4>` parses as a type argument only when the literal is braced;
        // syn reads a bare literal as a const argument, handled above.
        _ => None,
    };
    let Some(int) = literal else {
        return Err(AnnotationError::new(
            Code::VectorDimension,
            ty.span(),
            format!("the dimension of `{}` must be an integer literal", type_text(ty)),
        )
        .help("write the dimension where codegen can read it, e.g. `Vector<1998>`; it is part of the SQL type"));
    };
    match int.base10_parse::<u32>() {
        Ok(n) if (1..=MAX_VECTOR_DIMENSION).contains(&n) => Ok(n as u16),
        _ => Err(AnnotationError::new(
            Code::VectorDimension,
            int.span(),
            format!("vector dimension {} is out of range", int.base10_digits()),
        )
        .help(format!(
            "SQL Server's VECTOR holds 1 to {MAX_VECTOR_DIMENSION} float32 elements"
        ))),
    }
}

/// The default SQL type where the value appears: in a table a vector is SQL
/// Server 2025's `VECTOR(N)`; everywhere else it crosses the bridge as bytes.
fn default_in(rust: RustValue, position: Position) -> Option<SqlType> {
    match (position, rust) {
        (p, RustValue::Vector(n)) if p.in_sql() => Some(SqlType::Vector(n)),
        _ => default_sql(rust),
    }
}

/// The SQL type a Rust value maps to when no override is given.
pub fn default_sql(rust: RustValue) -> Option<SqlType> {
    Some(match rust {
        RustValue::Bool => SqlType::Bit,
        RustValue::U8 => SqlType::TinyInt,
        RustValue::I16 => SqlType::SmallInt,
        RustValue::I32 => SqlType::Int,
        RustValue::I64 => SqlType::BigInt,
        RustValue::F32 => SqlType::Real,
        RustValue::F64 => SqlType::Float,
        RustValue::Str | RustValue::String => SqlType::NVarChar(Length::Max),
        RustValue::ByteSlice | RustValue::ByteVec | RustValue::F32Slice | RustValue::F32Vec => {
            SqlType::VarBinary(Length::Max)
        }
        // On the bridge a vector is its packed bytes: 4 per element.
        RustValue::Vector(n) => SqlType::VarBinary(Length::Fixed(4 * n as u32)),
        // SRID and WKB; the companion converts to and from the SQL type.
        RustValue::Geometry | RustValue::Geography => SqlType::VarBinary(Length::Max),
        RustValue::Uuid => SqlType::UniqueIdentifier,
        RustValue::Date => SqlType::Date,
        RustValue::Time => SqlType::Time(7),
        RustValue::DateTime => SqlType::DateTime2(7),
        RustValue::DateTimeOffset => SqlType::DateTimeOffset(7),
        RustValue::Decimal => return None,
    })
}

fn check_override(
    rust: RustValue,
    sql: SqlType,
    ty: &Type,
    text: &SpannedValue<String>,
) -> Result<(), AnnotationError> {
    let allowed: &str = match rust {
        RustValue::Str | RustValue::String => {
            if matches!(
                sql,
                SqlType::NVarChar(_) | SqlType::VarChar(_) | SqlType::NChar(_) | SqlType::Char(_)
            ) {
                return Ok(());
            }
            if sql == SqlType::Json {
                return Ok(());
            }
            "NVARCHAR(n), NVARCHAR(MAX), VARCHAR(n), VARCHAR(MAX), NCHAR(n), CHAR(n) or (in a table) JSON"
        }
        RustValue::ByteSlice | RustValue::ByteVec => {
            if matches!(
                sql,
                SqlType::VarBinary(_)
                    | SqlType::Binary(_)
                    | SqlType::Geometry
                    | SqlType::Geography
                    | SqlType::HierarchyId
            ) {
                return Ok(());
            }
            "VARBINARY(n), VARBINARY(MAX), BINARY(n) or (in a table) GEOMETRY, GEOGRAPHY or HIERARCHYID"
        }
        RustValue::F32Slice | RustValue::F32Vec => match sql {
            SqlType::VarBinary(Length::Max) => return Ok(()),
            SqlType::VarBinary(Length::Fixed(n)) if n.is_multiple_of(4) => return Ok(()),
            _ => "VARBINARY(MAX) or VARBINARY(n) with n a multiple of 4 (packed f32)",
        },
        RustValue::Vector(n) => {
            if sql == SqlType::VarBinary(Length::Fixed(4 * n as u32))
                || sql == SqlType::VarBinary(Length::Max)
                || sql == SqlType::Vector(n)
            {
                return Ok(());
            }
            "VARBINARY(4 × N) or VARBINARY(MAX) (the packed vector on the bridge)"
        }
        RustValue::Decimal => {
            if matches!(sql, SqlType::Decimal { .. }) {
                return Ok(());
            }
            "DECIMAL(p, s)"
        }
        RustValue::DateTime => {
            if matches!(sql, SqlType::DateTime2(_) | SqlType::DateTime) {
                return Ok(());
            }
            "DATETIME2(p) or DATETIME"
        }
        RustValue::Time => {
            if matches!(sql, SqlType::Time(_)) {
                return Ok(());
            }
            "TIME(p)"
        }
        RustValue::DateTimeOffset => {
            if matches!(sql, SqlType::DateTimeOffset(_)) {
                return Ok(());
            }
            "DATETIMEOFFSET(p)"
        }
        other => {
            let default = default_sql(other).expect("only Decimal lacks a default");
            if sql == default {
                return Ok(());
            }
            return Err(mismatch(
                ty,
                sql,
                text,
                &format!("`{}` maps only to {default}", type_text(ty)),
            ));
        }
    };
    Err(mismatch(
        ty,
        sql,
        text,
        &format!("`{}` maps to {allowed}", type_text(ty)),
    ))
}

fn mismatch(ty: &Type, sql: SqlType, text: &SpannedValue<String>, help: &str) -> AnnotationError {
    AnnotationError::new(
        Code::TypeOverrideMismatch,
        text.span(),
        format!("SQL type {sql} does not fit Rust type `{}`", type_text(ty)),
    )
    .help(help.to_string())
}
