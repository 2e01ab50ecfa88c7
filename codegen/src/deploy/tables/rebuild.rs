//! A table SQL Server changes only by rebuilding it (identity gained or
//! lost, a column between computed and stored, a key column altered):
//! blocked as `schema.table:rebuild` until allowed, then copied into a new
//! table in one step, inside the deployment's transaction:
//!
//! 1. the other tables' foreign keys to it dropped, and the tenant security
//!    policy when it covers the table (its own step creates it again);
//! 2. the table's constraints dropped, freeing their names;
//! 3. the new table created under a temporary name with the source's
//!    definition, constraints and indexes;
//! 4. the rows copied by `INSERT ... SELECT` (the columns both have, by
//!    name, a formerly computed one with its values; `IDENTITY_INSERT` when
//!    the new table has an identity column): a
//!    value that does not convert or fit stops the deployment, which rolls
//!    back, so the copy is its own guard;
//! 5. the old table dropped, the new one renamed;
//! 6. its foreign keys to itself, the other tables' foreign keys to it and
//!    its vector indexes created again (a foreign key whose columns change
//!    with the key, as when a key is widened with its references, is added
//!    by its own table's step after its columns change); the roles' steps
//!    grant its permissions again.
//!
//! Column changes inside a rebuild that lose data (a column dropped, a
//! narrowing or conversion, NULL to NOT NULL, a required column added) must
//! be allowed too, each by its own name. A system-versioned table is
//! rebuilt with versioning off, its period columns copied as ordinary
//! columns, the period added back and versioning set on with the same
//! history table (`DATA_CONSISTENCY_CHECK = ON`), when that history needs
//! no change. Memory-optimized and graph tables, and tables under
//! schema-bound views, are not rebuilt: that is said with the reason.

use super::Table;
use crate::deploy::Live;
use crate::deploy::script::definition;
use crate::deploy::type_change::{TypeChange, classify};
use crate::deploy::{Action, Allowances, Blocked, ChangeId, Plan, Risk, Step};
use crate::emit::GeneratedFile;
use crate::emit::table::foreign_key_clause;
use crate::model::{ForeignKeyDef, Model, ObjectKey, QualifiedName, TableDef};
use crate::quote_sql::{identifier, qualified, string_literal};

/// What around the table a rebuild must take down and put back.
#[derive(Debug, Default)]
struct RebuildContext {
    /// Other tables' foreign keys to this table, as the database has them.
    pub referencing: Vec<(QualifiedName, ForeignKeyDef)>,
    /// The tenant security policy covers the table.
    pub policy_covers: bool,
    /// Schema-bound views in the database that name the table.
    pub bound_views: Vec<String>,
    /// The source's vector indexes on the table.
    pub vector_indexes: Vec<String>,
    /// Of `referencing`, the foreign keys whose columns change type in the
    /// source (by table and name): not put back by the rebuild; their
    /// table's own step adds them after altering the columns.
    pub changing_references: Vec<(QualifiedName, String)>,
}

impl RebuildContext {
    fn changes(&self, table: &QualifiedName, fk: &str) -> bool {
        self.changing_references
            .iter()
            .any(|(t, n)| t.collision_key() == table.collision_key() && n.eq_ignore_ascii_case(fk))
    }
}

/// What surrounds the table being planned: read only when it is rebuilt.
pub struct Surroundings<'a> {
    pub live: &'a Live,
    pub desired: &'a Model,
    pub desired_scripts: &'a [(ObjectKey, GeneratedFile)],
}

impl Surroundings<'_> {
    /// What a rebuild of `table` (as the database has it) must take down
    /// and put back around it.
    fn context(&self, table: &TableDef) -> RebuildContext {
        let Surroundings {
            live,
            desired,
            desired_scripts,
        } = *self;
        let name = table.name.collision_key();
        let referencing: Vec<(QualifiedName, ForeignKeyDef)> = live
            .tables
            .iter()
            .filter(|t| t.name.collision_key() != name)
            .flat_map(|t| {
                t.foreign_keys
                    .iter()
                    .filter(|fk| fk.references.collision_key() == name)
                    .map(|fk| (t.name.clone(), fk.clone()))
            })
            .collect();
        let policy_covers = live.objects.tenant_policy.as_ref().is_some_and(|p| {
            let covered = format!("{}.{}", table.name.schema, table.name.name).to_lowercase();
            p.predicates.iter().any(|pr| pr.table == covered)
        });
        // A schema-bound view naming the table blocks DROP TABLE.
        let bound_views = live
            .scripts
            .values()
            .filter(|(key, text)| {
                let text = text.to_lowercase();
                matches!(key, ObjectKey::View(_))
                    && text.contains("schemabinding")
                    && text.contains(&table.name.name.to_lowercase())
            })
            .map(|(key, _)| key.to_string())
            .collect();
        let vector_indexes = desired_scripts
            .iter()
            .filter(
                |(key, _)| matches!(key, ObjectKey::VectorIndex(t, _) if t.collision_key() == name),
            )
            .map(|(_, file)| file.contents.clone())
            .collect();
        let changing_references = referencing
            .iter()
            .filter(|(other, fk)| {
                let before = live.table(other);
                let after = desired
                    .tables
                    .iter()
                    .find(|t| t.name.collision_key() == other.collision_key());
                fk.columns.iter().any(|c| {
                    let type_of =
                        |t: Option<&TableDef>| t.and_then(|t| t.column(c)).map(|c| c.value.sql);
                    type_of(before) != type_of(after)
                })
            })
            .map(|(other, fk)| (other.clone(), fk.name.clone()))
            .collect();
        RebuildContext {
            referencing,
            policy_covers,
            bound_views,
            vector_indexes,
            changing_references,
        }
    }
}

/// Why this table cannot be rebuilt by copy, if it cannot.
fn cannot_copy(live: &TableDef, desired: &TableDef, context: &RebuildContext) -> Option<String> {
    if live.memory_optimized.is_some() || desired.memory_optimized.is_some() {
        return Some("a memory-optimized table is rebuilt only outside a transaction".into());
    }
    if !matches!(live.graph, crate::model::GraphKind::None)
        || !matches!(desired.graph, crate::model::GraphKind::None)
    {
        return Some("a graph table's node and edge ids cannot be copied".into());
    }
    if live.temporal.is_some() || desired.temporal.is_some() {
        // Versioned alike (the versioning planner ran first): rebuilt when
        // the history table needs no change, its columns being the table's.
        let shape = |t: &TableDef| {
            let mut columns: Vec<(String, String, bool)> = t
                .columns
                .iter()
                .map(|c| {
                    (
                        c.sql_name.to_lowercase(),
                        c.value.sql.to_string(),
                        c.value.nullable,
                    )
                })
                .collect();
            columns.sort();
            columns
        };
        if live.temporal.is_none() || desired.temporal.is_none() || shape(live) != shape(desired) {
            return Some(
                "a system-versioned table is rebuilt only when its history table needs no change (the same columns, types and nullability)"
                    .into(),
            );
        }
    }
    if !context.bound_views.is_empty() {
        return Some(format!(
            "schema-bound views name it ({}): drop them first, or change the source so the table is not rebuilt",
            context.bound_views.join(", ")
        ));
    }
    None
}

/// Plans the rebuild of `live` into `desired`, or blocks it.
pub(super) fn plan_rebuild(
    live: &TableDef,
    desired: &TableDef,
    surroundings: &Surroundings<'_>,
    allow: &Allowances,
    plan: &mut Plan,
    table: &Table,
    reason: &str,
) {
    let context = &surroundings.context(live);
    let summary = format!("rebuild {}", table.sql);
    if let Some(why) = cannot_copy(live, desired, context) {
        table.not_planned(
            plan,
            summary,
            &format!("{reason}; it is not rebuilt by copy: {why}"),
        );
        return;
    }
    let rebuild = ChangeId {
        target: table.target.clone(),
        risk: Risk::Rebuild,
    };
    // What the copy loses or may fail on, each allowed by its own name.
    let mut risks: Vec<(ChangeId, String)> = Vec::new();
    for before in live.columns.iter().filter(|c| c.computed.is_none()) {
        let Some(after) = desired.column(&before.sql_name) else {
            risks.push((
                table.column_change(&before.sql_name, Risk::Drop),
                format!("drop column {}", identifier(&before.sql_name)),
            ));
            continue;
        };
        if after.computed.is_some() {
            continue;
        }
        let risk = match classify(before.value.sql, after.value.sql) {
            TypeChange::Narrowing => Some(Risk::Narrow),
            TypeChange::Conversion => Some(Risk::Convert),
            TypeChange::VectorDimension => Some(Risk::VectorDimension),
            _ => None,
        };
        if let Some(risk) = risk {
            risks.push((
                table.column_change(&after.sql_name, risk),
                format!(
                    "column {} {} → {}",
                    identifier(&after.sql_name),
                    before.value.sql,
                    after.value.sql
                ),
            ));
        }
        if before.value.nullable && !after.value.nullable {
            risks.push((
                table.column_change(&after.sql_name, Risk::NotNull),
                format!("column {} NULL → NOT NULL", identifier(&after.sql_name)),
            ));
        }
    }
    for after in &desired.columns {
        if live.column(&after.sql_name).is_none()
            && !after.value.nullable
            && after.default.is_none()
            && after.identity.is_none()
            && after.computed.is_none()
        {
            risks.push((
                table.column_change(&after.sql_name, Risk::Required),
                format!(
                    "column {} added NOT NULL without a default",
                    identifier(&after.sql_name)
                ),
            ));
        }
    }
    let mut blocked = false;
    for (change, what) in risks.iter().chain(std::iter::once(&(
        rebuild.clone(),
        format!("{summary}: {reason}"),
    ))) {
        if !allow.allows(change) {
            blocked = true;
            plan.blocked.push(Blocked {
                object: table.object.clone(),
                change: change.clone(),
                summary: what.clone(),
                reason: if change.risk == Risk::Rebuild {
                    "rebuilding copies every row into a new table, holding the table for the copy".into()
                } else {
                    "the rows are copied into the rebuilt table, and this loses or may fail on values".into()
                },
            });
        }
    }
    if blocked {
        return;
    }

    let name = &table.sql;
    let temporary = QualifiedName {
        schema: desired.name.schema.clone(),
        name: format!("{}__rebuild", desired.name.name),
    };
    let temporary_sql = qualified(&temporary.schema, &temporary.name);
    let mut batches = Vec::new();
    // Versioning off for the copy; the history table stays as it is.
    if live.temporal.is_some() {
        batches.push(format!("ALTER TABLE {name} SET (SYSTEM_VERSIONING = OFF);"));
    }
    for (other, fk) in &context.referencing {
        batches.push(format!(
            "ALTER TABLE {} DROP CONSTRAINT {};",
            qualified(&other.schema, &other.name),
            identifier(&fk.name)
        ));
    }
    if context.policy_covers {
        batches.push(format!(
            "DROP SECURITY POLICY IF EXISTS {};",
            qualified(crate::model::SECURITY_SCHEMA, crate::emit::TENANT_POLICY)
        ));
    }
    let own_constraints = live
        .foreign_keys
        .iter()
        .map(|f| &f.name)
        .chain(live.checks.iter().map(|c| &c.name))
        .chain(live.uniques.iter().map(|u| &u.name))
        .chain(live.primary_key.iter().map(|k| &k.name))
        .chain(
            live.columns
                .iter()
                .filter_map(|c| c.default.as_ref().map(|d| &d.name)),
        );
    for constraint in own_constraints {
        batches.push(format!(
            "ALTER TABLE {name} DROP CONSTRAINT {};",
            identifier(constraint)
        ));
    }
    // The new table under its temporary name; foreign keys to itself wait
    // for its real name.
    let is_self =
        |fk: &ForeignKeyDef| fk.references.collision_key() == desired.name.collision_key();
    // A versioned table's period columns are ordinary ones for the copy
    // (their values are copied); the period is added after.
    let new_table = TableDef {
        name: temporary.clone(),
        foreign_keys: desired
            .foreign_keys
            .iter()
            .filter(|f| !is_self(f))
            .cloned()
            .collect(),
        vector_indexes: Vec::new(),
        temporal: None,
        ..desired.clone()
    };
    match crate::emit::table_script(&new_table) {
        Ok(script) => batches.push(definition(&script)),
        Err(e) => {
            table.not_planned(
                plan,
                summary,
                &format!("internal error rendering the table: {e}"),
            );
            return;
        }
    }
    // Every stored column of the new table the old one has; a column that
    // was computed is copied with the values it computed.
    let copied: Vec<String> = desired
        .columns
        .iter()
        .filter(|c| c.computed.is_none() && live.column(&c.sql_name).is_some())
        .map(|c| identifier(&c.sql_name))
        .collect();
    let identity = desired
        .columns
        .iter()
        .any(|c| c.identity.is_some() && live.column(&c.sql_name).is_some());
    if !copied.is_empty() {
        let list = copied.join(", ");
        let insert = format!("INSERT INTO {temporary_sql} ({list})\nSELECT {list} FROM {name};");
        batches.push(if identity {
            format!(
                "SET IDENTITY_INSERT {temporary_sql} ON;\n{insert}\nSET IDENTITY_INSERT {temporary_sql} OFF;"
            )
        } else {
            insert
        });
    }
    batches.push(format!("DROP TABLE {name};"));
    batches.push(format!(
        "EXEC sp_rename {}, {};",
        string_literal(&temporary_sql),
        string_literal(&desired.name.name)
    ));
    if let Some(temporal) = &desired.temporal {
        batches.push(format!(
            "ALTER TABLE {name} ADD PERIOD FOR SYSTEM_TIME ({}, {});",
            identifier(&temporal.start),
            identifier(&temporal.end)
        ));
        if temporal.hidden {
            for column in [&temporal.start, &temporal.end] {
                batches.push(format!(
                    "ALTER TABLE {name} ALTER COLUMN {} ADD HIDDEN;",
                    identifier(column)
                ));
            }
        }
        batches.push(super::versioning_on(name, temporal, true));
    }
    for fk in desired.foreign_keys.iter().filter(|f| is_self(f)) {
        batches.push(format!(
            "ALTER TABLE {name} ADD {};",
            foreign_key_clause(fk)
        ));
    }
    for (other, fk) in context
        .referencing
        .iter()
        .filter(|(other, fk)| !context.changes(other, &fk.name))
    {
        batches.push(format!(
            "ALTER TABLE {} ADD {};",
            qualified(&other.schema, &other.name),
            foreign_key_clause(fk)
        ));
    }
    batches.extend(context.vector_indexes.iter().map(|index| definition(index)));
    let mut allowed: Vec<ChangeId> = risks.into_iter().map(|(c, _)| c).collect();
    allowed.push(rebuild);
    plan.steps.push(Step {
        object: table.object.clone(),
        action: Action::Alter,
        summary: format!(
            "{summary} by copy ({reason}){}",
            if copied.is_empty() {
                String::new()
            } else {
                format!(
                    ": {} column{} copied",
                    copied.len(),
                    if copied.len() == 1 { "" } else { "s" }
                )
            }
        ),
        batches,
        allowed,
    });
    plan.recreated.push(desired.name.clone());
    // Their tables' steps add them again, after their columns change.
    plan.taken_down
        .extend(context.changing_references.iter().cloned());
}
