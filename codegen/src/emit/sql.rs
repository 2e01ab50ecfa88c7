//! T-SQL for each routine and schema, plus the ordered manifest.

use super::{GeneratedFile, file_stem};
use crate::model::{Direction, Model, QualifiedName, Routine, RoutineKind, RowDef};
use crate::quote_sql;
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Where tenant row-level security lives.
pub const SECURITY_SCHEMA: &str = "security";
pub const TENANT_PREDICATE: &str = "fn_TenantAccessPredicate";
pub const TENANT_POLICY: &str = "TenantIsolationPolicy";
/// The `SESSION_CONTEXT` key applications set to their tenant.
pub const TENANT_SESSION_KEY: &str = "TenantId";

/// Names of the CLR objects the T-SQL binds to (the bridge issue builds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// `CREATE ASSEMBLY` name.
    pub assembly: String,
    /// Namespace-qualified C# class holding the bridge methods.
    pub class: String,
    /// The native library the C# P/Invokes (`functions` → `functions.dll`,
    /// `libfunctions.so`).
    pub native_library: String,
    /// Where the native library sits on the SQL Server machine, if the bridge
    /// should load it from an explicit path.
    pub native_path: Option<String>,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            assembly: "Hartonomous.Functions".into(),
            class: "Hartonomous.Functions.Native".into(),
            native_library: "functions".into(),
            native_path: None,
        }
    }
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(false);
        env.add_filter("ident", |s: String| quote_sql::identifier(&s));
        env.add_filter("literal", |s: String| quote_sql::string_literal(&s));
        env.add_filter("comment", |s: String| quote_sql::comment_text(&s));
        env.add_template("routine.sql", include_str!("templates/routine.sql.j2"))
            .expect("routine template parses");
        env.add_template("schema.sql", include_str!("templates/schema.sql.j2"))
            .expect("schema template parses");
        env.add_template("companion.sql", include_str!("templates/companion.sql.j2"))
            .expect("companion template parses");
        env.add_template("table.sql", include_str!("templates/table.sql.j2"))
            .expect("table template parses");
        env.add_template(
            "tenant_predicate.sql",
            include_str!("templates/tenant_predicate.sql.j2"),
        )
        .expect("tenant predicate template parses");
        env.add_template(
            "tenant_policy.sql",
            include_str!("templates/tenant_policy.sql.j2"),
        )
        .expect("tenant policy template parses");
        env
    })
}

#[derive(Serialize)]
struct ParamView {
    name: String,
    sql_type: String,
    output: bool,
}

#[derive(Serialize)]
struct ColumnView {
    name: String,
    sql_type: String,
}

#[derive(Serialize)]
struct RoutineView {
    kind: &'static str,
    procedure: bool,
    schema: String,
    name: String,
    source: String,
    rust: String,
    doc: Vec<String>,
    notes: Vec<String>,
    params: Vec<ParamView>,
    returns: Option<String>,
    columns: Vec<ColumnView>,
    null_call: Option<&'static str>,
    assembly: String,
    class: String,
    method: String,
}

#[derive(Serialize)]
struct ManifestEntry {
    kind: &'static str,
    schema: String,
    name: String,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

#[derive(Serialize)]
struct Manifest {
    comment: &'static str,
    objects: Vec<ManifestEntry>,
}

/// The C# method a routine binds to: its Rust path, `::` spelled `__`, which
/// is unique in the crate and a valid C# identifier.
pub fn bridge_method(routine: &Routine) -> String {
    let mut parts = routine.rust.module.clone();
    parts.push(routine.rust.ident.clone());
    parts.join("__")
}

/// `file:line` of a routine's Rust source; built-in routines have no line.
pub fn source_text(span: &crate::diagnostics::SourceSpan) -> String {
    if span.start.line == 0 {
        format!("{} (built into the bridge)", span.file)
    } else {
        format!("{}:{}", span.file, span.start.line)
    }
}

fn kind_rank(kind: &RoutineKind) -> (u8, &'static str, &'static str) {
    match kind {
        RoutineKind::ScalarFunction { .. } => (1, "scalar function", "functions"),
        RoutineKind::TableFunction { .. } => (2, "table-valued function", "functions"),
        RoutineKind::Procedure { .. } => (3, "procedure", "procedures"),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn row_text(row: Option<&RowDef>) -> String {
    match row {
        Some(row) => row
            .columns
            .iter()
            .map(|c| format!("{} {}", quote_sql::identifier(&c.sql_name), c.value.sql))
            .collect::<Vec<_>>()
            .join(", "),
        None => "(unresolved)".into(),
    }
}

fn routine_view(model: &Model, routine: &Routine, options: &EmitOptions) -> RoutineView {
    let (_, kind, _) = kind_rank(&routine.kind);
    let mut notes = Vec::new();
    if let Some(f) = routine.kind.function_options() {
        notes.push(format!(
            "Deterministic: {}. Precise: {}. Data access: {}.",
            yes_no(f.deterministic),
            yes_no(f.precise),
            f.data_access
        ));
    }
    let all_required =
        !routine.params.is_empty() && routine.params.iter().all(|p| !p.value.nullable);
    let any_required = routine
        .params
        .iter()
        .any(|p| !p.value.nullable && p.direction == Direction::Input);
    let mut null_call = None;
    let mut columns = Vec::new();
    let mut returns = None;
    match &routine.kind {
        RoutineKind::ScalarFunction { returns: value, .. } => {
            returns = Some(value.sql.to_string());
            if all_required {
                null_call = Some("RETURNS NULL ON NULL INPUT");
                notes.push("A NULL argument returns NULL without calling Rust.".into());
            } else if any_required {
                notes.push("A NULL argument for a non-Option parameter returns NULL; Option parameters receive NULL.".into());
            }
            if value.nullable {
                notes.push("Returns NULL when the Rust result is None.".into());
            }
        }
        RoutineKind::TableFunction { rows, .. } => {
            let row = model.row(rows);
            columns = row
                .map(|r| {
                    r.columns
                        .iter()
                        .map(|c| ColumnView {
                            name: c.sql_name.clone(),
                            sql_type: c.value.sql.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            notes.push(format!(
                "Rows: `{}`, {}.",
                rows.ident,
                if rows.streaming {
                    "streamed as Rust yields them"
                } else {
                    "collected by Rust, then streamed"
                }
            ));
            if any_required {
                notes.push("A NULL argument for a non-Option parameter returns no rows.".into());
            }
        }
        RoutineKind::Procedure { result_set } => {
            match result_set {
                Some(rows) => notes.push(format!(
                    "Result set `{}`: {}.",
                    rows.ident,
                    row_text(model.row(rows))
                )),
                None => notes.push("No result set.".into()),
            }
            if any_required {
                notes.push("A NULL argument for a non-Option parameter is an error.".into());
            }
        }
    }
    if routine.fallible {
        notes.push("A Rust Err is raised as a SQL error carrying its message.".into());
    }
    RoutineView {
        kind,
        procedure: routine.kind.is_procedure(),
        schema: routine.name.schema.clone(),
        name: routine.name.name.clone(),
        source: source_text(&routine.span),
        rust: routine.rust.to_string(),
        doc: routine.doc.clone(),
        notes,
        params: routine
            .params
            .iter()
            .map(|p| ParamView {
                name: p.sql_name.clone(),
                sql_type: p.value.sql.to_string(),
                output: p.direction == Direction::Output,
            })
            .collect(),
        returns,
        columns,
        null_call,
        assembly: options.assembly.clone(),
        class: options.class.clone(),
        method: bridge_method(routine),
    }
}

/// Renders every object of the model and the manifest that orders them.
pub fn emit_sql(
    model: &Model,
    options: &EmitOptions,
) -> Result<Vec<GeneratedFile>, minijinja::Error> {
    let env = environment();
    let mut files = Vec::new();
    let mut manifest = Vec::new();

    // Schemas other than dbo, created before the objects in them.
    let mut schemas: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let tenant_tables: Vec<&crate::model::TableDef> = crate::model::dependency_order(&model.tables)
        .unwrap_or_else(|_| model.tables.iter().collect())
        .into_iter()
        .filter(|t| matches!(t.tenancy, crate::model::Tenancy::Column(_)))
        .collect();
    let security = QualifiedName {
        schema: SECURITY_SCHEMA.into(),
        name: TENANT_POLICY.into(),
    };
    let names = model
        .routines
        .iter()
        .map(|r| &r.name)
        .chain(model.tables.iter().map(|t| &t.name))
        .chain((!tenant_tables.is_empty()).then_some(&security));
    for name in names.filter(|n| n.schema != "dbo") {
        schemas
            .entry(name.schema.clone())
            .or_default()
            .push(name.name.clone());
    }
    for (schema, mut users) in schemas {
        users.sort();
        let path = format!("sql/{}/schema.sql", file_stem(&schema));
        let create = format!("CREATE SCHEMA {}", quote_sql::identifier(&schema));
        let contents = env
            .get_template("schema.sql")?
            .render(minijinja::context! { schema, users, create })?;
        manifest.push(ManifestEntry {
            kind: "schema",
            schema: schema.clone(),
            name: schema.clone(),
            file: path.clone(),
            source: None,
        });
        files.push(GeneratedFile {
            path,
            contents: super::finish(contents),
        });
    }

    // Tables, each after the tables its foreign keys reference. Rules report
    // a cycle before emitting; should one get here, source order is used.
    let tables = crate::model::dependency_order(&model.tables)
        .unwrap_or_else(|_| model.tables.iter().collect());
    let table_template = env.get_template("table.sql")?;
    for table in tables {
        let path = format!(
            "sql/{}/tables/{}.sql",
            file_stem(&table.name.schema),
            file_stem(&table.name.name)
        );
        manifest.push(ManifestEntry {
            kind: "table",
            schema: table.name.schema.clone(),
            name: table.name.name.clone(),
            file: path.clone(),
            source: Some(source_text(&table.span)),
        });
        files.push(GeneratedFile {
            path,
            contents: super::finish(table_template.render(super::table::table_view(table))?),
        });
    }

    // Tenant row-level security: one predicate function, one policy over
    // every tenant-scoped table, after the tables.
    if let Some(first) = tenant_tables.first() {
        let crate::model::Tenancy::Column(first_column) = &first.tenancy else {
            unreachable!()
        };
        let sql_type = first
            .column(first_column)
            .map(|c| c.value.sql.to_string())
            .unwrap_or_else(|| "INT".into());
        let function_path = format!("sql/{SECURITY_SCHEMA}/functions/{TENANT_PREDICATE}.sql");
        files.push(GeneratedFile {
            path: function_path.clone(),
            contents: super::finish(env.get_template("tenant_predicate.sql")?.render(minijinja::context! {
                schema => SECURITY_SCHEMA, name => TENANT_PREDICATE, sql_type, session_key => TENANT_SESSION_KEY,
            })?),
        });
        manifest.push(ManifestEntry {
            kind: "inline table-valued function",
            schema: SECURITY_SCHEMA.into(),
            name: TENANT_PREDICATE.into(),
            file: function_path,
            source: None,
        });
        let tables: Vec<_> = tenant_tables
            .iter()
            .map(|t| {
                let crate::model::Tenancy::Column(column) = &t.tenancy else { unreachable!() };
                minijinja::context! { schema => t.name.schema.clone(), name => t.name.name.clone(), column => column.clone() }
            })
            .collect();
        let policy_path = format!("sql/{SECURITY_SCHEMA}/policies/{TENANT_POLICY}.sql");
        files.push(GeneratedFile {
            path: policy_path.clone(),
            contents: super::finish(env.get_template("tenant_policy.sql")?.render(minijinja::context! {
                schema => SECURITY_SCHEMA, name => TENANT_POLICY, function => TENANT_PREDICATE, tables,
            })?),
        });
        manifest.push(ManifestEntry {
            kind: "security policy",
            schema: SECURITY_SCHEMA.into(),
            name: TENANT_POLICY.into(),
            file: policy_path,
            source: None,
        });
    }

    let mut routines: Vec<&Routine> = model.routines.iter().collect();
    routines.sort_by(|a, b| {
        kind_rank(&a.kind)
            .0
            .cmp(&kind_rank(&b.kind).0)
            .then_with(|| a.name.collision_key().cmp(&b.name.collision_key()))
            .then_with(|| a.name.cmp(&b.name))
    });
    let template = env.get_template("routine.sql")?;
    for routine in routines {
        let (_, kind, dir) = kind_rank(&routine.kind);
        let path = format!(
            "sql/{}/{dir}/{}.sql",
            file_stem(&routine.name.schema),
            file_stem(&routine.name.name)
        );
        let contents = template.render(routine_view(model, routine, options))?;
        manifest.push(ManifestEntry {
            kind,
            schema: routine.name.schema.clone(),
            name: routine.name.name.clone(),
            file: path.clone(),
            source: Some(source_text(&routine.span)),
        });
        files.push(GeneratedFile {
            path,
            contents: super::finish(contents),
        });
    }

    // VECTOR companions last: they call the routines above.
    let companion_template = env.get_template("companion.sql")?;
    let mut companions: Vec<(QualifiedName, &Routine)> = model
        .routines
        .iter()
        .filter_map(|r| super::companion_name(r).map(|name| (name, r)))
        .collect();
    companions.sort_by(|a, b| {
        a.0.collision_key()
            .cmp(&b.0.collision_key())
            .then_with(|| a.0.cmp(&b.0))
    });
    for (name, routine) in companions {
        let (_, _, dir) = kind_rank(&routine.kind);
        let path = format!(
            "sql/{}/{dir}/{}.sql",
            file_stem(&name.schema),
            file_stem(&name.name)
        );
        let view = super::companion::companion_view(model, routine, &name);
        manifest.push(ManifestEntry {
            kind: "vector companion",
            schema: name.schema.clone(),
            name: name.name.clone(),
            file: path.clone(),
            source: Some(source_text(&routine.span)),
        });
        files.push(GeneratedFile {
            path,
            contents: super::finish(companion_template.render(view)?),
        });
    }

    let manifest = Manifest {
        comment: "Deploy order of the generated SQL objects. Generated by `cargo run -p codegen`; do not edit.",
        objects: manifest,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
    files.push(GeneratedFile {
        path: "sql/manifest.json".into(),
        contents: super::finish(json),
    });
    Ok(files)
}
