//! Planning a deployment: the desired model (from the Rust source) against
//! the live one (read from a database's catalog, or, in the scenario tests,
//! from the source as it was) gives ordered steps, each a few T-SQL
//! batches, and the changes that would lose data, blocked unless allowed.
//!
//! Tables are compared structurally (columns, constraints, indexes); every
//! other object by its generated definition with comments left out, and
//! re-created or altered when that differs. Nothing here talks to a server.

mod allow;
mod assembly;
mod canonical;
pub mod catalog;
mod connect;
mod drift;
mod execute;
mod extra;
mod live;
pub mod objects;
mod read;
mod report;
mod script;
mod tables;
mod type_change;

pub use allow::{AllowError, Allowances};
pub use assembly::assembly_sha2_512;
pub use connect::{
    ACCESS_TOKEN_ENV, CONNECTION_ENV, ConnectError, ConnectOptions, LiveClient, connect, is_local,
    server_config,
};
pub use drift::{DriftReport, Verdict, detect_drift};
pub use execute::{Batch, DataChange, ExecuteError, execute, script_batches};
pub use live::{DeployResult, Deployment, deploy, read_live};
pub use read::{ReadError, read_catalog};
pub use report::{BlockedChange, Report};
pub use script::{failure_record, render_script};
pub use type_change::{TypeChange, classify};

use crate::emit::{EmitOptions, emit_object_scripts};
use crate::model::{Model, ObjectKey, QualifiedName};
use crate::quote_sql::{qualified, string_literal};
use std::collections::BTreeMap;
use std::fmt;

/// What a step does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Alter,
    Drop,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Alter => "alter",
            Action::Drop => "drop",
        }
    }
}

/// Kinds of change that can lose data or fail on existing rows. Each is
/// named, with its target, so that one change can be allowed:
/// `dbo.Atom.Name:narrow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    /// A column or table and its data removed.
    Drop,
    /// A shorter or smaller type: values may not fit.
    Narrow,
    /// Another type: values are converted and may fail or change.
    Convert,
    /// `VECTOR(n)` to another dimension.
    VectorDimension,
    /// `NULL` to `NOT NULL`: fails where a row holds NULL.
    NotNull,
    /// A `NOT NULL` column without a default added: fails on a table with
    /// rows.
    Required,
    /// A table SQL Server changes only by rebuilding it (identity gained
    /// or lost, computed ↔ stored, a key column altered): copied into a new
    /// table when allowed.
    Rebuild,
    /// A sequence restarted at its new start: it hands out values again.
    Restart,
    /// A change codegen does not plan (said with the reason and the manual
    /// route): never allowed.
    Unplanned,
}

impl Risk {
    pub const ALL: [Risk; 8] = [
        Risk::Drop,
        Risk::Narrow,
        Risk::Convert,
        Risk::VectorDimension,
        Risk::NotNull,
        Risk::Required,
        Risk::Rebuild,
        Risk::Restart,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Drop => "drop",
            Risk::Narrow => "narrow",
            Risk::Convert => "convert",
            Risk::VectorDimension => "vector-dimension",
            Risk::NotNull => "not-null",
            Risk::Required => "required",
            Risk::Rebuild => "rebuild",
            Risk::Restart => "restart",
            Risk::Unplanned => "unplanned",
        }
    }
}

/// One risky change, by what it touches (`schema.table` or
/// `schema.table.column`) and its kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeId {
    pub target: String,
    pub risk: Risk,
}

impl fmt::Display for ChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.target, self.risk.as_str())
    }
}

/// One planned change to one object: batches run in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub object: ObjectKey,
    pub action: Action,
    /// What it does, for people: `widen column [Name] NVARCHAR(50) → NVARCHAR(100)`.
    pub summary: String,
    /// T-SQL batches (no `GO`); a guard, when there is one, comes first.
    pub batches: Vec<String>,
    /// The risky changes this step makes because they were allowed.
    pub allowed: Vec<ChangeId>,
}

/// A change left out of the plan because it could lose data.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocked {
    pub object: ObjectKey,
    pub change: ChangeId,
    pub summary: String,
    pub reason: String,
}

impl Blocked {
    /// Whether allowing the change would plan it: not for a change codegen
    /// does not plan.
    pub fn can_be_allowed(&self) -> bool {
        self.change.risk != Risk::Unplanned
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Steps SQL Server cannot run inside a transaction (memory-optimized
    /// tables' DDL, error 12331): run first, each committed on its own.
    pub outside: Vec<Step>,
    pub steps: Vec<Step>,
    pub blocked: Vec<Blocked>,
    /// Objects the database has and the source does not: reported, not
    /// dropped.
    pub extra: Vec<ObjectKey>,
    /// SHA-256 of every script the source generates, in deploy order: what
    /// was deployed, for the history table and drift.
    pub source_hash: String,
    /// The project's pre- and post-deployment steps: run on every
    /// deployment, around the schema changes, in the same transaction.
    pub pre: Vec<DeploymentStep>,
    pub post: Vec<DeploymentStep>,
    /// Reference data (`#[sql_data]`): a `MERGE` per table, run on every
    /// deployment after the schema changes and before the post steps.
    pub data: Vec<DeploymentStep>,
    /// Modules the plan drops and creates again: their permissions are
    /// granted again after them.
    pub recreated: Vec<QualifiedName>,
    /// Foreign keys (by table and name) an earlier step dropped for its
    /// own table's step to add again: that step sees them as absent.
    pub taken_down: Vec<(QualifiedName, String)>,
}

/// A project step file, as batches (split on `GO` lines).
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentStep {
    pub path: String,
    pub batches: Vec<String>,
}

impl DeploymentStep {
    fn from_model(step: &crate::model::DeployStep) -> Self {
        let mut batches = vec![String::new()];
        for line in step.text.lines() {
            if line.trim().eq_ignore_ascii_case("GO") {
                batches.push(String::new());
            } else {
                let batch = batches.last_mut().expect("one batch at least");
                batch.push_str(line);
                batch.push('\n');
            }
        }
        DeploymentStep {
            path: step.path.clone(),
            batches: batches
                .into_iter()
                .map(|b| b.trim_end().to_string())
                .filter(|b| !b.trim().is_empty())
                .collect(),
        }
    }
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.outside.is_empty() && self.steps.is_empty() && self.blocked.is_empty()
    }

    /// Every step: those outside the transaction first.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.outside.iter().chain(&self.steps)
    }

    /// SHA-256 of every batch of every step, in order.
    pub fn plan_hash(&self) -> String {
        sha256(
            self.all_steps()
                .flat_map(|s| s.batches.iter().map(String::as_str)),
        )
    }
}

/// Hex SHA-256 of the texts, each followed by a NUL (so their boundaries
/// count).
fn sha256<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for text in texts {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The schema of codegen's own objects in a deployed database (the
/// deployment history); the catalog reader leaves it out.
pub const HISTORY_SCHEMA: &str = "hartonomous";

/// What a database holds, as the planner compares it: its tables as model
/// tables, and every other object by its definition text (as
/// `sys.sql_modules` keeps it, or as codegen would write it).
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub tables: Vec<crate::model::TableDef>,
    /// Keyed as SQL Server compares names: case-blind.
    scripts: BTreeMap<String, (ObjectKey, String)>,
    /// Schemas, sequences, Service Broker, roles and the tenant policy,
    /// compared field by field.
    pub objects: objects::LiveObjects,
    /// The database's assemblies, with the hashes of their bits.
    pub assemblies: Vec<catalog::AssemblyRow>,
    /// Each CLR routine and aggregate with the assembly it is bound to.
    pub clr_modules: Vec<(ObjectKey, String)>,
}

impl Live {
    /// The database a model's generated scripts would make.
    pub fn from_model(model: &Model, options: &EmitOptions) -> Result<Self, minijinja::Error> {
        let mut live = Live {
            tables: model.tables.clone(),
            objects: objects::LiveObjects::from_model(model),
            clr_modules: assembly::desired_modules(model)
                .into_iter()
                .map(|key| (key, options.assembly.clone()))
                .collect(),
            ..Live::default()
        };
        // The assembly such a database holds; its bits are not known.
        if !live.clr_modules.is_empty() {
            live.assemblies.push(catalog::AssemblyRow {
                name: options.assembly.clone(),
                permission_set: "UNSAFE_ACCESS".into(),
                sha2_512: String::new(),
            });
        }
        for (key, file) in emit_object_scripts(model, options)? {
            if !matches!(key, ObjectKey::Table(_)) && !objects::compared_by_fields(&key) {
                live.add_definition(key, file.contents);
            }
        }
        Ok(live)
    }

    /// An object other than a table, with its definition.
    pub fn add_definition(&mut self, key: ObjectKey, definition: String) {
        self.scripts.insert(same_name(&key), (key, definition));
    }

    /// The table of this name, compared as SQL Server compares names.
    fn table(&self, name: &QualifiedName) -> Option<&crate::model::TableDef> {
        self.tables
            .iter()
            .find(|t| t.name.collision_key() == name.collision_key())
    }

    fn definition(&self, key: &ObjectKey) -> Option<&str> {
        self.scripts
            .get(&same_name(key))
            .map(|(_, text)| text.as_str())
    }

    /// Every object, tables first.
    fn keys(&self) -> impl Iterator<Item = ObjectKey> + '_ {
        self.tables
            .iter()
            .map(|t| ObjectKey::Table(t.name.clone()))
            .chain(self.scripts.values().map(|(key, _)| key.clone()))
            .chain(self.objects.keys())
    }
}

/// The steps that bring `live` to `desired`, in deploy order, leaving the
/// CLR assembly as it is (see [`plan_changes_with_assembly`]).
pub fn plan_changes(
    live: &Live,
    desired: &Model,
    allow: &Allowances,
    options: &EmitOptions,
) -> Result<Plan, minijinja::Error> {
    plan_changes_with_assembly(live, desired, allow, options, None)
}

/// The steps that bring `live` to `desired`, in deploy order; with the
/// built assembly's bits, also the assembly (created, or replaced in place
/// when its bits differ).
pub fn plan_changes_with_assembly(
    live: &Live,
    desired: &Model,
    allow: &Allowances,
    options: &EmitOptions,
    assembly_bits: Option<&[u8]>,
) -> Result<Plan, minijinja::Error> {
    let desired_scripts = emit_object_scripts(desired, options)?;
    let data_scripts = crate::emit::emit_data_scripts(desired)?;
    let steps = &desired.deploy_steps;
    let mut plan = Plan {
        source_hash: sha256(
            desired_scripts
                .iter()
                .map(|(_, f)| f.contents.as_str())
                .chain(data_scripts.iter().map(|(_, f)| f.contents.as_str()))
                .chain(steps.pre.iter().chain(&steps.post).map(|s| s.text.as_str())),
        ),
        pre: steps.pre.iter().map(DeploymentStep::from_model).collect(),
        post: steps.post.iter().map(DeploymentStep::from_model).collect(),
        data: data_scripts
            .iter()
            .map(|(data, file)| DeploymentStep {
                path: format!(
                    "{} ({} row{}{}, from `{}`)",
                    data.table(desired)
                        .map(|t| t.name.to_string())
                        .unwrap_or_default(),
                    data.rows.len(),
                    if data.rows.len() == 1 { "" } else { "s" },
                    if data.delete_missing {
                        "; rows the source lacks deleted"
                    } else {
                        ""
                    },
                    data.rust
                ),
                batches: script::batches(&file.contents),
            })
            .collect(),
        ..Plan::default()
    };
    let assembly = assembly::plan_assembly(
        live,
        desired,
        &desired_scripts,
        assembly_bits,
        allow,
        options,
        &mut plan,
    );
    plan.recreated = assembly.recreated.clone();
    // Old names of tables renamed by this plan: not extra.
    let mut renamed_away = std::collections::BTreeSet::new();
    for (key, file) in &desired_scripts {
        match key {
            ObjectKey::Table(name) => {
                let table = desired.tables.iter().find(|t| &t.name == name);
                let before = match table {
                    Some(t) => table_before(live, t, &mut plan, &mut renamed_away),
                    None => live.table(name),
                };
                match (before, table) {
                    (None, Some(_)) => plan.steps.push(Step {
                        object: key.clone(),
                        action: Action::Create,
                        summary: "new".into(),
                        batches: script::batches(&file.contents),
                        allowed: Vec::new(),
                    }),
                    (Some(before), Some(after)) => {
                        let surroundings = tables::Surroundings {
                            live,
                            desired,
                            desired_scripts: &desired_scripts,
                        };
                        let mut before = before.clone();
                        before.foreign_keys.retain(|fk| {
                            !plan.taken_down.iter().any(|(t, n)| {
                                t.collision_key() == before.name.collision_key()
                                    && n.eq_ignore_ascii_case(&fk.name)
                            })
                        });
                        tables::plan_table(&before, after, &surroundings, allow, &mut plan)
                    }
                    _ => {}
                }
            }
            key if objects::compared_by_fields(key) => objects::plan_object(
                key,
                &file.contents,
                desired,
                &live.objects,
                &live.tables,
                allow,
                &mut plan,
            ),
            _ => match live.definition(key).filter(|_| !assembly.recreates(key)) {
                None => plan.steps.push(Step {
                    object: key.clone(),
                    action: Action::Create,
                    summary: "new".into(),
                    batches: script::batches(&file.contents),
                    allowed: Vec::new(),
                }),
                Some(before)
                    if script::definition(before) != script::definition(&file.contents) =>
                {
                    script::plan_changed(key, &file.contents, &mut plan)
                }
                Some(_) => {}
            },
        }
    }
    let desired_keys: std::collections::BTreeSet<String> =
        desired_scripts.iter().map(|(k, _)| same_name(k)).collect();
    plan.extra = live
        .keys()
        .filter(|key| {
            let name = same_name(key);
            !desired_keys.contains(&name)
                && !renamed_away.contains(&name)
                && !assembly.dropped_extra.contains(&name)
        })
        .collect();
    extra::plan_extra_drops(live, allow, &mut plan);
    // The assembly goes in before the first routine, table or anything
    // else that could call it.
    if let Some(step) = assembly.step {
        let at = plan
            .steps
            .iter()
            .position(|s| {
                !matches!(
                    s.object,
                    ObjectKey::Schema(_)
                        | ObjectKey::Sequence(_)
                        | ObjectKey::MessageType(_)
                        | ObjectKey::Contract(_)
                )
            })
            .unwrap_or(plan.steps.len());
        plan.steps.insert(at, step);
    }
    move_outside(&mut plan, desired);
    Ok(plan)
}

/// Moves what SQL Server cannot run in a transaction out of it: creating or
/// altering a memory-optimized table (with its schema, when new, which is
/// safe to run twice), after a check that the database can hold such
/// tables.
fn move_outside(plan: &mut Plan, desired: &Model) {
    let memory_optimized = |key: &ObjectKey| match key {
        ObjectKey::Table(name) => desired
            .tables
            .iter()
            .any(|t| &t.name == name && t.memory_optimized.is_some()),
        _ => false,
    };
    let tables: Vec<Step> = plan
        .steps
        .iter()
        .filter(|s| memory_optimized(&s.object))
        .cloned()
        .collect();
    if tables.is_empty() {
        return;
    }
    let schemas: std::collections::BTreeSet<String> = tables
        .iter()
        .filter_map(|s| match &s.object {
            ObjectKey::Table(n) => Some(n.schema.to_lowercase()),
            _ => None,
        })
        .collect();
    let moved = |s: &Step| {
        memory_optimized(&s.object)
            || (s.action == Action::Create
                && matches!(&s.object, ObjectKey::Schema(n) if schemas.contains(&n.to_lowercase())))
    };
    let (outside, inside): (Vec<Step>, Vec<Step>) =
        std::mem::take(&mut plan.steps).into_iter().partition(moved);
    plan.steps = inside;
    plan.outside = outside;
    let guard = format!(
        "IF NOT EXISTS (SELECT 1 FROM sys.filegroups WHERE [type] = N'FX')\n    THROW 50000, {}, 1;",
        string_literal(
            "memory-optimized tables need a MEMORY_OPTIMIZED_DATA filegroup: add one (ALTER DATABASE ... ADD FILEGROUP ... CONTAINS MEMORY_OPTIMIZED_DATA, and a file in it) and deploy again"
        )
    );
    if let Some(first) = plan
        .outside
        .iter_mut()
        .find(|s| matches!(s.object, ObjectKey::Table(_)))
    {
        first.batches.insert(0, guard);
    }
}

/// The live table that stands for `desired`: its own, or, when it declares
/// `renamed_from` and only the old one exists, the old one, renamed by a
/// step (its old name then goes into `renamed_away`). Both present is
/// blocked.
fn table_before<'a>(
    live: &'a Live,
    desired: &crate::model::TableDef,
    plan: &mut Plan,
    renamed_away: &mut std::collections::BTreeSet<String>,
) -> Option<&'a crate::model::TableDef> {
    let name = &desired.name;
    let key = ObjectKey::Table(name.clone());
    let current = live.table(name);
    let Some(old) = desired.renamed_from.as_ref().map(|old| QualifiedName {
        schema: name.schema.clone(),
        name: old.clone(),
    }) else {
        return current;
    };
    match (current, live.table(&old)) {
        (None, Some(old_table)) => {
            plan.steps.push(Step {
                object: key,
                action: Action::Alter,
                summary: format!("rename table {old} to {name}"),
                batches: vec![format!(
                    "EXEC sp_rename {}, {};",
                    string_literal(&qualified(&old.schema, &old.name)),
                    string_literal(&name.name)
                )],
                allowed: Vec::new(),
            });
            renamed_away.insert(same_name(&ObjectKey::Table(old)));
            Some(old_table)
        }
        (Some(_), Some(_)) => {
            plan.blocked.push(Blocked {
                object: key,
                change: ChangeId {
                    target: name.to_string(),
                    risk: Risk::Unplanned,
                },
                summary: format!("rename table {old} to {name}"),
                reason: format!(
                    "both {old} and {name} exist: drop one by hand, or remove `renamed_from`"
                ),
            });
            current
        }
        _ => current,
    }
}

/// An object's identity as SQL Server compares names: procedures,
/// functions (VECTOR companions and the tenant predicate among them) and
/// views by schema and name alone, since the catalog knows them as modules.
fn same_name(key: &ObjectKey) -> String {
    let module = |name: &QualifiedName| format!("module {name}");
    match key {
        ObjectKey::Routine(_, name)
        | ObjectKey::Aggregate(name)
        | ObjectKey::View(name)
        | ObjectKey::Companion(name) => module(name),
        ObjectKey::TenantPredicate => module(&QualifiedName {
            schema: crate::model::SECURITY_SCHEMA.into(),
            name: crate::emit::TENANT_PREDICATE.into(),
        }),
        other => other.to_string(),
    }
    .to_lowercase()
}

impl fmt::Display for Plan {
    /// The plan as people read it: each step with its batches, then what was
    /// blocked (and how to allow it), then what the database has beyond the
    /// source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() && self.extra.is_empty() {
            if self.pre.is_empty() && self.post.is_empty() && self.data.is_empty() {
                writeln!(f, "nothing to do: the database matches the source")?;
            }
            return write_project_steps(f, self);
        }
        let numbered = self
            .outside
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("outside step {}", i + 1), s))
            .chain(
                self.steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("step {}", i + 1), s)),
            );
        if !self.outside.is_empty() {
            writeln!(
                f,
                "outside the transaction (SQL Server cannot run these in one; each commits on its own, first):"
            )?;
        }
        for (number, step) in numbered {
            write!(
                f,
                "{number}: {} {}: {}",
                step.action.as_str(),
                step.object,
                step.summary
            )?;
            if step.allowed.is_empty() {
                writeln!(f)?;
            } else {
                let allowed: Vec<String> = step.allowed.iter().map(ToString::to_string).collect();
                writeln!(f, " (allowed: {})", allowed.join(", "))?;
            }
            for batch in &step.batches {
                for line in batch.lines() {
                    writeln!(f, "    {}", shortened(line))?;
                }
            }
        }
        for b in &self.blocked {
            write!(f, "blocked: {}: {}: {}", b.object, b.summary, b.reason)?;
            if b.can_be_allowed() {
                writeln!(f, " (allow with `{}`)", b.change)?;
            } else {
                writeln!(f)?;
            }
        }
        for key in &self.extra {
            writeln!(
                f,
                "extra: {key} is in the database but not in the source (left alone; --drop-extra drops it)"
            )?;
        }
        write_project_steps(f, self)
    }
}

/// A line as the plan shows it: an assembly's bits run to megabytes of
/// hex, so a very long line shows its start and its length (the script
/// has it whole).
fn shortened(line: &str) -> std::borrow::Cow<'_, str> {
    const LONGEST: usize = 400;
    const SHOWN: usize = 120;
    if line.chars().count() <= LONGEST {
        return line.into();
    }
    let head: String = line.chars().take(SHOWN).collect();
    format!(
        "{head}… ({} characters in the script)",
        line.chars().count()
    )
    .into()
}

/// The project's steps, which run on every deployment.
fn write_project_steps(f: &mut fmt::Formatter<'_>, plan: &Plan) -> fmt::Result {
    for data in &plan.data {
        writeln!(
            f,
            "merges after the changes, as on every deployment: reference data {}",
            data.path
        )?;
    }
    for (phase, steps) in [("before", &plan.pre), ("after", &plan.post)] {
        for step in steps {
            writeln!(
                f,
                "runs {phase} the changes, as on every deployment: {} ({} batch{})",
                step.path,
                step.batches.len(),
                if step.batches.len() == 1 { "" } else { "es" }
            )?;
        }
    }
    Ok(())
}
