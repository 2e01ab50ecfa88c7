//! Table functions and result sets must name exactly one `#[derive(SqlRow)]`
//! struct, whose columns a CLR table-valued function can return.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Model, RoutineKind, SqlType};

pub fn row_references(model: &Model, found: &mut Vec<Diagnostic>) {
    for (routine, reference) in model
        .routines
        .iter()
        .flat_map(|r| r.kind.row_refs().into_iter().map(move |rows| (r, rows)))
    {
        let candidates: Vec<_> = model
            .rows
            .iter()
            .filter(|r| r.rust.ident == reference.ident)
            .collect();
        match candidates.as_slice() {
            [] => found.push(
                Diagnostic::new(
                    Code::UnresolvedRowType,
                    format!(
                        "`{}` returns rows of `{}`, which has no #[derive(SqlRow)]",
                        routine.name, reference.ident
                    ),
                )
                .at(reference.span.clone())
                .with_label("not a SqlRow struct")
                .with_help(format!(
                    "add #[derive(SqlRow)] to `struct {}` in this crate",
                    reference.ident
                )),
            ),
            [row] => {
                if routine.is_native() && matches!(routine.kind, RoutineKind::TableFunction { .. })
                {
                    for column in &row.columns {
                        // SQL Server rejects non-Unicode strings in CLR table function columns.
                        if matches!(column.value.sql, SqlType::VarChar(_) | SqlType::Char(_)) {
                            found.push(
                                Diagnostic::new(
                                    Code::TypeOverrideMismatch,
                                    format!(
                                        "column `{}` of `{}` is {}, which a CLR table-valued function (`{}`) cannot return",
                                        column.sql_name, reference.ident, column.value.sql, routine.name
                                    ),
                                )
                                .at(column.span.clone())
                                .with_secondary(reference.span.clone(), "returned here")
                                .with_help("use NVARCHAR(n) or NCHAR(n): CLR table functions return Unicode strings only"),
                            );
                        }
                    }
                }
            }
            several => {
                let mut diagnostic = Diagnostic::new(
                    Code::AmbiguousRowType,
                    format!(
                        "`{}` names {} SqlRow structs called `{}`",
                        routine.name,
                        several.len(),
                        reference.ident
                    ),
                )
                .at(reference.span.clone())
                .with_help("give the row structs distinct names");
                for row in several {
                    diagnostic = diagnostic
                        .with_secondary(row.span.clone(), format!("`{}` declared here", row.rust));
                }
                found.push(diagnostic);
            }
        }
    }
}
