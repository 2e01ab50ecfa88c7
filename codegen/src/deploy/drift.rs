//! Drift: what in the database changed outside codegen since its last
//! deployment. The deployment history says which source was deployed (its
//! hash); when the source is still that one, every difference the planner
//! finds was made by hand. When the source changed since, differences mix
//! undeployed changes with drift, and the report says so rather than guess.

use super::catalog::DeploymentRow;
use super::{Live, Plan, plan_changes};
use crate::deploy::Allowances;
use crate::emit::EmitOptions;
use crate::model::Model;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No deployment recorded: codegen has not deployed this database.
    NoDeployment,
    /// The deployed source is the current one and the database matches it.
    Clean,
    /// The deployed source is the current one, and the database differs.
    Drifted,
    /// The source changed since the last deployment.
    SourceChanged,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    pub verdict: Verdict,
    pub last_deployment: Option<DeploymentRow>,
    pub source_hash: String,
    /// Each difference: the object and what deploying would do about it.
    pub differences: Vec<String>,
}

pub fn detect_drift(
    live: &Live,
    last: Option<&DeploymentRow>,
    desired: &Model,
    options: &EmitOptions,
) -> Result<DriftReport, minijinja::Error> {
    let plan = plan_changes(live, desired, &Allowances::none(), options)?;
    let differences = differences(&plan);
    let verdict = match last {
        None => Verdict::NoDeployment,
        Some(last) if last.source_hash != plan.source_hash => Verdict::SourceChanged,
        Some(_) if differences.is_empty() => Verdict::Clean,
        Some(_) => Verdict::Drifted,
    };
    Ok(DriftReport {
        verdict,
        last_deployment: last.cloned(),
        source_hash: plan.source_hash,
        differences,
    })
}

fn differences(plan: &Plan) -> Vec<String> {
    plan.all_steps()
        .map(|s| format!("{}: {}", s.object, s.summary))
        .chain(
            plan.blocked
                .iter()
                .map(|b| format!("{}: {}", b.object, b.summary)),
        )
        .chain(
            plan.extra
                .iter()
                .map(|k| format!("{k}: in the database, not in the source")),
        )
        .collect()
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.verdict, &self.last_deployment) {
            (Verdict::NoDeployment, _) => writeln!(
                f,
                "no deployment recorded: codegen has not deployed this database, so drift cannot be told from changes not yet deployed"
            )?,
            (Verdict::Clean, Some(last)) => writeln!(
                f,
                "no drift: the database matches the source deployed at {} by {}",
                last.deployed_at, last.deployed_by
            )?,
            (Verdict::Drifted, Some(last)) => writeln!(
                f,
                "drift: {} change{} made outside codegen since the deployment at {} by {}:",
                self.differences.len(),
                if self.differences.len() == 1 { "" } else { "s" },
                last.deployed_at,
                last.deployed_by
            )?,
            (Verdict::SourceChanged, Some(last)) => writeln!(
                f,
                "the source changed since the deployment at {} (source {} then, {} now): the differences below mix changes not yet deployed with drift",
                last.deployed_at,
                short(&last.source_hash),
                short(&self.source_hash)
            )?,
            _ => {}
        }
        for d in &self.differences {
            writeln!(f, "    {d}")?;
        }
        Ok(())
    }
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}
