//! An aggregate's `CREATE AGGREGATE` and its C# class: a
//! `[SqlUserDefinedAggregate(Format.UserDefined)]` type implementing
//! `IBinarySerialize` whose methods call the Rust exports of
//! `native::aggregate_exports`.

use super::csharp::{
    abi_cs, cs_parameter, csharp_string, input_args, is_null, null_of, output_locals, sql_clr_type,
    yes,
};
use super::sql::{EmitOptions, source_text};
use crate::model::{AggregateDef, StateSize};
use crate::native::abi::{AggregateOp, aggregate_symbol, input_slots};
use serde::Serialize;

/// The C# class of an aggregate: its Rust path with `::` spelled `__`
/// (unique in the crate, a valid C# identifier), as routines' methods are named.
pub fn aggregate_class(aggregate: &AggregateDef) -> String {
    let mut parts = aggregate.rust.module.clone();
    parts.push(aggregate.rust.ident.clone());
    parts.join("__")
}

/// `EXTERNAL NAME [assembly].[namespace.class]`: the class part.
pub fn aggregate_external_class(aggregate: &AggregateDef, options: &EmitOptions) -> String {
    match options.class.rsplit_once('.') {
        Some((namespace, _)) => format!("{namespace}.{}", aggregate_class(aggregate)),
        None => aggregate_class(aggregate),
    }
}

#[derive(Serialize)]
pub(super) struct ParamView {
    pub(super) name: String,
    pub(super) sql_type: String,
}

#[derive(Serialize)]
pub(super) struct AggregateSqlView {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) source: String,
    pub(super) rust: String,
    pub(super) doc: Vec<String>,
    pub(super) notes: Vec<String>,
    pub(super) params: Vec<ParamView>,
    pub(super) returns: String,
    pub(super) assembly: String,
    pub(super) class: String,
}

fn state_size_text(size: StateSize) -> String {
    match size {
        StateSize::Unlimited => "up to 2 GB (MaxByteSize = -1)".into(),
        StateSize::Bytes(n) => format!("at most {n} bytes (MaxByteSize = {n})"),
    }
}

pub(super) fn aggregate_sql_view(
    aggregate: &AggregateDef,
    options: &EmitOptions,
) -> AggregateSqlView {
    let o = &aggregate.options;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut notes = vec![
        format!(
            "Invariant to NULLs: {}. To duplicates: {}. To order: {}. NULL if empty: {}.",
            yes_no(o.invariant_to_nulls),
            yes_no(o.invariant_to_duplicates),
            yes_no(o.invariant_to_order),
            yes_no(o.null_if_empty)
        ),
        format!("Saved state: {}.", state_size_text(o.max_size)),
    ];
    if aggregate.params.iter().any(|p| !p.value.nullable) {
        notes.push("A row with NULL for a non-Option parameter is skipped.".into());
    }
    if aggregate.returns.nullable {
        notes.push("Returns NULL when the Rust result is None.".into());
    }
    if aggregate.accumulate_fallible || aggregate.terminate_fallible {
        notes.push("A Rust Err is raised as a SQL error carrying its message.".into());
    }
    AggregateSqlView {
        schema: aggregate.name.schema.clone(),
        name: aggregate.name.name.clone(),
        source: source_text(&aggregate.span),
        rust: aggregate.rust.to_string(),
        doc: aggregate.doc.clone(),
        notes,
        params: aggregate
            .params
            .iter()
            .map(|p| ParamView {
                name: p.sql_name.clone(),
                sql_type: p.value.sql.to_string(),
            })
            .collect(),
        returns: aggregate.returns.sql.to_string(),
        assembly: options.assembly.clone(),
        class: aggregate_external_class(aggregate, options),
    }
}

#[derive(Serialize)]
pub(super) struct AggregateCs {
    comment: String,
    attribute: String,
    class: String,
    label: String,
    init: String,
    accumulate: String,
    merge: String,
    terminate: String,
    save: String,
    restore: String,
    parameters: String,
    guards: Vec<String>,
    accumulate_params: String,
    accumulate_args: String,
    terminate_params: String,
    terminate_args: String,
    declarations: Vec<String>,
    return_type: String,
    null_value: String,
    value: String,
    /// `MaxByteSize` when bounded, 0 when unlimited.
    max_size: i32,
}

pub(super) fn aggregate_cs(aggregate: &AggregateDef) -> AggregateCs {
    let symbol = |op| aggregate_symbol(&aggregate.name, op);
    let o = &aggregate.options;
    let attribute = format!(
        "[SqlUserDefinedAggregate(Format.UserDefined, Name = {}, IsInvariantToNulls = {}, IsInvariantToDuplicates = {}, IsInvariantToOrder = {}, IsNullIfEmpty = {}, MaxByteSize = {})]",
        csharp_string(&aggregate.name.name),
        yes(o.invariant_to_nulls),
        yes(o.invariant_to_duplicates),
        yes(o.invariant_to_order),
        yes(o.null_if_empty),
        o.max_size.max_byte_size()
    );
    let mut parameters = Vec::new();
    let mut guards = Vec::new();
    let mut extern_params = vec!["AggregateState state".to_string()];
    let mut args = vec!["State".to_string()];
    for (i, param) in aggregate.params.iter().enumerate() {
        let name = cs_parameter(&param.sql_name, i);
        parameters.push(format!("{} {name}", sql_clr_type(param.value.rust)));
        if !param.value.nullable {
            guards.push(format!("if ({}) return;", is_null(param.value.rust, &name)));
        }
        for (slot, arg) in input_slots(&param.value)
            .iter()
            .zip(input_args(&param.value, &name))
        {
            extern_params.push(format!("{} {name}{}", abi_cs(slot.ty), slot.suffix));
            args.push(arg);
        }
    }
    extern_params.push("out HsBuf err".into());
    args.push("out __err".into());

    let out = output_locals("__result", aggregate.returns.rust, false);
    let mut terminate_params = vec!["AggregateState state".to_string()];
    terminate_params.extend(out.extern_params);
    terminate_params.push("out HsBuf err".into());
    let mut terminate_args = vec!["State".to_string()];
    terminate_args.extend(out.arguments);
    terminate_args.push("out __err".into());

    AggregateCs {
        comment: format!(
            "aggregate {} ({}, Rust `{}`)",
            crate::quote_sql::qualified(&aggregate.name.schema, &aggregate.name.name),
            source_text(&aggregate.span),
            aggregate.rust
        ),
        attribute,
        class: aggregate_class(aggregate),
        label: csharp_string(&aggregate.name.to_string()),
        init: symbol(AggregateOp::Init),
        accumulate: symbol(AggregateOp::Accumulate),
        merge: symbol(AggregateOp::Merge),
        terminate: symbol(AggregateOp::Terminate),
        save: symbol(AggregateOp::Save),
        restore: symbol(AggregateOp::Restore),
        parameters: parameters.join(", "),
        guards,
        accumulate_params: extern_params.join(", "),
        accumulate_args: args.join(", "),
        terminate_params: terminate_params.join(", "),
        terminate_args: terminate_args.join(", "),
        declarations: out.declarations,
        return_type: sql_clr_type(aggregate.returns.rust).to_string(),
        null_value: null_of(aggregate.returns.rust),
        value: out.value,
        max_size: o.max_size.max_byte_size().max(0),
    }
}
