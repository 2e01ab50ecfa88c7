//! The CLR assembly in a deployment. Given the built assembly's bits, the
//! plan creates it when the database lacks it, and when the database holds
//! other bits replaces them in place with `ALTER ASSEMBLY`, which keeps
//! every routine bound to it (and their permissions and the computed
//! columns using them). SQL Server refuses that when a bound method's
//! signature changes or goes away, so the modules whose signature changes
//! are dropped first and created again after it, and the database's CLR
//! modules the source no longer has are dropped too, which is a drop to
//! allow. The new SHA2_512 is added to `sys.trusted_assemblies` first; the
//! old one stays, since trust is server-wide and another database on the
//! server may hold the same bits.

use super::{
    Action, Allowances, Blocked, ChangeId, Live, Plan, Risk, Step, same_name, script::definition,
};
use crate::emit::{EmitOptions, GeneratedFile, binary_literal};
use crate::model::{Model, ObjectKey, QualifiedName};
use crate::quote_sql::{identifier, qualified, string_literal};
use sha2::{Digest, Sha512};
use std::collections::BTreeSet;

/// What the assembly step drops before replacing the bits.
#[derive(Debug, Default)]
pub(super) struct AssemblyPlan {
    pub step: Option<Step>,
    /// Modules dropped by the step whose own steps create them again.
    pub recreated: Vec<QualifiedName>,
    /// Database modules the source lacks, dropped by the step (allowed),
    /// by [`same_name`].
    pub dropped_extra: BTreeSet<String>,
}

impl AssemblyPlan {
    /// Whether the step drops this module for its own step to create again.
    pub fn recreates(&self, key: &ObjectKey) -> bool {
        module_name(key).is_some_and(|name| {
            self.recreated
                .iter()
                .any(|n| n.collision_key() == name.collision_key())
        })
    }
}

/// The SHA2_512 of an assembly's bits as the catalog reader gives it:
/// uppercase hex.
pub fn assembly_sha2_512(bits: &[u8]) -> String {
    binary_literal(&Sha512::digest(bits))[2..].to_string()
}

/// The CLR modules the model binds to the assembly.
pub(super) fn desired_modules(desired: &Model) -> Vec<ObjectKey> {
    let rank = |r: &crate::model::Routine| match r.kind {
        crate::model::RoutineKind::ScalarFunction { .. } => 1,
        crate::model::RoutineKind::TableFunction { .. } => 2,
        crate::model::RoutineKind::Procedure { .. } => 3,
    };
    desired
        .routines
        .iter()
        .filter(|r| r.is_native())
        .map(|r| ObjectKey::Routine(rank(r), r.name.clone()))
        .chain(
            desired
                .aggregates
                .iter()
                .map(|a| ObjectKey::Aggregate(a.name.clone())),
        )
        .collect()
}

/// The `DROP` for a CLR module.
fn drop_statement(key: &ObjectKey) -> Option<(u8, String)> {
    let (order, kind, name) = match key {
        ObjectKey::Routine(3, n) => (0, "PROCEDURE", n),
        ObjectKey::Aggregate(n) => (1, "AGGREGATE", n),
        ObjectKey::Routine(_, n) => (2, "FUNCTION", n),
        _ => return None,
    };
    Some((
        order,
        format!("DROP {kind} {};", qualified(&name.schema, &name.name)),
    ))
}

fn target(name: &QualifiedName) -> String {
    format!("{}.{}", name.schema, name.name)
}

fn module_name(key: &ObjectKey) -> Option<&QualifiedName> {
    match key {
        ObjectKey::Routine(_, n) | ObjectKey::Aggregate(n) => Some(n),
        _ => None,
    }
}

pub(super) fn plan_assembly(
    live: &Live,
    desired: &Model,
    desired_scripts: &[(ObjectKey, GeneratedFile)],
    bits: Option<&[u8]>,
    allow: &Allowances,
    options: &EmitOptions,
    plan: &mut Plan,
) -> AssemblyPlan {
    let mut out = AssemblyPlan::default();
    let wanted = desired_modules(desired);
    let name = &options.assembly;
    let key = ObjectKey::Assembly(name.clone());
    let deployed = live
        .assemblies
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name));
    let Some(bits) = bits else {
        let missing_modules = wanted.iter().any(|k| live.definition(k).is_none());
        if deployed.is_none() && missing_modules {
            plan.blocked.push(Blocked {
                object: key,
                change: ChangeId {
                    target: name.clone(),
                    risk: Risk::Unplanned,
                },
                summary: "not in the database".into(),
                reason: "the plan creates CLR routines bound to it: build generated/csharp and give the assembly with --assembly-file".into(),
            });
        }
        return out;
    };
    let hash = assembly_sha2_512(bits);
    let hash_literal = format!("0x{hash}");
    if deployed.is_some_and(|a| a.sha2_512.eq_ignore_ascii_case(&hash)) {
        return out;
    }

    let mut drops: Vec<(u8, String)> = Vec::new();
    let mut allowed = Vec::new();
    if deployed.is_some() {
        let desired_text = |k: &ObjectKey| {
            desired_scripts
                .iter()
                .find(|(d, _)| same_name(d) == same_name(k))
                .map(|(_, f)| definition(&f.contents))
        };
        for (bound, assembly) in &live.clr_modules {
            if !assembly.eq_ignore_ascii_case(name) {
                continue;
            }
            let Some(module) = module_name(bound) else {
                continue;
            };
            match desired_text(bound) {
                // The same signature: ALTER ASSEMBLY keeps it bound.
                Some(text)
                    if live
                        .definition(bound)
                        .is_some_and(|before| definition(before) == text) => {}
                Some(_) => {
                    out.recreated.push(module.clone());
                    drops.extend(drop_statement(bound));
                }
                None => {
                    let change = ChangeId {
                        target: target(module),
                        risk: Risk::Drop,
                    };
                    if allow.allows(&change) {
                        out.dropped_extra.insert(same_name(bound));
                        drops.extend(drop_statement(bound));
                        allowed.push(change);
                    } else {
                        plan.blocked.push(Blocked {
                            object: bound.clone(),
                            change,
                            summary: "bound to the assembly, not in the source".into(),
                            reason: format!(
                                "the new {name} has no method for it, so it must be dropped before the assembly is replaced"
                            ),
                        });
                    }
                }
            }
        }
    }
    drops.sort();

    let mut batches = vec![format!(
        "IF NOT EXISTS (SELECT 1 FROM sys.trusted_assemblies WHERE [hash] = {hash_literal})\n    EXEC sys.sp_add_trusted_assembly @hash = {hash_literal}, @description = {};",
        string_literal(&format!("{name} (deployed by codegen)"))
    )];
    batches.extend(drops.into_iter().map(|(_, d)| d));
    let summary = match deployed {
        Some(before) => {
            batches.push(format!(
                "ALTER ASSEMBLY {} FROM {} WITH PERMISSION_SET = UNSAFE;",
                identifier(name),
                binary_literal(bits)
            ));
            let changed = out.recreated.len() + out.dropped_extra.len();
            format!(
                "new bits ({} bytes, SHA2_512 {}…, was {}…), replaced in place{}",
                bits.len(),
                &hash_literal[2..18],
                before.sha2_512.get(..16).unwrap_or(&before.sha2_512),
                if changed == 0 {
                    String::new()
                } else {
                    format!(
                        " after dropping {changed} module{} whose method changed or went away",
                        if changed == 1 { "" } else { "s" }
                    )
                }
            )
        }
        None => {
            batches.push(format!(
                "CREATE ASSEMBLY {} AUTHORIZATION [dbo] FROM {} WITH PERMISSION_SET = UNSAFE;",
                identifier(name),
                binary_literal(bits)
            ));
            format!(
                "new ({} bytes, SHA2_512 {}…), trusted by its hash",
                bits.len(),
                &hash_literal[2..18]
            )
        }
    };
    out.step = Some(Step {
        object: key,
        action: if deployed.is_some() {
            Action::Alter
        } else {
            Action::Create
        },
        summary,
        batches,
        allowed,
    });
    out
}
