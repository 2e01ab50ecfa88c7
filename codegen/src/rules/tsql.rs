//! T-SQL bodies checked against the model, with diagnostics pointing into
//! the `.sql` file: unknown tables, functions, procedures, columns,
//! sequences and Service Broker objects; calls with the wrong number of
//! arguments; writes to columns SQL Server fills; permanent-table DDL; and
//! notes for what the checker cannot follow.

use crate::diagnostics::{Code, Diagnostic, LineCol, SourceSpan};
use crate::model::{Model, QualifiedName, Routine, RowDef, TableDef};
use crate::tsql::references::{References, Write, references};
use std::ops::Range;
use std::sync::Arc;

/// Schemas whose objects SQL Server provides.
const SYSTEM_SCHEMAS: &[&str] = &["sys", "INFORMATION_SCHEMA"];

fn position(text: &str, offset: usize) -> LineCol {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, last)| last)
        .chars()
        .count() as u32;
    LineCol { line, column }
}

struct Body<'a> {
    model: &'a Model,
    /// The model's schemas, read once for every body.
    schemas: &'a [String],
    /// Where the text starts in its file, for a body written inline.
    inline_at: Option<LineCol>,
    /// The routine or view whose body this is.
    owner: &'a QualifiedName,
    owner_span: &'a SourceSpan,
    /// The rows the body must end by selecting, when it declares them.
    rows: Vec<&'a RowDef>,
    /// Variables the header declares: parameters (and a multi-statement
    /// function's `@result`), lower case with the `@`.
    parameters: Vec<String>,
    file: &'a Arc<str>,
    text: &'a str,
    refs: References,
    found: &'a mut Vec<Diagnostic>,
}

impl Body<'_> {
    fn span(&self, range: &Range<usize>) -> SourceSpan {
        let place = |offset| {
            let at = position(self.text, offset);
            match self.inline_at {
                None => at,
                Some(origin) if at.line == 1 => LineCol {
                    line: origin.line,
                    column: origin.column + at.column,
                },
                Some(origin) => LineCol {
                    line: origin.line + at.line - 1,
                    column: at.column,
                },
            }
        };
        SourceSpan {
            file: self.file.clone(),
            start: place(range.start),
            end: place(range.end),
        }
    }

    fn report(&mut self, code: Code, range: &Range<usize>, message: String, help: String) {
        let span = self.span(range);
        self.found.push(
            Diagnostic::new(code, message)
                .at(span)
                .with_secondary(self.owner_span.clone(), "declared here")
                .with_help(help),
        );
    }

    /// A one- or two-part name in the routine's schema by default; `None`
    /// for names in other databases or system schemas.
    fn qualified(&self, parts: &[String]) -> Option<QualifiedName> {
        let name = match parts {
            [name] => QualifiedName {
                schema: self.owner.schema.clone(),
                name: name.clone(),
            },
            [schema, name] => QualifiedName {
                schema: schema.clone(),
                name: name.clone(),
            },
            _ => return None,
        };
        (!SYSTEM_SCHEMAS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&name.schema)))
        .then_some(name)
    }

    /// The names `parts` may stand for, in SQL Server's lookup order: a
    /// one-part name in the routine's schema, then in dbo; a two-part name
    /// only as written.
    fn candidates(&self, parts: &[String]) -> Vec<QualifiedName> {
        let Some(wanted) = self.qualified(parts) else {
            return Vec::new();
        };
        let mut names = vec![wanted.clone()];
        if parts.len() == 1 && !wanted.schema.eq_ignore_ascii_case("dbo") {
            names.push(QualifiedName {
                schema: "dbo".into(),
                name: wanted.name,
            });
        }
        names
    }

    /// The table (or history table) a name or alias stands for.
    fn table(&self, parts: &[String]) -> Option<&'_ TableDef> {
        let parts = match parts {
            [alias] => self
                .refs
                .aliases
                .get(&alias.to_lowercase())
                .map(Vec::as_slice)
                .unwrap_or(parts),
            _ => parts,
        };
        let candidates = self.candidates(parts);
        self.model.tables.iter().find(|t| {
            candidates.iter().any(|w| {
                t.name.collision_key() == w.collision_key()
                    || t.temporal
                        .as_ref()
                        .is_some_and(|h| h.history.collision_key() == w.collision_key())
            })
        })
    }

    fn known_schema(&self, schema: &str) -> bool {
        self.schemas.iter().any(|s| s.eq_ignore_ascii_case(schema))
    }

    fn check(&mut self) {
        let refs = std::mem::take(&mut self.refs.tables);
        for table in &refs {
            let one_part = table.parts.len() == 1;
            let lower = table.parts[0].to_lowercase();
            if one_part
                && (self.refs.ctes.contains(&lower) || self.refs.aliases.contains_key(&lower))
            {
                continue;
            }
            if table.parts.len() > 2 || self.qualified(&table.parts).is_none() {
                continue;
            }
            let is_view = self.candidates(&table.parts).iter().any(|q| {
                self.model
                    .views
                    .iter()
                    .any(|v| v.name.collision_key() == q.collision_key())
            });
            if !is_view && self.table(&table.parts).is_none() {
                let name = table.parts.join(".");
                let tables = self
                    .model
                    .tables
                    .iter()
                    .map(|t| t.name.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                self.report(
                    Code::UnknownTSqlObject,
                    &table.range,
                    format!("`{}` refers to table or view `{name}`, which the model does not declare", self.owner),
                    format!("declare it with #[derive(SqlTable)] or #[sql_view], or correct the name (tables: {tables})"),
                );
            }
        }
        self.refs.tables = refs;

        for column in std::mem::take(&mut self.refs.columns) {
            let Some(table) = self.table(&column.qualifier) else {
                continue;
            };
            let (table_name, columns_list) = (
                table.name.to_string(),
                table
                    .columns
                    .iter()
                    .map(|c| c.sql_name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            match table.column(&column.column) {
                None => {
                    let suggestion = table
                        .columns
                        .iter()
                        .map(|c| {
                            (
                                strsim::jaro_winkler(
                                    &c.sql_name.to_lowercase(),
                                    &column.column.to_lowercase(),
                                ),
                                c,
                            )
                        })
                        .filter(|(score, _)| *score > 0.85)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, c)| format!("did you mean `{}`? ", c.sql_name))
                        .unwrap_or_default();
                    self.report(
                        Code::UnknownTSqlColumn,
                        &column.range,
                        format!("`{}` refers to column `{}` of `{table_name}`, which has no such column", self.owner, column.column),
                        format!("{suggestion}columns of {table_name}: {columns_list}"),
                    );
                }
                Some(c) if column.write.is_some() && c.is_generated(table) => {
                    let what = if c.identity.is_some() {
                        "an identity column"
                    } else if c.computed.is_some() {
                        "a computed column"
                    } else {
                        "a GENERATED ALWAYS period column"
                    };
                    let verb = match column.write {
                        Some(Write::Insert) => "inserts into",
                        _ => "updates",
                    };
                    let name = c.sql_name.clone();
                    self.report(
                        Code::WriteToGeneratedColumn,
                        &column.range,
                        format!("`{}` {verb} `{table_name}.{name}`, {what}", self.owner),
                        "SQL Server fills this column itself: leave it out of the column list"
                            .into(),
                    );
                }
                Some(_) => {}
            }
        }

        for (call, args) in std::mem::take(&mut self.refs.calls) {
            let Some(name) = self.qualified(&call.parts) else {
                continue;
            };
            // A function or an aggregate: called alike in T-SQL.
            let callee = self
                .model
                .routines
                .iter()
                .find(|r| {
                    r.name.collision_key() == name.collision_key()
                        && r.kind.function_options().is_some()
                })
                .map(|r| (&r.name, &r.params, &r.name_span))
                .or_else(|| {
                    self.model
                        .aggregates
                        .iter()
                        .find(|a| a.name.collision_key() == name.collision_key())
                        .map(|a| (&a.name, &a.params, &a.name_span))
                });
            match callee {
                Some((callee_name, callee_params, callee_span)) => {
                    let expected = callee_params.len();
                    if args != expected {
                        let params = callee_params
                            .iter()
                            .map(|p| format!("@{} {}", p.sql_name, p.value.sql))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let (rname, span) = (callee_name.to_string(), callee_span.clone());
                        self.report(
                            Code::WrongArgumentCount,
                            &call.range,
                            format!("`{}` calls `{rname}` with {args} argument{}, but it takes {expected}", self.owner, if args == 1 { "" } else { "s" }),
                            format!("pass every parameter (write DEFAULT for one with a default): ({params})"),
                        );
                        self.found
                            .last_mut()
                            .expect("just reported")
                            .secondary
                            .push((span, "the function".into()));
                    }
                }
                None if self.known_schema(&name.schema) && call.parts.len() == 2 => {
                    self.report(
                        Code::UnknownTSqlObject,
                        &call.range,
                        format!(
                            "`{}` calls `{name}`, which is not a declared function",
                            self.owner
                        ),
                        "declare it with #[sql_function], or correct the name".into(),
                    );
                }
                None => {}
            }
        }

        let args_of = std::mem::take(&mut self.refs.procedure_args);
        for (call, args) in std::mem::take(&mut self.refs.procedures)
            .into_iter()
            .zip(args_of)
        {
            let Some(name) = self.qualified(&call.parts) else {
                continue;
            };
            let procedure =
                self.model.routines.iter().find(|r| {
                    r.name.collision_key() == name.collision_key() && r.kind.is_procedure()
                });
            let Some(procedure) = procedure else {
                // A one-part sp_ name is looked up in master first: a system procedure.
                let system = call.parts.len() == 1 && name.name.to_lowercase().starts_with("sp_");
                if !system && self.known_schema(&name.schema) {
                    self.report(
                        Code::UnknownTSqlObject,
                        &call.range,
                        format!(
                            "`{}` executes `{name}`, which is not a declared procedure",
                            self.owner
                        ),
                        "declare it with #[sql_procedure], or correct the name".into(),
                    );
                }
                continue;
            };
            let params: Vec<(String, bool)> = procedure
                .params
                .iter()
                .map(|p| {
                    (
                        format!("@{}", p.sql_name.to_lowercase()),
                        p.default.is_some(),
                    )
                })
                .collect();
            let signature = procedure
                .params
                .iter()
                .map(|p| {
                    format!(
                        "@{} {}{}{}",
                        p.sql_name,
                        p.value.sql,
                        if p.default.is_some() {
                            " = default"
                        } else {
                            ""
                        },
                        if p.direction == crate::model::Direction::Output {
                            " OUTPUT"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let proc_name = procedure.name.to_string();
            let mut problems = Vec::new();
            if args.positional > params.len() {
                problems.push(format!(
                    "{} arguments for {} parameters",
                    args.positional,
                    params.len()
                ));
            }
            for (named, _) in &args.named {
                if !params.iter().any(|(p, _)| p == &named.to_lowercase()) {
                    problems.push(format!("no parameter `{named}`"));
                }
            }
            let missing: Vec<&str> = params
                .iter()
                .enumerate()
                .filter(|(i, (p, has_default))| {
                    !has_default
                        && *i >= args.positional
                        && !args.named.iter().any(|(n, _)| n.to_lowercase() == *p)
                })
                .map(|(_, (p, _))| p.as_str())
                .collect();
            if !missing.is_empty() {
                problems.push(format!("missing {}", missing.join(", ")));
            }
            if !problems.is_empty() {
                self.report(
                    Code::WrongArgumentCount,
                    &call.range,
                    format!(
                        "`{}` executes `{proc_name}` with {}",
                        self.owner,
                        problems.join("; ")
                    ),
                    format!("its parameters: ({signature})"),
                );
            }
        }

        for sequence in std::mem::take(&mut self.refs.sequences) {
            let Some(name) = self.qualified(&sequence.parts) else {
                continue;
            };
            if !self
                .model
                .sequences
                .iter()
                .any(|s| s.name.collision_key() == name.collision_key())
            {
                self.report(
                    Code::UnknownBrokerObject,
                    &sequence.range,
                    format!(
                        "`{}` reads sequence `{name}`, which is not declared",
                        self.owner
                    ),
                    "declare it with #[sql_sequence], or correct the name".into(),
                );
            }
        }
        for queue in std::mem::take(&mut self.refs.queues) {
            let Some(name) = self.qualified(&queue.parts) else {
                continue;
            };
            if !self
                .model
                .queues
                .iter()
                .any(|q| q.name.collision_key() == name.collision_key())
            {
                self.report(
                    Code::UnknownBrokerObject,
                    &queue.range,
                    format!(
                        "`{}` receives from queue `{name}`, which is not declared",
                        self.owner
                    ),
                    "declare it with #[sql_queue], or correct the name".into(),
                );
            }
        }
        let builtin = |n: &str| {
            n.eq_ignore_ascii_case("DEFAULT")
                || n.starts_with("http://schemas.microsoft.com/SQL/ServiceBroker/")
        };
        let services: Vec<String> = self
            .model
            .queues
            .iter()
            .filter_map(|q| q.service.as_ref().map(|s| s.name.clone()))
            .collect();
        for (service, range) in std::mem::take(&mut self.refs.services) {
            if !builtin(&service) && !services.iter().any(|s| s == &service) {
                self.report(
                    Code::UnknownBrokerObject,
                    &range,
                    format!(
                        "`{}` names service `{service}`, which is not declared",
                        self.owner
                    ),
                    format!(
                        "declare it with service = \"..\" on a #[sql_queue] (services: {})",
                        services.join(", ")
                    ),
                );
            }
        }
        let contracts: Vec<String> = self
            .model
            .contracts
            .iter()
            .map(|c| c.name.clone())
            .collect();
        for (contract, range) in std::mem::take(&mut self.refs.contracts) {
            if !builtin(&contract) && !contracts.iter().any(|c| c == &contract) {
                self.report(
                    Code::UnknownBrokerObject,
                    &range,
                    format!(
                        "`{}` names contract `{contract}`, which is not declared",
                        self.owner
                    ),
                    "declare it with #[sql_contract], or correct the name".into(),
                );
            }
        }
        let message_types: Vec<String> = self
            .model
            .message_types
            .iter()
            .map(|m| m.name.clone())
            .collect();
        for (message, range) in std::mem::take(&mut self.refs.message_types) {
            if !builtin(&message) && !message_types.iter().any(|m| m == &message) {
                self.report(
                    Code::UnknownBrokerObject,
                    &range,
                    format!(
                        "`{}` sends message type `{message}`, which is not declared",
                        self.owner
                    ),
                    "declare it with #[sql_message_type], or correct the name".into(),
                );
            }
        }

        for (what, name) in std::mem::take(&mut self.refs.table_ddl) {
            self.report(
                Code::TableDdlInBody,
                &name.range,
                format!("`{}` runs {what} on permanent table `{}`", self.owner, name.parts.join(".")),
                "tables belong to the schema: declare it with #[derive(SqlTable)] (a #temp table or table variable is fine here)".into(),
            );
        }
        let declared = std::mem::take(&mut self.refs.declared);
        let mut reported: Vec<String> = Vec::new();
        for (variable, range) in std::mem::take(&mut self.refs.variables) {
            let lower = variable.to_lowercase();
            if declared.contains(&lower)
                || self.parameters.contains(&lower)
                || reported.contains(&lower)
            {
                continue;
            }
            reported.push(lower);
            let known = self
                .parameters
                .iter()
                .chain(&declared)
                .map(String::as_str)
                .collect::<Vec<_>>();
            let suggestion = known
                .iter()
                .map(|k| (strsim::jaro_winkler(k, &variable.to_lowercase()), k))
                .filter(|(score, _)| *score > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            self.report(
                Code::UndeclaredVariable,
                &range,
                format!(
                    "`{}` uses `{variable}`, which is neither a parameter nor declared",
                    self.owner
                ),
                format!(
                    "{suggestion}parameters and variables: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        let created = std::mem::take(&mut self.refs.temp_created);
        let mut noted: Vec<String> = Vec::new();
        for (temp, range) in std::mem::take(&mut self.refs.temp_used) {
            let lower = temp.to_lowercase();
            if created.contains(&lower) || noted.contains(&lower) {
                continue;
            }
            noted.push(lower);
            let span = self.span(&range);
            self.found.push(
                Diagnostic::new(
                    Code::DynamicSql,
                    format!("`{}` uses temporary table `{temp}`, created elsewhere: not checked", self.owner),
                )
                .at(span)
                .with_help("its columns are only known where it is created; create it in this body to have it checked")
                .as_note(),
            );
        }
        for range in std::mem::take(&mut self.refs.dynamic_sql) {
            let span = self.span(&range);
            self.found.push(
                Diagnostic::new(
                    Code::DynamicSql,
                    format!("`{}` runs dynamic SQL, which is not checked", self.owner),
                )
                .at(span)
                .with_help("the statement text is only known at run time: test it against a server")
                .as_note(),
            );
        }
    }
}

impl Body<'_> {
    /// The declared rows of a procedure or inline table-valued function
    /// against the body's final SELECT: same count, same names, in order.
    /// Each declared result set against the body's row-returning SELECTs:
    /// the last N, in order.
    fn result_set(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let selects = crate::tsql::result_set::row_selects(self.text);
        if selects.len() < self.rows.len() {
            let names: Vec<String> = self.rows.iter().map(|r| r.rust.ident.clone()).collect();
            let at = selects.first().map_or(0..0, |s| s.0.clone());
            self.report(
                Code::ResultSetMismatch,
                &at,
                format!(
                    "`{}` declares {} result set{} ({}) but its body has {} SELECT{} returning rows",
                    self.owner,
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    selects.len(),
                    if selects.len() == 1 { "" } else { "s" }
                ),
                "end the body with one SELECT per declared result set, in order, or declare what it returns".into(),
            );
            return;
        }
        let first = selects.len() - self.rows.len();
        let rows = self.rows.clone();
        for (row, (select, items)) in rows.into_iter().zip(selects.into_iter().skip(first)) {
            self.one_result_set(row, select, items);
        }
    }

    fn one_result_set(
        &mut self,
        row: &RowDef,
        select: Range<usize>,
        items: Vec<crate::tsql::result_set::SelectItem>,
    ) {
        let declared: Vec<String> = row.columns.iter().map(|c| c.sql_name.clone()).collect();
        if let Some(star) = items.iter().find(|i| i.star) {
            let span = self.span(&star.range);
            self.found.push(
                Diagnostic::new(
                    Code::ResultSetMismatch,
                    format!(
                        "`{}` returns `*`: its columns are not checked against `{}`",
                        self.owner, row.rust.ident
                    ),
                )
                .at(span)
                .with_help(format!("name the columns: {}", declared.join(", ")))
                .as_note(),
            );
            return;
        }
        let listed: Vec<String> = items
            .iter()
            .map(|i| i.name.clone().unwrap_or_else(|| "(no name)".into()))
            .collect();
        if items.len() != declared.len() {
            self.report(
                Code::ResultSetMismatch,
                &select,
                format!(
                    "`{}` returns {} column{} ({}) but `{}` declares {} ({})",
                    self.owner,
                    items.len(),
                    if items.len() == 1 { "" } else { "s" },
                    listed.join(", "),
                    row.rust.ident,
                    declared.len(),
                    declared.join(", ")
                ),
                "make the final SELECT list the row's columns, in order".into(),
            );
            return;
        }
        // Types, where the item is a column the model knows: the entity
        // decodes by type, so an INT where BIGINT is declared would fail.
        for (item, expected) in items.iter().zip(&row.columns) {
            let Some((qualifier, column)) = &item.column else {
                continue;
            };
            // A misplaced column is a name finding, not a type one.
            if !column.eq_ignore_ascii_case(&expected.sql_name) {
                continue;
            }
            let table = if qualifier.is_empty() {
                match self.refs.tables.as_slice() {
                    [only] => self.table(&only.parts),
                    _ => None,
                }
            } else {
                self.table(qualifier)
            };
            let Some(actual) = table.and_then(|t| t.column(column)) else {
                continue;
            };
            if type_family(actual.value.sql) != type_family(expected.value.sql) {
                let (actual_type, expected_type) = (actual.value.sql, expected.value.sql);
                self.report(
                    Code::ResultSetMismatch,
                    &item.range,
                    format!(
                        "`{}` returns `{column}` as {actual_type} where `{}` declares {expected_type} for `{}`",
                        self.owner, row.rust.ident, expected.sql_name
                    ),
                    format!("change the row field's type to match {actual_type}, or CAST the column"),
                );
            }
        }
        for (item, expected) in items.iter().zip(&declared) {
            let matches = item
                .name
                .as_ref()
                .is_some_and(|n| n.eq_ignore_ascii_case(expected));
            if !matches {
                self.report(
                    Code::ResultSetMismatch,
                    &item.range,
                    format!(
                        "`{}` returns {} where `{}` declares column `{expected}`",
                        self.owner,
                        item.name
                            .as_ref()
                            .map_or("an unnamed column".to_string(), |n| format!("column `{n}`")),
                        row.rust.ident
                    ),
                    format!(
                        "name it: `... AS [{expected}]` (the row's columns: {})",
                        declared.join(", ")
                    ),
                );
            }
        }
    }
}

/// Types a client reads the same way: lengths and precisions aside, the
/// Rust value they decode to.
fn type_family(sql: crate::model::SqlType) -> u8 {
    use crate::model::SqlType::*;
    match sql {
        Bit => 0,
        TinyInt => 1,
        SmallInt => 2,
        Int => 3,
        BigInt => 4,
        Real => 5,
        Float => 6,
        Decimal { .. } => 7,
        NVarChar(_) | VarChar(_) | NChar(_) | Char(_) | Json => 8,
        VarBinary(_) | Binary(_) | Geometry | Geography | HierarchyId => 9,
        UniqueIdentifier => 10,
        Date => 11,
        Time(_) => 12,
        DateTime | DateTime2(_) => 13,
        DateTimeOffset(_) => 14,
        Vector(_) => 15,
    }
}

/// The rows a routine's body must end by selecting, in order: a
/// procedure's result sets, an inline table-valued function's rows.
fn declared_rows<'a>(model: &'a Model, routine: &Routine) -> Vec<&'a RowDef> {
    use crate::model::RoutineKind;
    let Some(body) = routine.body.as_ref() else {
        return Vec::new();
    };
    let refs: Vec<&crate::model::RowRef> = match &routine.kind {
        RoutineKind::Procedure { result_sets, .. } => result_sets.iter().collect(),
        RoutineKind::TableFunction { rows, .. }
            if crate::tsql::first_word(&body.text) != "BEGIN" =>
        {
            vec![rows]
        }
        _ => Vec::new(),
    };
    refs.into_iter().filter_map(|r| model.row(r)).collect()
}

/// SQL Server refuses an indexed view over a table with a security policy:
/// the tenant filter cannot be materialized.
fn indexed_views(model: &Model, found: &mut Vec<Diagnostic>) {
    use crate::model::Tenancy;
    for view in model.views.iter().filter(|v| !v.indexes.is_empty()) {
        let refs = references(&view.body.text);
        for table in &refs.tables {
            let name = match table.parts.as_slice() {
                [n] => QualifiedName {
                    schema: view.name.schema.clone(),
                    name: n.clone(),
                },
                [s, n] => QualifiedName {
                    schema: s.clone(),
                    name: n.clone(),
                },
                _ => continue,
            };
            if let Some(t) = model.tables.iter().find(|t| {
                t.name.collision_key() == name.collision_key()
                    && matches!(t.tenancy, Tenancy::Column(_))
            }) {
                found.push(
                    Diagnostic::new(
                        Code::TableKindMismatch,
                        format!("indexed view `{}` reads tenant-scoped table `{}`", view.name, t.name),
                    )
                    .at(view.declared.span.clone())
                    .with_secondary(t.span.clone(), "scoped by the tenant security policy")
                    .with_help("SQL Server cannot index a view over a table with a security policy: drop the view's indexes, or mark the table tenant = false"),
                );
            }
        }
    }
}

pub fn tsql_bodies(model: &Model, found: &mut Vec<Diagnostic>) {
    indexed_views(model, found);
    let schemas = crate::model::used_schemas(model);
    for routine in &model.routines {
        let Some(body) = &routine.body else {
            continue;
        };
        if body.text.is_empty() {
            continue;
        }
        let mut checker = Body {
            model,
            schemas: &schemas,
            inline_at: body.inline_at,
            owner: &routine.name,
            owner_span: &routine.name_span,
            rows: declared_rows(model, routine),
            parameters: routine
                .params
                .iter()
                .map(|p| format!("@{}", p.sql_name.to_lowercase()))
                .chain(
                    (crate::emit::tsql_kind(routine).1 == "multi-statement")
                        .then(|| "@result".to_string()),
                )
                .collect(),
            file: &body.file,
            text: &body.text,
            refs: references(&body.text),
            found,
        };
        checker.check();
        checker.result_set();
    }
    for view in &model.views {
        if view.body.text.is_empty() {
            continue;
        }
        let mut checker = Body {
            model,
            schemas: &schemas,
            inline_at: view.body.inline_at,
            owner: &view.name,
            owner_span: &view.declared.span,
            rows: model
                .rows
                .iter()
                .filter(|r| r.rust.ident == view.row)
                .take(1)
                .collect(),
            parameters: Vec::new(),
            file: &view.body.file,
            text: &view.body.text,
            refs: references(&view.body.text),
            found,
        };
        checker.check();
        checker.result_set();
    }
}
