//! The annotations of a Hartonomous database crate. This crate is thin: it
//! hands each item to codegen's annotation parser (the same one codegen uses
//! to read the whole crate) and turns its errors into compiler errors.
//!
//! Use them through `runtime` (`use runtime::prelude::*`).

use codegen::annotations::{
    AnnotationError, ItemContext, ObjectAttr, RoutineAttr, parse_aggregate, parse_object,
    parse_routine, parse_row, parse_table, returned_row_type,
};
use proc_macro::TokenStream;
use quote::{quote, quote_spanned};
use std::sync::Arc;
use syn::spanned::Spanned;

/// Marks a Rust function as a SQL Server function (scalar, or table-valued
/// when it returns rows of a `#[derive(SqlRow)]` struct).
///
/// Options: `name = ".."` (default: the Rust name), `schema = ".."` (default
/// `dbo`), `deterministic`, `precise`, `data_access = "none" | "read"`,
/// `returns = "<SQL type>"`. Parameters take `#[sql(name = "..", type = "..")]`.
#[proc_macro_attribute]
pub fn sql_function(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_routine(RoutineAttr::Function, args, item)
}

/// Marks a Rust function as a SQL Server stored procedure. `&mut` parameters
/// are OUTPUT parameters; returning rows sends one result set.
///
/// Options: `name = ".."`, `schema = ".."`.
#[proc_macro_attribute]
pub fn sql_procedure(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_routine(RoutineAttr::Procedure, args, item)
}

/// Marks the `impl` block of a user-defined aggregate: the type implements
/// `runtime::SqlAggregate` (empty state, merge, state bytes); this block has
/// `fn accumulate(&mut self, ..)` (one row: its parameters are the SQL
/// parameters) and `fn terminate(&self) -> T` (the result).
///
/// Options: `name = ".."` (default: the type's name), `schema = ".."`,
/// `invariant_to_nulls`, `invariant_to_duplicates`, `invariant_to_order`,
/// `null_if_empty`, `max_size = <1..8000>` or `unlimited_size` (the
/// default), `returns = "<SQL type>"`. See docs/aggregates.md.
#[proc_macro_attribute]
pub fn sql_aggregate(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut block = match syn::parse::<syn::ItemImpl>(item) {
        Ok(block) => block,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                format!("#[sql_aggregate] goes on an `impl` block: {e}"),
            )
            .to_compile_error()
            .into();
        }
    };
    let file: Arc<str> = Arc::from("");
    let ctx = ItemContext {
        file: &file,
        module: &[],
    };
    let generated = match parse_aggregate(args.into(), &block, &ctx) {
        Ok(aggregate) => {
            let state = &block.self_ty;
            // The exports check, at the type, that it implements SqlAggregate.
            codegen::native::aggregate_exports(&aggregate, state)
        }
        Err(errors) => compile_errors(&errors),
    };
    for member in &mut block.items {
        if let syn::ImplItem::Fn(method) = member {
            strip_parameter_attributes(&mut method.sig);
        }
    }
    quote! {
        #block
        #generated
    }
    .into()
}

/// Declares reference data: a function returning `Vec<Table>` (a
/// `#[derive(SqlTable)]` struct) whose body is one `vec![..]` of struct
/// literals with literal values. The compiler checks every row; codegen
/// writes a `MERGE` that every deployment runs. Options: `key = "Col, .."`
/// (default: the primary key), `delete_missing`. See docs/deploy.md.
#[proc_macro_attribute]
pub fn sql_data(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse::<syn::ItemFn>(item) {
        Ok(function) => function,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                format!("#[sql_data] goes on a function returning `Vec<Table>`: {e}"),
            )
            .to_compile_error()
            .into();
        }
    };
    let file: Arc<str> = Arc::from("");
    let ctx = ItemContext {
        file: &file,
        module: &[],
    };
    let errors = match codegen::annotations::parse_data(args.into(), &function, &ctx) {
        Ok(_) => proc_macro2::TokenStream::new(),
        Err(errors) => compile_errors(&errors),
    };
    quote! {
        #function
        #errors
    }
    .into()
}

/// Declares a row shape: the columns of a table-valued function or result set.
/// Fields take `#[sql(name = "..", type = "..")]`.
#[proc_macro_derive(SqlRow, attributes(sql))]
pub fn derive_sql_row(input: TokenStream) -> TokenStream {
    expand_derive(input, quote!(::runtime::SqlRow), |input, ctx| {
        parse_row(input, ctx).map(|row| codegen::native::row_exports(&row))
    })
}

/// Declares a table: each field a column (`Vector<N>` is `VECTOR(N)`), with
/// keys, defaults, checks, foreign keys and indexes in `#[sql(...)]`.
/// codegen writes its `CREATE TABLE`; see docs/tables.md.
#[proc_macro_derive(SqlTable, attributes(sql))]
pub fn derive_sql_table(input: TokenStream) -> TokenStream {
    expand_derive(input, quote!(::runtime::SqlTable), |input, ctx| {
        parse_table(input, ctx).map(|_| proc_macro2::TokenStream::new())
    })
}

/// Declares a schema: `#[sql_schema(name = "provenance", authorization = "dbo")]`
/// on a unit struct. Schemas that objects use are created even undeclared;
/// declaring one documents it and sets its owner.
#[proc_macro_attribute]
pub fn sql_schema(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::Schema, args, item)
}

/// Declares a sequence on a unit struct: `type` (default BIGINT), `start`,
/// `increment`, `min`, `max`, `cycle`, `cache = n` or `no_cache`.
#[proc_macro_attribute]
pub fn sql_sequence(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::Sequence, args, item)
}

/// Declares a Service Broker message type on a unit struct: `name`,
/// `validation = "none" | "empty" | "well_formed_xml"`.
#[proc_macro_attribute]
pub fn sql_message_type(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::MessageType, args, item)
}

/// Declares a Service Broker contract on a unit struct: the message types
/// each side sends (`initiator`, `target`, `any`).
#[proc_macro_attribute]
pub fn sql_contract(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::Contract, args, item)
}

/// Declares a Service Broker queue on a unit struct, with its activation
/// procedure and the service that receives on it.
#[proc_macro_attribute]
pub fn sql_queue(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::Queue, args, item)
}

/// Declares a database role on a unit struct, with `grant = ".. ON .."` and
/// `deny = ".. ON .."` permissions.
#[proc_macro_attribute]
pub fn sql_role(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::Role, args, item)
}

/// Declares a view on a `#[derive(SqlRow)]` struct (its columns):
/// `file = "name.sql"` holds its SELECT, next to this file; `schemabinding`
/// and `index(columns = "..", unique, clustered)` make an indexed view.
#[proc_macro_attribute]
pub fn sql_view(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_object(ObjectAttr::View, args, item)
}

/// An object attribute: the struct is kept as written; the shared parser's
/// errors become compiler errors.
fn expand_object(attr: ObjectAttr, args: TokenStream, item: TokenStream) -> TokenStream {
    let structure = match syn::parse::<syn::ItemStruct>(item) {
        Ok(structure) => structure,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                format!("{} goes on a unit struct: {e}", attr.attribute()),
            )
            .to_compile_error()
            .into();
        }
    };
    let file: Arc<str> = Arc::from("");
    let ctx = ItemContext {
        file: &file,
        module: &[],
    };
    let errors = match parse_object(attr, args.into(), &structure, &ctx) {
        // A view's body must exist next to this file, and its struct must
        // really be a row type.
        Ok(codegen::annotations::ObjectDef::View(view)) => {
            let path = view.body.file.to_string();
            let ident = &structure.ident;
            quote! {
                const _: &str = include_str!(#path);
                const _: () = {
                    fn view_rows<T: ::runtime::SqlRow>() {}
                    let _ = view_rows::<#ident>;
                };
            }
        }
        Ok(_) => proc_macro2::TokenStream::new(),
        Err(errors) => compile_errors(&errors),
    };
    quote! {
        #structure
        #errors
    }
    .into()
}

/// A derive: the shared parser's errors (or the items it asks for) and the
/// marker trait impl, which is emitted even on error so that uses of the
/// type report only the real problem, not a missing trait.
fn expand_derive(
    input: TokenStream,
    marker: proc_macro2::TokenStream,
    parse: impl FnOnce(
        &syn::DeriveInput,
        &ItemContext<'_>,
    ) -> Result<proc_macro2::TokenStream, Vec<AnnotationError>>,
) -> TokenStream {
    let input = match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error().into(),
    };
    let file: Arc<str> = Arc::from("");
    let ctx = ItemContext {
        file: &file,
        module: &[],
    };
    let items = parse(&input, &ctx).unwrap_or_else(|errors| compile_errors(&errors));
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #items
        impl #impl_generics #marker for #ident #ty_generics #where_clause {}
    }
    .into()
}

fn expand_routine(attr: RoutineAttr, args: TokenStream, item: TokenStream) -> TokenStream {
    let what = match attr {
        RoutineAttr::Function => "#[sql_function]",
        RoutineAttr::Procedure => "#[sql_procedure]",
    };
    // `fn f(..) -> T;` is a T-SQL-bodied routine; `fn f(..) -> T { .. }` native.
    let (mut sig, attrs, block, vis) = match syn::parse::<syn::ItemFn>(item.clone()) {
        Ok(f) => (f.sig, f.attrs, Some(f.block), f.vis),
        Err(e) => match syn::parse::<syn::ForeignItemFn>(item) {
            Ok(f) => (f.sig, f.attrs, None, f.vis),
            Err(_) => {
                return syn::Error::new(e.span(), format!("{what} goes on a `fn` item: {e}"))
                    .to_compile_error()
                    .into();
            }
        },
    };
    let file: Arc<str> = Arc::from("");
    let ctx = ItemContext {
        file: &file,
        module: &[],
    };
    let checks = match parse_routine(attr, args.into(), &sig, &attrs, block.is_none(), &ctx) {
        Ok(routine) => {
            let export = match &routine.body {
                // The file must exist next to this one (and a change to it
                // rebuilds the crate); there is nothing to export.
                Some(body) if body.inline_at.is_none() => {
                    let path = body.file.to_string();
                    quote!(
                        const _: &str = include_str!(#path);
                    )
                }
                // Written inline: nothing to find.
                Some(_) => proc_macro2::TokenStream::new(),
                None => codegen::native::routine_export(&routine, &sig),
            };
            let row_check = match returned_row_type(&sig) {
                // The row type must really derive SqlRow; codegen can only check
                // that by name, the compiler checks it by type.
                Some(row) => {
                    let span = row.span();
                    quote_spanned! {span=>
                        const _: () = {
                            fn returns_sql_rows<T: ::runtime::SqlRow>() {}
                            let _ = returns_sql_rows::<#row>;
                        };
                    }
                }
                None => proc_macro2::TokenStream::new(),
            };
            quote!(#export #row_check)
        }
        Err(errors) => compile_errors(&errors),
    };
    // A T-SQL routine has no Rust function: its typed call is in the entity
    // crate. A native one stays as written.
    let function = match block {
        Some(block) => {
            strip_parameter_attributes(&mut sig);
            quote!(#(#attrs)* #vis #sig #block)
        }
        None => proc_macro2::TokenStream::new(),
    };
    quote! {
        #function
        #checks
    }
    .into()
}

/// `#[sql(...)]` on parameters is ours; rustc rejects unknown attributes there.
fn strip_parameter_attributes(sig: &mut syn::Signature) {
    for input in &mut sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            typed.attrs.retain(|a| !a.path().is_ident("sql"));
        }
    }
}

fn compile_errors(errors: &[AnnotationError]) -> proc_macro2::TokenStream {
    errors
        .iter()
        .map(AnnotationError::to_compile_error)
        .collect()
}
