//! `#[sql_function]` and `#[sql_procedure]` on a Rust function → [`Routine`].

use super::error::{AnnotationError, Errors};
use super::options::{
    DataAccessArg, FUNCTION_OPTIONS, FunctionArgs, PARAM_OPTIONS, PROCEDURE_OPTIONS, ParamArgs,
    ProcedureArgs,
};
use super::rust_type::{
    Position, generic_of, is_scalar_name, iterator_item, last_segment, type_text, value_of,
};
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{
    DataAccess, Direction, FunctionOptions, Param, QualifiedName, Routine, RoutineKind, RowRef,
    RustPath, TSqlBody, check_parameter_name, lower_camel, unraw,
};
use darling::FromAttributes;
use darling::FromMeta;
use proc_macro2::{Span, TokenStream};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Pat, ReturnType, Signature, Type};

/// Which annotation is on the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutineAttr {
    Function,
    Procedure,
}

impl RoutineAttr {
    pub fn from_ident(ident: &str) -> Option<Self> {
        match ident {
            "sql_function" => Some(RoutineAttr::Function),
            "sql_procedure" => Some(RoutineAttr::Procedure),
            _ => None,
        }
    }
}

/// Common parts of both option sets.
struct Naming {
    name: Option<darling::util::SpannedValue<String>>,
    schema: Option<darling::util::SpannedValue<String>>,
}

/// Reads one annotated function. Every problem of the item is reported, not
/// just the first.
/// `bodiless` is true for `fn f(..) -> T;`, whose body is T-SQL
/// (`file = ".."`); false for a Rust function reached through the bridge.
pub fn parse_routine(
    attr: RoutineAttr,
    args: TokenStream,
    sig: &Signature,
    attrs: &[Attribute],
    bodiless: bool,
    ctx: &ItemContext<'_>,
) -> Result<Routine, Vec<AnnotationError>> {
    let mut errors = Errors::default();

    // Options. On failure carry on with defaults so signature errors still show.
    let meta = super::option_list(args, &mut errors);
    let mut dynamic = None;
    let (naming, function_options, returns_override, file, inline) = match attr {
        RoutineAttr::Function => {
            let parsed = FunctionArgs::from_list(&meta).unwrap_or_else(|e| {
                errors.push_darling(e, FUNCTION_OPTIONS);
                FunctionArgs::default()
            });
            let options = FunctionOptions {
                deterministic: parsed.deterministic.0,
                precise: parsed.precise.0,
                data_access: match parsed.data_access {
                    Some(DataAccessArg::Read) => DataAccess::Read,
                    Some(DataAccessArg::None) | None => DataAccess::None,
                },
            };
            (
                Naming {
                    name: parsed.name,
                    schema: parsed.schema,
                },
                options,
                parsed.returns,
                parsed.file,
                parsed.body,
            )
        }
        RoutineAttr::Procedure => {
            let parsed = ProcedureArgs::from_list(&meta).unwrap_or_else(|e| {
                errors.push_darling(e, PROCEDURE_OPTIONS);
                ProcedureArgs::default()
            });
            dynamic = parsed.dynamic.filter(|d| d.0);
            (
                Naming {
                    name: parsed.name,
                    schema: parsed.schema,
                },
                FunctionOptions::default(),
                None,
                parsed.file,
                parsed.body,
            )
        }
    };
    if let (Some(_), Some(inline)) = (&file, &inline) {
        errors.push(
            AnnotationError::new(
                Code::MissingTSqlBody,
                inline.span(),
                "both `file` and `body`",
            )
            .help(
                "give the T-SQL once: in a .sql file (file = \"..\") or inline (body = r#\"..\"#)",
            ),
        );
    }
    let body = match (file.as_ref().or(inline.as_ref()), bodiless) {
        (Some(given), true) => Some(match &inline {
            Some(inline) if file.is_none() => super::name_text::inline_body(ctx, inline),
            _ => TSqlBody {
                file: super::name_text::sibling_path(ctx.file, given.as_str()).into(),
                inline_at: None,
                text: String::new(),
                option_span: SourceSpan::from_span(ctx.file, given.span()),
            },
        }),
        (None, true) => {
            errors.push(
                AnnotationError::new(
                    Code::MissingTSqlBody,
                    sig.ident.span(),
                    format!("`{}` has no body: a native routine needs a Rust body, a T-SQL one `file = \"..\"` or `body = \"..\"`", sig.ident),
                )
                .help("give the function a Rust body, or put its T-SQL in a .sql file next to this one and name it: file = \"name.sql\""),
            );
            None
        }
        (Some(file), false) => {
            errors.push(
                AnnotationError::new(
                    Code::MissingTSqlBody,
                    file.span(),
                    "a T-SQL body (`file` or `body`) on a function that has a Rust body",
                )
                .help("end the signature with `;` instead of a body for a T-SQL routine, or drop `file`"),
            );
            None
        }
        (None, false) => None,
    };

    check_signature_shape(sig, &mut errors);

    let rust_ident = unraw(&sig.ident.to_string()).to_string();
    let (sql_name, name_span) = match &naming.name {
        Some(name) => (name.as_str().to_string(), name.span()),
        None => (rust_ident.clone(), sig.ident.span()),
    };
    check_name(&sql_name, name_span, "name", &mut errors);
    let schema = match &naming.schema {
        Some(schema) => {
            check_name(schema.as_str(), schema.span(), "schema", &mut errors);
            schema.as_str().to_string()
        }
        None => "dbo".to_string(),
    };

    let params = parse_params(attr, sig, bodiless, ctx, &mut errors);
    if let Some(d) = &dynamic {
        if !bodiless {
            errors.push(
                AnnotationError::new(
                    Code::InvalidOptionValue,
                    d.span(),
                    "`dynamic` applies to T-SQL procedures",
                )
                .help("a native procedure's one result set is its return type"),
            );
        } else if !matches!(sig.output, ReturnType::Default) {
            errors.push(
                AnnotationError::new(Code::InvalidOptionValue, d.span(), "a `dynamic` procedure declares no result sets")
                    .help("drop the return type: its rows are read as they come (tiberius rows in the entity crate)"),
            );
        }
    }
    let (fallible, kind) = parse_return(
        attr,
        sig,
        returns_override,
        function_options,
        BodyForm {
            tsql: bodiless,
            dynamic: dynamic.is_some(),
        },
        ctx,
        &mut errors,
    );
    if bodiless && fallible {
        errors.push(
            AnnotationError::new(
                Code::UnsupportedReturnType,
                sig.output.span(),
                "a T-SQL routine cannot return `Result`",
            )
            .help("its errors are SQL errors (THROW / RAISERROR): return the value type itself"),
        );
    }

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(Routine {
        name: QualifiedName {
            schema,
            name: sql_name,
        },
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident: rust_ident,
        },
        doc: doc_lines(attrs),
        span: SourceSpan::from_span(ctx.file, sig.fn_token.span),
        name_span: SourceSpan::from_span(ctx.file, name_span),
        params,
        fallible,
        kind: kind.expect("a missing kind always comes with an error"),
        body,
    })
}

pub(super) fn check_signature_shape(sig: &Signature, errors: &mut Errors) {
    for param in &sig.generics.params {
        if !matches!(param, syn::GenericParam::Lifetime(_)) {
            errors.push(
                AnnotationError::new(
                    Code::GenericRoutine,
                    param.span(),
                    "a SQL routine cannot be generic",
                )
                .help("SQL Server binds one concrete signature: write the function for the concrete types it serves"),
            );
        }
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(
            AnnotationError::new(
                Code::GenericRoutine,
                where_clause.span(),
                "a SQL routine cannot have a `where` clause",
            )
            .help("remove the bounds and use concrete types"),
        );
    }
    if let Some(token) = &sig.asyncness {
        errors.push(
            AnnotationError::new(Code::AsyncRoutine, token.span, "a SQL routine cannot be async")
                .help("SQL Server calls the routine synchronously on its own worker: make it a plain `fn`"),
        );
    }
    if let Some(token) = &sig.unsafety {
        errors.push(
            AnnotationError::new(Code::UnsupportedQualifier, token.span, "a SQL routine cannot be `unsafe`")
                .help("SQL Server cannot uphold a safety contract: make the function safe and keep `unsafe` blocks inside it"),
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push(
            AnnotationError::new(
                Code::UnsupportedQualifier,
                abi.span(),
                "a SQL routine must use the Rust ABI",
            )
            .help("remove `extern`: the bridge export is generated for you"),
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(
            AnnotationError::new(
                Code::UnsupportedQualifier,
                variadic.span(),
                "a SQL routine cannot be variadic",
            )
            .help("declare each parameter"),
        );
    }
}

pub(super) fn parse_params(
    attr: RoutineAttr,
    sig: &Signature,
    tsql: bool,
    ctx: &ItemContext<'_>,
    errors: &mut Errors,
) -> Vec<Param> {
    let mut params = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for input in &sig.inputs {
        let typed = match input {
            FnArg::Receiver(receiver) => {
                errors.push(
                    AnnotationError::new(
                        Code::MethodReceiver,
                        receiver.span(),
                        "a SQL routine cannot take `self`",
                    )
                    .help("SQL Server calls free functions: move it out of the `impl` block and pass what it needs as parameters"),
                );
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        let Pat::Ident(pat) = &*typed.pat else {
            errors.push(
                AnnotationError::new(
                    Code::PatternParameter,
                    typed.pat.span(),
                    "a SQL routine's parameters must be plain names",
                )
                .help("bind the parameter to a name and destructure it in the body; the name becomes the SQL parameter name"),
            );
            continue;
        };
        let args = ParamArgs::from_attributes(&typed.attrs).unwrap_or_else(|e| {
            errors.push_darling(e, PARAM_OPTIONS);
            ParamArgs::default()
        });
        let rust_name = unraw(&pat.ident.to_string()).to_string();

        let (direction, ty): (Direction, &Type) = match &*typed.ty {
            Type::Reference(reference) if reference.mutability.is_some() => {
                if attr == RoutineAttr::Function {
                    errors.push(
                        AnnotationError::new(
                            Code::OutputParameterOnFunction,
                            typed.ty.span(),
                            "a SQL function cannot have OUTPUT parameters",
                        )
                        .help("`&mut` parameters become OUTPUT parameters, which only procedures have: use #[sql_procedure] or return the value"),
                    );
                    continue;
                }
                (Direction::Output, &reference.elem)
            }
            ty => (Direction::Input, ty),
        };
        let position = match (direction, tsql) {
            (_, true) => Position::TSqlParameter,
            (Direction::Input, false) => Position::Parameter,
            (Direction::Output, false) => Position::OutputParameter,
        };
        let value = errors.check(value_of(ty, args.sql_type.as_ref(), position));

        let (sql_name, name_span) = match &args.name {
            Some(name) => (
                name.as_str().trim_start_matches('@').to_string(),
                name.span(),
            ),
            None => (lower_camel(&rust_name), pat.ident.span()),
        };
        if let Err(reason) = check_parameter_name(&sql_name) {
            errors.push(
                AnnotationError::new(
                    Code::InvalidParameterName,
                    name_span,
                    format!("`@{sql_name}` is not a valid T-SQL parameter name: {reason}"),
                )
                .help("give a name made of letters, digits and `_`, e.g. #[sql(name = \"modelName\")]"),
            );
        } else if let Some(first) = seen.insert(sql_name.to_lowercase(), name_span) {
            let _ = first;
            errors.push(
                AnnotationError::new(
                    Code::DuplicateMemberName,
                    name_span,
                    format!("two parameters are both named `@{sql_name}` in SQL"),
                )
                .help("SQL Server compares parameter names case-insensitively: rename one with #[sql(name = \"...\")]"),
            );
        }
        if let Some(value) = value {
            params.push(Param {
                sql_name,
                rust_name,
                value,
                direction,
                default: args.default.as_ref().map(|d| d.trim().to_string()),
                span: SourceSpan::from_span(ctx.file, typed.span()),
            });
        }
    }
    params
}

/// Splits `Result<T, E>` and decides what kind of routine the result makes.
fn parse_return(
    attr: RoutineAttr,
    sig: &Signature,
    returns_override: Option<darling::util::SpannedValue<String>>,
    options: FunctionOptions,
    body: BodyForm,
    ctx: &ItemContext<'_>,
    errors: &mut Errors,
) -> (bool, Option<RoutineKind>) {
    let BodyForm { tsql, dynamic } = body;
    let declared: Option<&Type> = match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some(ty),
    };
    let (fallible, ty) = match declared {
        Some(ty) => match generic_of(ty, "Result") {
            Some(ok) => (true, Some(ok)),
            None => (false, Some(ty)),
        },
        None => (false, None),
    };
    let ty = ty.filter(|t| !matches!(t, Type::Tuple(tuple) if tuple.elems.is_empty()));

    let rows = ty.and_then(|t| row_item(t).map(|(item, streaming)| (t, item, streaming)));
    let row_ref = |item: &Type, streaming: bool, errors: &mut Errors| -> Option<RowRef> {
        if is_scalar_name(item) {
            errors.push(
                AnnotationError::new(
                    Code::ScalarAsRow,
                    item.span(),
                    format!("`{}` is a scalar, not a row type", type_text(item)),
                )
                .help("rows of a table result are structs with #[derive(SqlRow)]; for a packed vector return Vec<f32>, for bytes Vec<u8>"),
            );
            return None;
        }
        match last_segment(item) {
            Some(segment) if segment.arguments.is_none() => Some(RowRef {
                ident: segment.ident.to_string(),
                span: SourceSpan::from_span(ctx.file, item.span()),
                streaming,
            }),
            _ => {
                errors.push(
                    AnnotationError::new(
                        Code::UnsupportedReturnType,
                        item.span(),
                        format!("`{}` cannot be a row type", type_text(item)),
                    )
                    .help("name a struct with #[derive(SqlRow)] and no generic parameters"),
                );
                None
            }
        }
    };

    let kind = match attr {
        RoutineAttr::Function => match (ty, rows) {
            (None, _) => {
                errors.push(
                    AnnotationError::new(
                        Code::MissingReturnValue,
                        sig.output.span().join(sig.ident.span()).unwrap_or(sig.ident.span()),
                        "a SQL function must return a value",
                    )
                    .help("return a scalar (e.g. `-> Option<f64>`) or rows (`-> Vec<Row>` with #[derive(SqlRow)]); for side effects use #[sql_procedure]"),
                );
                None
            }
            (Some(_), Some((_, item, streaming))) => {
                if let Some(text) = &returns_override {
                    errors.push(
                        AnnotationError::new(
                            Code::InvalidOptionValue,
                            text.span(),
                            "`returns` applies to scalar functions only",
                        )
                        .help("a table-valued function's columns come from its row struct: put #[sql(type = \"...\")] on the fields"),
                    );
                }
                row_ref(item, streaming, errors)
                    .map(|rows| RoutineKind::TableFunction { rows, options })
            }
            (Some(ty), None) => errors
                .check(value_of(
                    ty,
                    returns_override.as_ref(),
                    if tsql {
                        Position::TSqlReturn
                    } else {
                        Position::Return
                    },
                ))
                .map(|returns| RoutineKind::ScalarFunction { returns, options }),
        },
        RoutineAttr::Procedure => match (ty, rows) {
            (None, _) => Some(RoutineKind::Procedure {
                result_sets: Vec::new(),
                dynamic,
            }),
            (Some(_), Some((_, item, streaming))) => {
                row_ref(item, streaming, errors).map(|rows| RoutineKind::Procedure {
                    result_sets: vec![rows],
                    dynamic: false,
                })
            }
            // `(Vec<A>, Vec<B>)`: several result sets, for T-SQL bodies.
            (Some(Type::Tuple(tuple)), None) if tsql && !tuple.elems.is_empty() => {
                let mut sets = Vec::new();
                for elem in &tuple.elems {
                    match row_item(elem) {
                        Some((item, streaming)) => {
                            if let Some(r) = row_ref(item, streaming, errors) {
                                sets.push(r);
                            }
                        }
                        None => errors.push(
                            AnnotationError::new(
                                Code::UnsupportedReturnType,
                                elem.span(),
                                format!("`{}` is not a result set", type_text(elem)),
                            )
                            .help("each element of the tuple is one result set: `Vec<Row>` with #[derive(SqlRow)]"),
                        ),
                    }
                }
                Some(RoutineKind::Procedure {
                    result_sets: sets,
                    dynamic: false,
                })
            }
            (Some(ty), None) => {
                errors.push(
                    AnnotationError::new(
                        Code::UnsupportedReturnType,
                        ty.span(),
                        format!("a procedure cannot return `{}`", type_text(ty)),
                    )
                    .help(if tsql {
                        "a T-SQL procedure returns nothing, one result set (`-> Vec<Row>`), several (`-> (Vec<A>, Vec<B>)`), or is `dynamic`; single values go through `&mut` OUTPUT parameters"
                    } else {
                        "a procedure returns nothing or one result set (`-> Vec<Row>` / `-> impl Iterator<Item = Row>`); return single values through `&mut` OUTPUT parameters"
                    }),
                );
                None
            }
        },
    };
    (fallible, kind)
}

/// How a routine's body is given: T-SQL (a bodiless `fn`) or native, and
/// for a T-SQL procedure whether its result sets are dynamic.
#[derive(Debug, Clone, Copy)]
struct BodyForm {
    tsql: bool,
    dynamic: bool,
}

/// `Vec<T>` (not bytes or floats) or `impl Iterator<Item = T>` → `(T, streaming)`.
fn row_item(ty: &Type) -> Option<(&Type, bool)> {
    if let Some(item) = iterator_item(ty) {
        return Some((item, true));
    }
    let item = generic_of(ty, "Vec")?;
    let is_packed = last_segment(item).is_some_and(|s| s.ident == "u8" || s.ident == "f32");
    (!is_packed).then_some((item, false))
}

/// The row type a routine returns, as written, for the macros' trait check.
pub fn returned_row_type(sig: &Signature) -> Option<&Type> {
    let ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let ty = generic_of(ty, "Result").unwrap_or(ty);
    row_item(ty).map(|(item, _)| item)
}
