//! A CLR module's `CREATE` statement from its signature alone: how the
//! deploy planner turns what the catalog reads back (`sys.assembly_modules`,
//! `sys.parameters`) into text it can compare with the generated script.
//! It goes through the same templates, so only the comments differ.

use super::aggregate::{AggregateSqlView, ParamView as AggregateParam};
use super::sql::{ColumnView, ParamView, RoutineView, environment};
use crate::model::{QualifiedName, SqlType};

/// What kind of CLR module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClrKind {
    ScalarFunction,
    TableFunction,
    Procedure,
    Aggregate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClrParam {
    /// Without the `@`.
    pub name: String,
    pub sql_type: SqlType,
    pub output: bool,
}

/// A routine or aggregate bound to an assembly, as its `CREATE` states it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClrModule {
    pub kind: ClrKind,
    pub name: QualifiedName,
    pub params: Vec<ClrParam>,
    /// Scalar functions and aggregates.
    pub returns: Option<SqlType>,
    /// Table-valued functions.
    pub columns: Vec<(String, SqlType)>,
    pub null_on_null_input: bool,
    pub assembly: String,
    /// Namespace-qualified class.
    pub class: String,
    /// `None` for aggregates (the class is the aggregate).
    pub method: Option<String>,
}

/// The module's script, as codegen would write it, with no comments but
/// its title.
pub fn clr_module_script(module: &ClrModule) -> Result<String, minijinja::Error> {
    let env = environment();
    let returns = module.returns.as_ref().map(ToString::to_string);
    let text = if module.kind == ClrKind::Aggregate {
        env.get_template("aggregate.sql")?
            .render(AggregateSqlView {
                schema: module.name.schema.clone(),
                name: module.name.name.clone(),
                source: "(database catalog)".into(),
                rust: String::new(),
                doc: Vec::new(),
                notes: Vec::new(),
                params: module
                    .params
                    .iter()
                    .map(|p| AggregateParam {
                        name: p.name.clone(),
                        sql_type: p.sql_type.to_string(),
                    })
                    .collect(),
                returns: returns.unwrap_or_default(),
                assembly: module.assembly.clone(),
                class: module.class.clone(),
            })?
    } else {
        env.get_template("routine.sql")?.render(RoutineView {
            kind: match module.kind {
                ClrKind::ScalarFunction => "scalar function",
                ClrKind::TableFunction => "table-valued function",
                _ => "procedure",
            },
            procedure: module.kind == ClrKind::Procedure,
            schema: module.name.schema.clone(),
            name: module.name.name.clone(),
            source: "(database catalog)".into(),
            rust: String::new(),
            doc: Vec::new(),
            notes: Vec::new(),
            params: module
                .params
                .iter()
                .map(|p| ParamView {
                    name: p.name.clone(),
                    sql_type: p.sql_type.to_string(),
                    output: p.output,
                })
                .collect(),
            returns,
            columns: module
                .columns
                .iter()
                .map(|(name, sql_type)| ColumnView {
                    name: name.clone(),
                    sql_type: sql_type.to_string(),
                })
                .collect(),
            null_call: (module.kind == ClrKind::ScalarFunction && module.null_on_null_input)
                .then_some("RETURNS NULL ON NULL INPUT"),
            assembly: module.assembly.clone(),
            class: module.class.clone(),
            method: module.method.clone().unwrap_or_default(),
        })?
    };
    Ok(super::finish(text))
}
