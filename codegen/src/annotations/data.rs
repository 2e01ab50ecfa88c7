//! `#[sql_data(key = "..", delete_missing)]` on a function returning
//! `Vec<Table>` whose body is `vec![Table { field: literal, .. }, ..]`.
//! The compiler checks every row against the table's struct; this reads the
//! literals back: a number, `true`/`false`, a string (`"x"`, `"x".into()`,
//! `"x".to_string()`, `String::from("x")`), `None`, or `Some(literal)`.
//! Anything else is kept as written; the rules accept it only for columns
//! the database computes, whose values are never written.

use super::options::Switch;
use super::{AnnotationError, Errors, ItemContext, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{DataDef, DataField, DataRow, DataValue, RustPath};
use darling::FromMeta;
use darling::util::SpannedValue;
use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, ReturnType, Token, Type, UnOp};

#[derive(Debug, Default, FromMeta)]
pub struct DataArgs {
    /// Columns matching rows (SQL names, comma-separated).
    #[darling(default)]
    pub key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub delete_missing: Switch,
}

pub const DATA_OPTIONS: &str =
    "key = \"Column, Column\" (default: the primary key), delete_missing";

const SHAPE_HELP: &str = "write `fn rows() -> Vec<Table> { vec![Table { id: 1, name: \"a\".into() }, Table { id: 2, name: \"b\".into() }] }`";

fn shape(span: Span, message: impl Into<String>) -> AnnotationError {
    AnnotationError::new(Code::DataShape, span, message).help(SHAPE_HELP)
}

pub fn parse_data(
    args: TokenStream,
    function: &syn::ItemFn,
    ctx: &ItemContext<'_>,
) -> Result<DataDef, Vec<AnnotationError>> {
    let mut errors = Errors::default();
    let meta = super::option_list(args, &mut errors);
    let parsed = DataArgs::from_list(&meta).unwrap_or_else(|e| {
        errors.push_darling(e, DATA_OPTIONS);
        DataArgs::default()
    });
    let span = |s: Span| SourceSpan::from_span(ctx.file, s);
    let sig = &function.sig;
    if !sig.inputs.is_empty() || !sig.generics.params.is_empty() {
        errors.push(shape(
            sig.ident.span(),
            "reference data comes from a function without parameters or generics",
        ));
    }
    let row_type = match &sig.output {
        ReturnType::Type(_, ty) => vec_item(ty),
        ReturnType::Default => None,
    };
    let Some(row_type) = row_type else {
        errors.push(shape(
            sig.output.span(),
            "reference data is returned as `Vec<Table>`, the table's struct",
        ));
        return Err(errors.into_vec());
    };
    let mut rows = Vec::new();
    match body_rows(&function.block) {
        Some(elements) => {
            for element in elements {
                if let Some(row) = data_row(&element, &row_type, &mut errors, &span) {
                    rows.push(row);
                }
            }
        }
        None => errors.push(shape(
            function.block.span(),
            "the body must be one `vec![..]` of the table's struct literals",
        )),
    }
    let key = parsed.key.as_ref().map(|k| {
        k.as_str()
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
    });
    if key.as_ref().is_some_and(Vec::is_empty) {
        let k = parsed.key.as_ref().expect("given");
        errors.push(
            AnnotationError::new(Code::InvalidOptionValue, k.span(), "`key` names no column")
                .help("name the columns that identify a row: `key = \"Code\"`"),
        );
    }
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(DataDef {
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident: sig.ident.to_string(),
        },
        row_type,
        key,
        delete_missing: parsed.delete_missing.0,
        rows,
        doc: doc_lines(&function.attrs),
        span: span(sig.ident.span()),
    })
}

/// `T` of `Vec<T>`, by its last path segment.
fn vec_item(ty: &Type) -> Option<String> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(Type::Path(item)) => {
            Some(item.path.segments.last()?.ident.to_string())
        }
        _ => None,
    }
}

/// The elements of the body's one `vec![..]`.
fn body_rows(block: &syn::Block) -> Option<Vec<Expr>> {
    let [syn::Stmt::Expr(Expr::Macro(mac), None)] = block.stmts.as_slice() else {
        return None;
    };
    if !mac.mac.path.is_ident("vec") {
        return None;
    }
    mac.mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()
        .map(|p| p.into_iter().collect())
}

fn data_row(
    element: &Expr,
    row_type: &str,
    errors: &mut Errors,
    span: &impl Fn(Span) -> SourceSpan,
) -> Option<DataRow> {
    let Expr::Struct(literal) = element else {
        errors.push(shape(
            element.span(),
            format!("each row is a `{row_type} {{ .. }}` struct literal"),
        ));
        return None;
    };
    if literal
        .path
        .segments
        .last()
        .is_none_or(|s| s.ident != row_type)
    {
        errors.push(shape(
            literal.path.span(),
            format!("each row is a `{row_type}`, the type the function returns"),
        ));
        return None;
    }
    if let Some(rest) = &literal.rest {
        errors.push(shape(
            rest.span(),
            "give every field: `..` would hide values from the deployment",
        ));
        return None;
    }
    let mut fields = Vec::new();
    for field in &literal.fields {
        let syn::Member::Named(name) = &field.member else {
            errors.push(shape(field.member.span(), "fields are named"));
            continue;
        };
        // Not a literal: kept as written, for the rules to accept only
        // where the database computes the column.
        let value = value(&field.expr).unwrap_or_else(|| {
            DataValue::Expression(quote::ToTokens::to_token_stream(&field.expr).to_string())
        });
        fields.push(DataField {
            field: name.to_string(),
            value,
            span: span(field.expr.span()),
        });
    }
    Some(DataRow {
        fields,
        span: span(literal.span()),
    })
}

/// A literal value, or `None` when the expression is not one.
fn value(expr: &Expr) -> Option<DataValue> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => literal(lit, false),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match &*unary.expr {
            Expr::Lit(ExprLit { lit, .. }) => literal(lit, true),
            _ => None,
        },
        Expr::Paren(inner) => value(&inner.expr),
        Expr::Path(path) if path.path.is_ident("None") => Some(DataValue::Null),
        Expr::Call(call) => {
            let Expr::Path(function) = &*call.func else {
                return None;
            };
            let name: Vec<String> = function
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            match (name.as_slice(), call.args.first()) {
                ([some], Some(inner)) if some == "Some" && call.args.len() == 1 => {
                    value(inner).filter(|v| *v != DataValue::Null)
                }
                ([.., string, from], Some(inner))
                    if string == "String" && from == "from" && call.args.len() == 1 =>
                {
                    value(inner).filter(|v| matches!(v, DataValue::Text(_)))
                }
                _ => None,
            }
        }
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "into" | "to_string" | "to_owned"
                ) =>
        {
            value(&call.receiver).filter(|v| matches!(v, DataValue::Text(_)))
        }
        _ => None,
    }
}

fn literal(lit: &Lit, negative: bool) -> Option<DataValue> {
    let sign = if negative { "-" } else { "" };
    match lit {
        Lit::Int(i) => Some(DataValue::Integer(format!("{sign}{}", i.base10_digits()))),
        Lit::Float(f) => Some(DataValue::Float(format!("{sign}{}", f.base10_digits()))),
        Lit::Bool(b) if !negative => Some(DataValue::Bool(b.value)),
        Lit::Str(s) if !negative => Some(DataValue::Text(s.value())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn parse(args: &str, item: &str) -> Result<DataDef, Vec<AnnotationError>> {
        let file: Arc<str> = Arc::from("src/lib.rs");
        let ctx = ItemContext {
            file: &file,
            module: &[],
        };
        let function: syn::ItemFn = syn::parse_str(item).unwrap();
        parse_data(args.parse().unwrap(), &function, &ctx)
    }

    #[test]
    fn rows_of_literals_are_read() {
        let data = parse(
            "key = \"Code\", delete_missing",
            r#"fn kinds() -> Vec<Kind> {
                vec![
                    Kind { code: "a".into(), rank: -3, weight: 2.5e-1, active: true, note: None },
                    Kind { code: String::from("b"), rank: 7, weight: 1.0, active: false, note: Some("it's".to_string()) },
                ]
            }"#,
        )
        .unwrap();
        assert_eq!(data.row_type, "Kind");
        assert_eq!(data.key, Some(vec!["Code".to_string()]));
        assert!(data.delete_missing);
        let values: Vec<Vec<DataValue>> = data
            .rows
            .iter()
            .map(|r| r.fields.iter().map(|f| f.value.clone()).collect())
            .collect();
        assert_eq!(
            values[0],
            [
                DataValue::Text("a".into()),
                DataValue::Integer("-3".into()),
                DataValue::Float("2.5e-1".into()),
                DataValue::Bool(true),
                DataValue::Null,
            ]
        );
        assert_eq!(values[1][4], DataValue::Text("it's".into()));
    }

    #[test]
    fn other_expressions_are_kept_for_the_rules() {
        let data = parse(
            "",
            "fn kinds() -> Vec<Kind> { vec![Kind { code: make_code(), at: NaiveDateTime::MIN }] }",
        )
        .unwrap();
        assert_eq!(
            data.rows[0].fields[1].value,
            DataValue::Expression("NaiveDateTime :: MIN".into())
        );
    }

    #[test]
    fn rows_that_are_not_the_table_s_literals_are_refused() {
        let errors = parse(
            "",
            r#"fn kinds() -> Vec<Kind> {
                vec![Kind { code: make_code(), rank: 1 }, Other { x: 1 }, Kind { ..Default::default() }]
            }"#,
        )
        .unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "each row is a `Kind`, the type the function returns",
                "give every field: `..` would hide values from the deployment",
            ]
        );
        assert!(errors.iter().all(|e| e.code == Code::DataShape));
        let errors = parse("", "fn kinds() -> Kind { todo!() }").unwrap_err();
        assert!(errors[0].message.contains("`Vec<Table>`"));
        let errors = parse("", "fn kinds() -> Vec<Kind> { let v = vec![]; v }").unwrap_err();
        assert!(errors[0].message.contains("one `vec![..]`"));
    }
}
