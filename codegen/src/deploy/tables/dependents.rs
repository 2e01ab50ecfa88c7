//! What stands on a table's columns: constraints and indexes, compared in
//! canonical form, dropped and created around changes, renamed when only
//! their name differs; and a column renamed everywhere it is named.

use super::super::canonical::canonical;
use super::Table;
use super::columns::same_collation;
use crate::deploy::Plan;
use crate::emit::table::{column_list, foreign_key_clause, key_clause};
use crate::model::expression::quoted_column_names;
use crate::model::{IndexDef, IndexStorage, KeyDef, SqlType, TableDef};
use crate::quote_sql::{identifier, qualified, string_literal};

/// A constraint or index: its name, its definition (its `ADD` clause, or
/// its `CREATE INDEX` with `{table}` for the table's name; also what is
/// compared) and the columns it uses.
#[derive(Clone)]
pub(super) struct Dependent {
    pub(super) name: String,
    pub(super) definition: String,
    /// The definition in the form compared (see `canonical`).
    pub(super) compare: String,
    pub(super) columns: Vec<String>,
    /// A primary key or foreign key: other tables may depend on it.
    pub(super) key: bool,
}

impl Dependent {
    pub(super) fn uses(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c.eq_ignore_ascii_case(column))
    }
}

/// A dependent with its compared form filled in.
fn dependent(name: &str, definition: String, columns: Vec<String>, key: bool) -> Dependent {
    Dependent {
        name: name.to_string(),
        compare: canonical(&definition),
        definition,
        columns,
        key,
    }
}

/// SQL Server rounds a hash index's bucket count up to a power of two and
/// keeps that: the rounded count is the one compared.
fn buckets(declared: u64) -> u64 {
    declared.checked_next_power_of_two().unwrap_or(declared)
}

/// A key, compared with its bucket count as SQL Server keeps it.
fn key_dependent(key: &KeyDef, kind: &str, foreign_target: bool) -> Dependent {
    let stored = KeyDef {
        hash_buckets: key.hash_buckets.map(buckets),
        ..key.clone()
    };
    Dependent {
        compare: canonical(&key_clause(&stored, kind)),
        ..dependent(
            &key.name,
            key_clause(key, kind),
            key.columns.clone(),
            foreign_target,
        )
    }
}

pub(super) fn constraints(table: &TableDef) -> Vec<Dependent> {
    let mut all = Vec::new();
    if let Some(pk) = &table.primary_key {
        all.push(key_dependent(pk, "PRIMARY KEY", true));
    }
    for unique in &table.uniques {
        all.push(key_dependent(unique, "UNIQUE", false));
    }
    for fk in &table.foreign_keys {
        all.push(dependent(
            &fk.name,
            foreign_key_clause(fk),
            fk.columns.clone(),
            true,
        ));
    }
    for check in &table.checks {
        let clause = |expression: &str| {
            format!(
                "CONSTRAINT {} CHECK ({expression})",
                identifier(&check.name)
            )
        };
        all.push(Dependent {
            compare: canonical(&clause(&canonical(&check.expression))),
            ..dependent(
                &check.name,
                clause(&check.expression),
                quoted_column_names(&check.expression),
                false,
            )
        });
    }
    all
}

pub(super) fn indexes(table: &TableDef) -> Vec<Dependent> {
    let spatial = table.spatial_indexes.iter().map(|i| {
        let grid = match table.column(&i.column).map(|c| c.value.sql) {
            Some(SqlType::Geography) => "GEOGRAPHY_AUTO_GRID",
            _ => "GEOMETRY_AUTO_GRID",
        };
        let bounding_box = i
            .bounding_box
            .map(|b| {
                let corners: Vec<String> = b.iter().map(f64::to_string).collect();
                format!(" WITH (BOUNDING_BOX = ({}))", corners.join(", "))
            })
            .unwrap_or_default();
        dependent(
            &i.name,
            format!(
                "CREATE SPATIAL INDEX {} ON {{table}} ({}) USING {grid}{bounding_box};",
                identifier(&i.name),
                identifier(&i.column)
            ),
            vec![i.column.clone()],
            false,
        )
    });
    let memory_optimized = table.memory_optimized.is_some();
    table
        .indexes
        .iter()
        .map(|i| {
            let create = |index: &IndexDef| {
                if memory_optimized {
                    memory_optimized_index(index)
                } else {
                    create_index(index)
                }
            };
            let canonical_filter = IndexDef {
                filter: i.filter.as_deref().map(canonical),
                storage: match i.storage {
                    IndexStorage::Hash { bucket_count } => IndexStorage::Hash {
                        bucket_count: buckets(bucket_count),
                    },
                    other => other,
                },
                ..i.clone()
            };
            Dependent {
                compare: canonical(&create(&canonical_filter)),
                ..dependent(
                    &i.name,
                    create(i),
                    i.keys
                        .iter()
                        .map(|k| k.column.clone())
                        .chain(i.include.iter().cloned())
                        .chain(i.filter.iter().flat_map(|f| quoted_column_names(f)))
                        .collect(),
                    false,
                )
            }
        })
        .chain(spatial)
        .collect()
}

/// An index's key columns, `[A], [B] DESC`.
fn key_list(index: &IndexDef) -> String {
    index
        .keys
        .iter()
        .map(|k| {
            format!(
                "{}{}",
                identifier(&k.column),
                if k.descending { " DESC" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ALTER TABLE .. ADD INDEX`: how a memory-optimized table gains an index.
fn memory_optimized_index(index: &IndexDef) -> String {
    let keys = key_list(index);
    let name = identifier(&index.name);
    match index.storage {
        IndexStorage::Hash { bucket_count } => format!(
            "ALTER TABLE {{table}} ADD INDEX {name} HASH ({keys}) WITH (BUCKET_COUNT = {bucket_count});"
        ),
        IndexStorage::Columnstore => {
            format!("ALTER TABLE {{table}} ADD INDEX {name} CLUSTERED COLUMNSTORE;")
        }
        IndexStorage::Rowstore => format!(
            "ALTER TABLE {{table}} ADD INDEX {name}{} NONCLUSTERED ({keys});",
            if index.unique { " UNIQUE" } else { "" }
        ),
    }
}

fn create_index(index: &IndexDef) -> String {
    let keys = key_list(index);
    let name = identifier(&index.name);
    match index.storage {
        IndexStorage::Columnstore => {
            format!("CREATE CLUSTERED COLUMNSTORE INDEX {name} ON {{table}};")
        }
        // Memory-optimized tables only: never run in place (see
        // `plan_table`), but compared with their bucket count.
        IndexStorage::Hash { bucket_count } => {
            format!(
                "ALTER TABLE {{table}} ADD INDEX {name} HASH ({keys}) WITH (BUCKET_COUNT = {bucket_count});"
            )
        }
        _ => {
            let mut text = format!(
                "CREATE {}{} INDEX {name} ON {{table}} ({keys})",
                if index.unique { "UNIQUE " } else { "" },
                if index.clustered {
                    "CLUSTERED"
                } else {
                    "NONCLUSTERED"
                },
            );
            if !index.include.is_empty() {
                text += &format!(" INCLUDE ({})", column_list(&index.include));
            }
            if let Some(filter) = &index.filter {
                text += &format!(" WHERE {filter}");
            }
            text + ";"
        }
    }
}

/// Entries of `live` to drop and of `desired` to add: gone, new or
/// changed (by name, compared case-blind), and those in both that use a
/// column being altered (SQL Server refuses `ALTER COLUMN` under them).
pub(super) fn keyed_changes(
    live: &[Dependent],
    desired: &[Dependent],
    altered: &[String],
) -> (Vec<Dependent>, Vec<Dependent>) {
    let find = |list: &[Dependent], name: &str| {
        list.iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.compare.clone())
    };
    let around = |d: &Dependent| altered.iter().any(|c| d.uses(c));
    let drop = live
        .iter()
        .filter(|d| find(desired, &d.name).as_ref() != Some(&d.compare) || around(d))
        .cloned()
        .collect();
    let add = desired
        .iter()
        .filter(|d| find(live, &d.name).as_ref() != Some(&d.compare) || around(d))
        .cloned()
        .collect();
    (drop, add)
}

/// Columns whose type, nullability or collation changes (`ALTER COLUMN`).
pub(super) fn altered_columns(live: &TableDef, desired: &TableDef) -> Vec<String> {
    desired
        .columns
        .iter()
        .filter(|after| {
            live.column(&after.sql_name).is_some_and(|before| {
                before.computed.is_none()
                    && (before.value.sql != after.value.sql
                        || before.value.nullable != after.value.nullable
                        || !same_collation(before, after))
            })
        })
        .map(|c| c.sql_name.clone())
        .collect()
}

/// The live table with a column renamed everywhere it is named: the column,
/// keys, indexes, and expressions that quote it.
pub(super) fn rename_column(table: &mut TableDef, old: &str, new: &str) {
    let rename = |name: &mut String| {
        if name.eq_ignore_ascii_case(old) {
            *name = new.to_string();
        }
    };
    let quoted_old = identifier(old).to_lowercase();
    let requote = |text: &mut String| {
        // Case-blind replacement of `[old]`, as SQL Server compares names.
        let lower = text.to_lowercase();
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        for (at, _) in lower.match_indices(&quoted_old) {
            out.push_str(&text[rest..at]);
            out.push_str(&identifier(new));
            rest = at + quoted_old.len();
        }
        out.push_str(&text[rest..]);
        *text = out;
    };
    for c in &mut table.columns {
        rename(&mut c.sql_name);
        if let Some(computed) = &mut c.computed {
            requote(&mut computed.expression);
        }
    }
    for key in table.primary_key.iter_mut().chain(table.uniques.iter_mut()) {
        key.columns.iter_mut().for_each(rename);
    }
    for fk in &mut table.foreign_keys {
        fk.columns.iter_mut().for_each(rename);
    }
    for check in &mut table.checks {
        requote(&mut check.expression);
    }
    for index in &mut table.indexes {
        index.keys.iter_mut().for_each(|k| rename(&mut k.column));
        index.include.iter_mut().for_each(rename);
        if let Some(filter) = &mut index.filter {
            requote(filter);
        }
    }
    if let Some(t) = &mut table.temporal {
        rename(&mut t.start);
        rename(&mut t.end);
    }
}

impl Table {
    /// Pairs of a dependent that goes and one that comes with the same
    /// definition under another name (after a table rename, `PK_Old` and
    /// `PK_New`): renamed with `sp_rename` instead of dropped and created.
    /// Returns the rest.
    pub(super) fn renamed(
        &self,
        plan: &mut Plan,
        mut drop: Vec<Dependent>,
        mut add: Vec<Dependent>,
        index: bool,
    ) -> (Vec<Dependent>, Vec<Dependent>) {
        let anonymous = |d: &Dependent| {
            d.compare
                .replacen(&format!("[{}]", d.name.to_lowercase()), "[]", 1)
        };
        let mut i = 0;
        while i < drop.len() {
            let found = add.iter().position(|a| {
                !a.name.eq_ignore_ascii_case(&drop[i].name) && anonymous(a) == anonymous(&drop[i])
            });
            match found {
                Some(j) => {
                    let (old, new) = (drop.remove(i), add.remove(j));
                    let (path, kind) = if index {
                        (format!("{}.{}", self.sql, identifier(&old.name)), "INDEX")
                    } else {
                        (qualified(&self.schema, &old.name), "OBJECT")
                    };
                    self.rename(plan, &path, kind, &old.name, &new.name);
                }
                None => i += 1,
            }
        }
        (drop, add)
    }

    /// `sp_rename` of an object, index or column (`kind`) at `path` (its
    /// quoted name) to `new`.
    pub(super) fn rename(&self, plan: &mut Plan, path: &str, kind: &str, old: &str, new: &str) {
        self.safe(
            plan,
            format!("rename {} to {}", identifier(old), identifier(new)),
            vec![format!(
                "EXEC sp_rename {}, {}, {};",
                string_literal(path),
                string_literal(new),
                string_literal(kind)
            )],
        );
    }
}
