//! `#[derive(SqlRow)]` on a struct → [`RowDef`].

use super::error::{AnnotationError, Errors};
use super::options::{VALUE_OPTIONS, ValueArgs};
use super::rust_type::{Position, value_of};
use super::{ItemContext, check_name, doc_lines};
use crate::diagnostics::{Code, SourceSpan};
use crate::model::{Column, RowDef, RustPath, pascal_case, unraw};
use darling::FromAttributes;
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

pub fn parse_row(
    input: &DeriveInput,
    ctx: &ItemContext<'_>,
) -> Result<RowDef, Vec<AnnotationError>> {
    let mut errors = Errors::default();
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(&named.named),
            _ => {
                errors.push(
                    AnnotationError::new(
                        Code::NotAStruct,
                        input.ident.span(),
                        "SqlRow needs a struct with named fields",
                    )
                    .help("each field becomes a column named after it: write `struct Row { name: Type, .. }`"),
                );
                None
            }
        },
        Data::Enum(e) => {
            errors.push(
                AnnotationError::new(
                    Code::NotAStruct,
                    e.enum_token.span,
                    "SqlRow cannot be derived for an enum",
                )
                .help("a row is a struct with named fields, one per column"),
            );
            None
        }
        Data::Union(u) => {
            errors.push(
                AnnotationError::new(
                    Code::NotAStruct,
                    u.union_token.span,
                    "SqlRow cannot be derived for a union",
                )
                .help("a row is a struct with named fields, one per column"),
            );
            None
        }
    };
    if let Some(param) = input.generics.params.first() {
        errors.push(
            AnnotationError::new(
                Code::GenericRoutine,
                param.span(),
                "a SqlRow struct cannot be generic",
            )
            .help("SQL columns have one concrete type each"),
        );
    }

    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    for field in fields.into_iter().flatten() {
        let ident = field.ident.as_ref().expect("named fields have names");
        let args = ValueArgs::from_attributes(&field.attrs).unwrap_or_else(|e| {
            errors.push_darling(e, VALUE_OPTIONS);
            ValueArgs::default()
        });
        let rust_name = unraw(&ident.to_string()).to_string();
        let (sql_name, name_span) = match &args.name {
            Some(name) => (name.as_str().to_string(), name.span()),
            None => (pascal_case(&rust_name), ident.span()),
        };
        check_name(&sql_name, name_span, "column name", &mut errors);
        if !seen.insert(sql_name.to_lowercase()) {
            errors.push(
                AnnotationError::new(
                    Code::DuplicateMemberName,
                    name_span,
                    format!("two columns are both named `{sql_name}`"),
                )
                .help("SQL Server compares column names case-insensitively: rename one with #[sql(name = \"...\")]"),
            );
        }
        if let Some(value) = errors.check(value_of(
            &field.ty,
            args.sql_type.as_ref(),
            Position::Column,
        )) {
            columns.push(Column {
                sql_name,
                rust_name,
                value,
                span: SourceSpan::from_span(ctx.file, field.span()),
            });
        }
    }

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(RowDef {
        rust: RustPath {
            module: ctx.module.to_vec(),
            ident: input.ident.to_string(),
        },
        doc: doc_lines(&input.attrs),
        span: SourceSpan::from_span(ctx.file, input.ident.span()),
        columns,
    })
}
