//! T-SQL for each routine and schema, plus the ordered manifest.

use super::{GeneratedFile, file_stem};
use crate::model::{
    Direction, Model, ObjectKey, QualifiedName, Routine, RoutineKind, RowDef, TableDef, Tenancy,
    deploy_order, routine_rank, used_schemas,
};
use crate::quote_sql;
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use crate::model::SECURITY_SCHEMA;
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

pub(super) fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(false);
        env.add_filter("ident", |s: String| quote_sql::identifier(&s));
        env.add_filter("literal", |s: String| quote_sql::string_literal(&s));
        env.add_filter("comment", |s: String| quote_sql::comment_text(&s));
        env.add_template("routine.sql", include_str!("templates/routine.sql.j2"))
            .expect("routine template parses");
        env.add_template("aggregate.sql", include_str!("templates/aggregate.sql.j2"))
            .expect("aggregate template parses");
        env.add_template("schema.sql", include_str!("templates/schema.sql.j2"))
            .expect("schema template parses");
        env.add_template("companion.sql", include_str!("templates/companion.sql.j2"))
            .expect("companion template parses");
        env.add_template("table.sql", include_str!("templates/table.sql.j2"))
            .expect("table template parses");
        env.add_template("data.sql", include_str!("templates/data.sql.j2"))
            .expect("data template parses");
        for (name, text) in [
            ("header.sql", include_str!("templates/header.sql.j2")),
            ("sequence.sql", include_str!("templates/sequence.sql.j2")),
            (
                "message_type.sql",
                include_str!("templates/message_type.sql.j2"),
            ),
            ("contract.sql", include_str!("templates/contract.sql.j2")),
            ("queue.sql", include_str!("templates/queue.sql.j2")),
            ("service.sql", include_str!("templates/service.sql.j2")),
            ("role.sql", include_str!("templates/role.sql.j2")),
            (
                "vector_index.sql",
                include_str!("templates/vector_index.sql.j2"),
            ),
            (
                "tsql_routine.sql",
                include_str!("templates/tsql_routine.sql.j2"),
            ),
            ("view.sql", include_str!("templates/view.sql.j2")),
            (
                "view_index.sql",
                include_str!("templates/view_index.sql.j2"),
            ),
        ] {
            env.add_template(name, text)
                .expect("object templates parse");
        }
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
pub(super) struct ParamView {
    pub(super) name: String,
    pub(super) sql_type: String,
    pub(super) output: bool,
}

#[derive(Serialize)]
pub(super) struct ColumnView {
    pub(super) name: String,
    pub(super) sql_type: String,
}

#[derive(Serialize)]
pub(super) struct RoutineView {
    pub(super) kind: &'static str,
    pub(super) procedure: bool,
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) source: String,
    pub(super) rust: String,
    pub(super) doc: Vec<String>,
    pub(super) notes: Vec<String>,
    pub(super) params: Vec<ParamView>,
    pub(super) returns: Option<String>,
    pub(super) columns: Vec<ColumnView>,
    pub(super) null_call: Option<&'static str>,
    pub(super) assembly: String,
    pub(super) class: String,
    pub(super) method: String,
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
        RoutineKind::Procedure { result_sets, .. } => {
            match result_sets.first() {
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

/// One rendered object, waiting for its place in the deploy order.
struct Rendered {
    entry: ManifestEntry,
    file: GeneratedFile,
}

fn rendered(
    kind: &'static str,
    schema: &str,
    name: &str,
    path: String,
    source: Option<String>,
    contents: String,
) -> Rendered {
    Rendered {
        entry: ManifestEntry {
            kind,
            schema: schema.to_string(),
            name: name.to_string(),
            file: path.clone(),
            source,
        },
        file: GeneratedFile {
            path,
            contents: super::finish(contents),
        },
    }
}

/// A table's `CREATE TABLE` with its constraints and indexes, as the
/// generated file has it.
pub fn table_script(table: &TableDef) -> Result<String, minijinja::Error> {
    environment()
        .get_template("table.sql")?
        .render(super::table::table_view(table))
        .map(super::finish)
}

/// A vector index's `CREATE VECTOR INDEX`; `rust` is the table's Rust
/// type, when it comes from the source.
pub fn vector_index_script(
    table: &QualifiedName,
    rust: Option<&crate::model::RustPath>,
    index: &crate::model::VectorIndexDef,
) -> Result<String, minijinja::Error> {
    environment()
        .get_template("vector_index.sql")?
        .render(minijinja::context! {
            kind => "vector index",
            title => format!("{} ON {}", quote_sql::identifier(&index.name), quote_sql::qualified(&table.schema, &table.name)),
            source => rust.map(|_| source_text(&index.span)),
            rust => rust.map(ToString::to_string),
            schema => table.schema.clone(),
            name => table.name.clone(),
            index => index.name.clone(),
            column => index.column.clone(),
            metric => index.metric.sql(),
        })
}

/// Renders every object of the model and the manifest that orders them.
pub fn emit_sql(
    model: &Model,
    options: &EmitOptions,
) -> Result<Vec<GeneratedFile>, minijinja::Error> {
    let rendered = render_objects(model, options)?;
    let mut files = Vec::with_capacity(rendered.len() + 1);
    let mut manifest = Vec::with_capacity(rendered.len());
    for (_, object) in rendered {
        manifest.push(object.entry);
        files.push(object.file);
    }
    // Reference data after every object: it runs once the schema is in place.
    for (data, file) in super::emit_data_scripts(model)? {
        let table = data.table(model).expect("emitted data has its table");
        manifest.push(ManifestEntry {
            kind: "reference data",
            schema: table.name.schema.clone(),
            name: table.name.name.clone(),
            file: file.path.clone(),
            source: Some(source_text(&data.span)),
        });
        files.push(file);
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

/// Every object's script with its key, in deploy order: what the deploy
/// planner compares and runs.
pub fn emit_object_scripts(
    model: &Model,
    options: &EmitOptions,
) -> Result<Vec<(ObjectKey, GeneratedFile)>, minijinja::Error> {
    Ok(render_objects(model, options)?
        .into_iter()
        .map(|(key, object)| (key, object.file))
        .collect())
}

/// Every object rendered, in deploy order.
fn render_objects(
    model: &Model,
    options: &EmitOptions,
) -> Result<Vec<(ObjectKey, Rendered)>, minijinja::Error> {
    let env = environment();
    let mut objects: BTreeMap<ObjectKey, Rendered> = BTreeMap::new();

    // Schemas other than dbo, created before the objects in them.
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let tenant_tables: Vec<&TableDef> = model
        .tables
        .iter()
        .filter(|t| matches!(t.tenancy, Tenancy::Column(_)))
        .collect();
    let security = QualifiedName {
        schema: SECURITY_SCHEMA.into(),
        name: TENANT_POLICY.into(),
    };
    let names = model
        .routines
        .iter()
        .map(|r| &r.name)
        .chain(model.aggregates.iter().map(|a| &a.name))
        .chain(model.tables.iter().map(|t| &t.name))
        .chain(model.sequences.iter().map(|s| &s.name))
        .chain(model.queues.iter().map(|q| &q.name))
        .chain(model.views.iter().map(|v| &v.name))
        .chain((!tenant_tables.is_empty()).then_some(&security));
    for name in names {
        users
            .entry(name.schema.to_lowercase())
            .or_default()
            .push(name.name.clone());
    }
    let schema_template = env.get_template("schema.sql")?;
    for schema in used_schemas(model) {
        if schema.eq_ignore_ascii_case("dbo") {
            continue;
        }
        let mut used_by = users.remove(&schema.to_lowercase()).unwrap_or_default();
        used_by.sort();
        let path = format!("sql/{}/schema.sql", file_stem(&schema));
        let contents =
            schema_template.render(super::objects::schema_view(model, &schema, used_by))?;
        let source = model
            .schemas
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&schema))
            .map(|s| source_text(&s.declared.span));
        objects.insert(
            ObjectKey::Schema(schema.clone()),
            rendered("schema", &schema, &schema, path, source, contents),
        );
    }

    let sequence_template = env.get_template("sequence.sql")?;
    for sequence in &model.sequences {
        let path = format!(
            "sql/{}/sequences/{}.sql",
            file_stem(&sequence.name.schema),
            file_stem(&sequence.name.name)
        );
        let contents = sequence_template.render(super::objects::sequence_view(sequence))?;
        objects.insert(
            ObjectKey::Sequence(sequence.name.clone()),
            rendered(
                "sequence",
                &sequence.name.schema,
                &sequence.name.name,
                path,
                Some(source_text(&sequence.declared.span)),
                contents,
            ),
        );
    }

    let table_template = env.get_template("table.sql")?;
    for table in &model.tables {
        let path = format!(
            "sql/{}/tables/{}.sql",
            file_stem(&table.name.schema),
            file_stem(&table.name.name)
        );
        let contents = table_template.render(super::table::table_view(table))?;
        objects.insert(
            ObjectKey::Table(table.name.clone()),
            rendered(
                "table",
                &table.name.schema,
                &table.name.name,
                path,
                Some(source_text(&table.span)),
                contents,
            ),
        );
        for index in &table.vector_indexes {
            let path = format!(
                "sql/{}/vector_indexes/{}.{}.sql",
                file_stem(&table.name.schema),
                file_stem(&table.name.name),
                file_stem(&index.name)
            );
            let contents = vector_index_script(&table.name, Some(&table.rust), index)?;
            objects.insert(
                ObjectKey::VectorIndex(table.name.clone(), index.name.clone()),
                rendered(
                    "vector index",
                    &table.name.schema,
                    &index.name,
                    path,
                    Some(source_text(&index.span)),
                    contents,
                ),
            );
        }
    }

    // Tenant row-level security: one predicate function, one policy over
    // every tenant-scoped table.
    if let Some(first) = tenant_tables.first() {
        let Tenancy::Column(first_column) = &first.tenancy else {
            unreachable!("filtered to tenant-scoped tables")
        };
        let sql_type = first
            .column(first_column)
            .map(|c| c.value.sql.to_string())
            .unwrap_or_else(|| "INT".into());
        let contents = env.get_template("tenant_predicate.sql")?.render(minijinja::context! {
            schema => SECURITY_SCHEMA, name => TENANT_PREDICATE, sql_type, session_key => TENANT_SESSION_KEY,
        })?;
        objects.insert(
            ObjectKey::TenantPredicate,
            rendered(
                "inline table-valued function",
                SECURITY_SCHEMA,
                TENANT_PREDICATE,
                format!("sql/{SECURITY_SCHEMA}/functions/{TENANT_PREDICATE}.sql"),
                None,
                contents,
            ),
        );
        let mut scoped = tenant_tables.clone();
        scoped.sort_by(|a, b| {
            a.name
                .collision_key()
                .cmp(&b.name.collision_key())
                .then_with(|| a.name.cmp(&b.name))
        });
        let tables: Vec<_> = scoped
            .iter()
            .filter_map(|t| match &t.tenancy {
                Tenancy::Column(column) => Some(minijinja::context! { schema => t.name.schema.clone(), name => t.name.name.clone(), column => column.clone() }),
                _ => None,
            })
            .collect();
        let contents = env.get_template("tenant_policy.sql")?.render(minijinja::context! {
            schema => SECURITY_SCHEMA, name => TENANT_POLICY, function => TENANT_PREDICATE, tables,
        })?;
        objects.insert(
            ObjectKey::TenantPolicy,
            rendered(
                "security policy",
                SECURITY_SCHEMA,
                TENANT_POLICY,
                format!("sql/{SECURITY_SCHEMA}/policies/{TENANT_POLICY}.sql"),
                None,
                contents,
            ),
        );
    }

    let template = env.get_template("routine.sql")?;
    let tsql_template = env.get_template("tsql_routine.sql")?;
    for routine in &model.routines {
        let (_, native_kind, dir) = kind_rank(&routine.kind);
        let path = format!(
            "sql/{}/{dir}/{}.sql",
            file_stem(&routine.name.schema),
            file_stem(&routine.name.name)
        );
        let (kind, contents) = if routine.is_native() {
            (
                native_kind,
                template.render(routine_view(model, routine, options))?,
            )
        } else {
            // The spatial helpers belong to the bridge: registered with it.
            let kind = if &*routine.span.file == crate::model::builtin::SPATIAL_FILE {
                "spatial helper"
            } else {
                super::tsql::tsql_kind(routine).0
            };
            (
                kind,
                tsql_template.render(super::tsql::tsql_routine_view(model, routine))?,
            )
        };
        objects.insert(
            ObjectKey::Routine(routine_rank(&routine.kind), routine.name.clone()),
            rendered(
                kind,
                &routine.name.schema,
                &routine.name.name,
                path,
                Some(source_text(&routine.span)),
                contents,
            ),
        );
    }

    let aggregate_template = env.get_template("aggregate.sql")?;
    for aggregate in &model.aggregates {
        let path = format!(
            "sql/{}/aggregates/{}.sql",
            file_stem(&aggregate.name.schema),
            file_stem(&aggregate.name.name)
        );
        let contents =
            aggregate_template.render(super::aggregate::aggregate_sql_view(aggregate, options))?;
        objects.insert(
            ObjectKey::Aggregate(aggregate.name.clone()),
            rendered(
                "aggregate",
                &aggregate.name.schema,
                &aggregate.name.name,
                path,
                Some(source_text(&aggregate.span)),
                contents,
            ),
        );
    }

    let companion_template = env.get_template("companion.sql")?;
    for routine in &model.routines {
        let Some(name) = super::companion_name(routine) else {
            continue;
        };
        let (_, _, dir) = kind_rank(&routine.kind);
        let path = format!(
            "sql/{}/{dir}/{}.sql",
            file_stem(&name.schema),
            file_stem(&name.name)
        );
        let contents =
            companion_template.render(super::companion::companion_view(model, routine, &name))?;
        objects.insert(
            ObjectKey::Companion(name.clone()),
            rendered(
                if crate::model::builtin::has_vector_input(routine) {
                    "vector companion"
                } else {
                    "spatial companion"
                },
                &name.schema,
                &name.name,
                path,
                Some(source_text(&routine.span)),
                contents,
            ),
        );
    }

    let message_template = env.get_template("message_type.sql")?;
    for message in &model.message_types {
        let contents = message_template.render(minijinja::context! {
            ..super::objects::header("message type", quote_sql::identifier(&message.name), Some(&message.declared)),
            ..minijinja::context! { name => message.name.clone(), validation => message.validation.sql() }
        })?;
        objects.insert(
            ObjectKey::MessageType(message.name.clone()),
            rendered(
                "message type",
                "",
                &message.name,
                format!("sql/broker/message_types/{}.sql", file_stem(&message.name)),
                Some(source_text(&message.declared.span)),
                contents,
            ),
        );
    }
    let contract_template = env.get_template("contract.sql")?;
    for contract in &model.contracts {
        let messages: Vec<_> = contract
            .messages
            .iter()
            .map(|(name, sent_by)| minijinja::context! { name => name.clone(), sent_by => sent_by.sql() })
            .collect();
        let contents = contract_template.render(minijinja::context! {
            ..super::objects::header("contract", quote_sql::identifier(&contract.name), Some(&contract.declared)),
            ..minijinja::context! { name => contract.name.clone(), messages }
        })?;
        objects.insert(
            ObjectKey::Contract(contract.name.clone()),
            rendered(
                "contract",
                "",
                &contract.name,
                format!("sql/broker/contracts/{}.sql", file_stem(&contract.name)),
                Some(source_text(&contract.declared.span)),
                contents,
            ),
        );
    }
    let queue_template = env.get_template("queue.sql")?;
    let service_template = env.get_template("service.sql")?;
    for queue in &model.queues {
        let path = format!(
            "sql/{}/queues/{}.sql",
            file_stem(&queue.name.schema),
            file_stem(&queue.name.name)
        );
        let contents = queue_template.render(super::objects::queue_view(queue))?;
        objects.insert(
            ObjectKey::Queue(queue.name.clone()),
            rendered(
                "queue",
                &queue.name.schema,
                &queue.name.name,
                path,
                Some(source_text(&queue.declared.span)),
                contents,
            ),
        );
        if let Some(service) = &queue.service {
            let contents = service_template.render(minijinja::context! {
                ..super::objects::header("service", quote_sql::identifier(&service.name), Some(&queue.declared)),
                ..minijinja::context! {
                    name => service.name.clone(),
                    queue_schema => queue.name.schema.clone(),
                    queue => queue.name.name.clone(),
                    contracts => service.contracts.clone(),
                }
            })?;
            objects.insert(
                ObjectKey::Service(service.name.clone()),
                rendered(
                    "service",
                    "",
                    &service.name,
                    format!("sql/broker/services/{}.sql", file_stem(&service.name)),
                    Some(source_text(&service.span)),
                    contents,
                ),
            );
        }
    }
    let view_template = env.get_template("view.sql")?;
    let view_index_template = env.get_template("view_index.sql")?;
    for view in &model.views {
        let path = format!(
            "sql/{}/views/{}.sql",
            file_stem(&view.name.schema),
            file_stem(&view.name.name)
        );
        let contents = view_template.render(minijinja::context! {
            ..super::objects::header("view", quote_sql::qualified(&view.name.schema, &view.name.name), Some(&view.declared)),
            ..minijinja::context! {
                schema => view.name.schema.clone(),
                name => view.name.name.clone(),
                schemabinding => view.schemabinding,
                body => view.body.text.trim_end().to_string(),
            }
        })?;
        objects.insert(
            ObjectKey::View(view.name.clone()),
            rendered(
                "view",
                &view.name.schema,
                &view.name.name,
                path,
                Some(source_text(&view.declared.span)),
                contents,
            ),
        );
        for index in &view.indexes {
            let path = format!(
                "sql/{}/indexes/{}.{}.sql",
                file_stem(&view.name.schema),
                file_stem(&view.name.name),
                file_stem(&index.name)
            );
            let keys: Vec<_> = index
                .keys
                .iter()
                .map(|k| minijinja::context! { column => k.column.clone(), descending => k.descending })
                .collect();
            let contents = view_index_template.render(minijinja::context! {
                ..super::objects::header(
                    "index on a view",
                    format!("{} ON {}", quote_sql::identifier(&index.name), quote_sql::qualified(&view.name.schema, &view.name.name)),
                    Some(&view.declared),
                ),
                ..minijinja::context! {
                    schema => view.name.schema.clone(),
                    name => view.name.name.clone(),
                    index => index.name.clone(),
                    unique => index.unique,
                    clustered => index.clustered,
                    keys,
                }
            })?;
            objects.insert(
                ObjectKey::ViewIndex(view.name.clone(), index.name.clone()),
                rendered(
                    "index on a view",
                    &view.name.schema,
                    &index.name,
                    path,
                    Some(source_text(&index.span)),
                    contents,
                ),
            );
        }
    }
    let role_template = env.get_template("role.sql")?;
    for role in &model.roles {
        let contents = role_template.render(super::objects::role_view(role))?;
        objects.insert(
            ObjectKey::Role(role.name.clone()),
            rendered(
                "role",
                "",
                &role.name,
                format!("sql/roles/{}.sql", file_stem(&role.name)),
                Some(source_text(&role.declared.span)),
                contents,
            ),
        );
    }

    // Rules report a cycle before emitting; should one get here, the keys'
    // own order is used.
    let order = deploy_order(model).unwrap_or_else(|_| objects.keys().cloned().collect());
    let mut ordered = Vec::with_capacity(objects.len());
    for key in order {
        if let Some(object) = objects.remove(&key) {
            ordered.push((key, object));
        }
    }
    Ok(ordered)
}
