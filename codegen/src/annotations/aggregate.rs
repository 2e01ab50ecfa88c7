//! `#[sql_aggregate]` on the inherent `impl` block of a type implementing
//! `runtime::SqlAggregate` → [`AggregateDef`].
//!
//! The attribute goes on the `impl` holding `accumulate` and `terminate`
//! because their signatures are the aggregate's SQL signature (parameter
//! names and types, result type), read like a function's; the trait holds
//! what does not depend on it (empty state, merge, state bytes), and the
//! macro checks with a span on the type that the trait is implemented.

use super::error::{AnnotationError, Errors};
use super::options::{AGGREGATE_OPTIONS, AggregateArgs};
use super::routine::{RoutineAttr, check_signature_shape, parse_params};
use super::rust_type::{Position, generic_of, last_segment, type_text, value_of};
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{AggregateDef, AggregateOptions, QualifiedName, RustPath, StateSize, unraw};
use darling::FromMeta;
use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, ReturnType, Type};

/// The largest `MaxByteSize` short of unlimited.
const MAX_STATE_BYTES: i64 = 8000;

/// Reads one `#[sql_aggregate]` impl block. Every problem is reported.
pub fn parse_aggregate(
    args: TokenStream,
    block: &ItemImpl,
    ctx: &ItemContext<'_>,
) -> Result<AggregateDef, Vec<AnnotationError>> {
    let mut errors = Errors::default();
    let meta = super::option_list(args, &mut errors);
    let parsed = AggregateArgs::from_list(&meta).unwrap_or_else(|e| {
        errors.push_darling(e, AGGREGATE_OPTIONS);
        AggregateArgs::default()
    });
    let options = AggregateOptions {
        invariant_to_nulls: parsed.invariant_to_nulls.0,
        invariant_to_duplicates: parsed.invariant_to_duplicates.0,
        invariant_to_order: parsed.invariant_to_order.0,
        null_if_empty: parsed.null_if_empty.0,
        max_size: state_size(&parsed, &mut errors),
    };

    if let Some((_, path, _)) = &block.trait_ {
        errors.push(
            AnnotationError::new(
                Code::AggregateShape,
                path.span(),
                "#[sql_aggregate] goes on the type's own `impl` block, not on a trait impl",
            )
            .help("write `#[sql_aggregate] impl MyAggregate { fn accumulate(&mut self, ..) {..} fn terminate(&self) -> T {..} }` and implement SqlAggregate in a separate `impl SqlAggregate for MyAggregate`"),
        );
        // Its methods are the trait's, not the aggregate's: nothing more to say.
        return Err(errors.into_vec());
    }
    if !block.generics.params.is_empty() || block.generics.where_clause.is_some() {
        errors.push(
            AnnotationError::new(
                Code::GenericRoutine,
                block.generics.span(),
                "a SQL aggregate cannot be generic",
            )
            .help("SQL Server binds one concrete type: write the aggregate for the concrete types it serves"),
        );
    }
    let ident = match &*block.self_ty {
        Type::Path(path) if path.qself.is_none() => match last_segment(&block.self_ty) {
            Some(segment) if segment.arguments.is_none() => Some(segment.ident.to_string()),
            _ => None,
        },
        _ => None,
    };
    let Some(ident) = ident.map(|i| unraw(&i).to_string()) else {
        errors.push(
            AnnotationError::new(
                Code::AggregateShape,
                block.self_ty.span(),
                format!(
                    "`{}` cannot be an aggregate state",
                    type_text(&block.self_ty)
                ),
            )
            .help("name a struct or enum of this crate, without generic arguments"),
        );
        return Err(errors.into_vec());
    };

    let (sql_name, name_span) = match &parsed.name {
        Some(name) => (name.as_str().to_string(), name.span()),
        None => (ident.clone(), block.self_ty.span()),
    };
    check_name(&sql_name, name_span, "name", &mut errors);
    let schema = match &parsed.schema {
        Some(schema) => {
            check_name(schema.as_str(), schema.span(), "schema", &mut errors);
            schema.as_str().to_string()
        }
        None => "dbo".to_string(),
    };

    let method = |name: &str| {
        block.items.iter().find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
    };
    let missing = |name: &str, shape: &str, errors: &mut Errors| {
        errors.push(
            AnnotationError::new(
                Code::AggregateShape,
                block.self_ty.span(),
                format!("the aggregate has no `{name}` method"),
            )
            .help(format!("add `{shape}` to this impl block")),
        );
    };
    let accumulate = method("accumulate");
    let terminate = method("terminate");
    if accumulate.is_none() {
        missing(
            "accumulate",
            "fn accumulate(&mut self, value: ..) (one row; its parameters are the SQL parameters)",
            &mut errors,
        );
    }
    if terminate.is_none() {
        missing(
            "terminate",
            "fn terminate(&self) -> T (the result)",
            &mut errors,
        );
    }

    let mut params = Vec::new();
    let mut accumulate_fallible = false;
    if let Some(f) = accumulate {
        check_receiver(f, true, &mut errors);
        check_signature_shape(&f.sig, &mut errors);
        let mut sig = f.sig.clone();
        sig.inputs = sig
            .inputs
            .into_iter()
            .filter(|a| !matches!(a, FnArg::Receiver(_)))
            .collect();
        params = parse_params(RoutineAttr::Function, &sig, false, ctx, &mut errors);
        if sig.inputs.is_empty() {
            errors.push(
                AnnotationError::new(
                    Code::AggregateShape,
                    f.sig.span(),
                    "`accumulate` takes no row values",
                )
                .help("SQL Server aggregates take at least one parameter: add the value each row passes, e.g. `value: &[f32]`"),
            );
        }
        accumulate_fallible = match &f.sig.output {
            ReturnType::Default => false,
            ReturnType::Type(_, ty) => match generic_of(ty, "Result") {
                Some(ok) if is_unit(ok) => true,
                _ => {
                    errors.push(
                        AnnotationError::new(
                            Code::UnsupportedReturnType,
                            ty.span(),
                            format!("`accumulate` cannot return `{}`", type_text(ty)),
                        )
                        .help("accumulate changes the state: return nothing, or `Result<(), E>` to raise an error"),
                    );
                    false
                }
            },
        };
    }

    let mut returns = None;
    let mut terminate_fallible = false;
    if let Some(f) = terminate {
        check_receiver(f, false, &mut errors);
        check_signature_shape(&f.sig, &mut errors);
        if let Some(extra) = f
            .sig
            .inputs
            .iter()
            .find(|a| !matches!(a, FnArg::Receiver(_)))
        {
            errors.push(
                AnnotationError::new(
                    Code::AggregateShape,
                    extra.span(),
                    "`terminate` takes only `&self`",
                )
                .help("the result depends on the state alone: keep what it needs in the state during accumulate"),
            );
        }
        match &f.sig.output {
            ReturnType::Default => errors.push(
                AnnotationError::new(
                    Code::MissingReturnValue,
                    f.sig.ident.span(),
                    "`terminate` must return the aggregate's result",
                )
                .help("return a scalar, e.g. `-> Option<Vec<f32>>` or `-> f64`"),
            ),
            ReturnType::Type(_, ty) => {
                let (fallible, value_ty) = match generic_of(ty, "Result") {
                    Some(ok) => (true, ok),
                    None => (false, &**ty),
                };
                terminate_fallible = fallible;
                returns = errors.check(value_of(
                    value_ty,
                    parsed.returns.as_ref(),
                    Position::Return,
                ));
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(AggregateDef {
        name: QualifiedName {
            schema,
            name: sql_name,
        },
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident,
        },
        doc: doc_lines(&block.attrs),
        span: SourceSpan::from_span(ctx.file, block.impl_token.span),
        name_span: SourceSpan::from_span(ctx.file, name_span),
        params,
        returns: returns.expect("a missing result always comes with an error"),
        accumulate_fallible,
        terminate_fallible,
        options,
    })
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// `accumulate` takes `&mut self`, `terminate` `&self`.
fn check_receiver(f: &ImplItemFn, mutable: bool, errors: &mut Errors) {
    let wanted = if mutable { "&mut self" } else { "&self" };
    let receiver = f.sig.inputs.first().and_then(|a| match a {
        FnArg::Receiver(r) => Some(r),
        FnArg::Typed(_) => None,
    });
    let ok = receiver.is_some_and(|r| r.reference.is_some() && r.mutability.is_some() == mutable);
    if !ok {
        let why = if mutable {
            "accumulate adds one row to the state"
        } else {
            "SQL Server may still save the state after terminate, so terminate only reads it"
        };
        errors.push(
            AnnotationError::new(
                Code::AggregateShape,
                receiver.map_or(f.sig.ident.span(), |r| r.span()),
                format!("`{}` must take `{wanted}`", f.sig.ident),
            )
            .help(format!("write `fn {}({wanted}, ..)`: {why}", f.sig.ident)),
        );
    }
}

fn state_size(parsed: &AggregateArgs, errors: &mut Errors) -> StateSize {
    match (&parsed.max_size, &parsed.unlimited_size) {
        (Some(max), Some(unlimited)) if unlimited.0 => {
            errors.push(
                AnnotationError::new(
                    Code::ConflictingOptions,
                    unlimited.span(),
                    format!("`unlimited_size` contradicts `max_size = {}`", **max),
                )
                .help("give one: `max_size = <1..8000>` bounds the saved state, `unlimited_size` (the default) allows up to 2 GB"),
            );
            StateSize::Unlimited
        }
        (Some(max), _) => match u16::try_from(**max) {
            Ok(n) if n >= 1 && i64::from(n) <= MAX_STATE_BYTES => StateSize::Bytes(n),
            _ => {
                errors.push(
                    AnnotationError::new(
                        Code::InvalidOptionValue,
                        max.span(),
                        format!("`max_size = {}` is out of range", **max),
                    )
                    .help("SQL Server takes a MaxByteSize from 1 to 8000; for larger states use `unlimited_size`"),
                );
                StateSize::Unlimited
            }
        },
        _ => StateSize::Unlimited,
    }
}
