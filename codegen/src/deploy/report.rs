//! What a plan does, counted: objects created, altered and dropped by kind,
//! the changes blocked (with how to allow each), the objects the database
//! has beyond the source, and how long planning took; as text for people
//! and JSON for tools.

use super::Plan;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Objects by action (`create`, `alter`, `drop`), then by kind.
    pub objects: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    pub steps: usize,
    /// Of `steps`, those run outside the transaction.
    pub outside: usize,
    pub blocked: Vec<BlockedChange>,
    pub extra: Vec<String>,
    pub duration_ms: u128,
    /// What the deployment history records: SHA-256 of the source's scripts
    /// and of the planned batches.
    pub source_hash: String,
    pub plan_hash: String,
    /// Pre- and post-deployment step files, run on every deployment.
    pub project_steps: usize,
    /// Reference data tables merged on every deployment.
    pub reference_data: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockedChange {
    pub object: String,
    pub change: String,
    pub reason: String,
    /// `schema.table[.column]:kind`, where allowing it would plan it.
    pub allow_with: Option<String>,
}

impl Report {
    pub fn new(plan: &Plan, duration: Duration) -> Self {
        let mut objects: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
        // An object altered in several steps counts once.
        let mut seen = std::collections::BTreeSet::new();
        for step in plan.all_steps() {
            if seen.insert((step.action.as_str(), step.object.to_string())) {
                *objects
                    .entry(step.action.as_str())
                    .or_default()
                    .entry(step.object.kind_name())
                    .or_default() += 1;
            }
        }
        Report {
            objects,
            steps: plan.outside.len() + plan.steps.len(),
            outside: plan.outside.len(),
            blocked: plan
                .blocked
                .iter()
                .map(|b| BlockedChange {
                    object: b.object.to_string(),
                    change: b.summary.clone(),
                    reason: b.reason.clone(),
                    allow_with: b.can_be_allowed().then(|| b.change.to_string()),
                })
                .collect(),
            extra: plan.extra.iter().map(ToString::to_string).collect(),
            duration_ms: duration.as_millis(),
            source_hash: plan.source_hash.clone(),
            plan_hash: plan.plan_hash(),
            project_steps: plan.pre.len() + plan.post.len(),
            reference_data: plan.data.len(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serializes")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.objects.is_empty() && self.blocked.is_empty() {
            let every = [
                (self.project_steps, "project step", "project steps"),
                (
                    self.reference_data,
                    "reference data table",
                    "reference data tables",
                ),
            ]
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect::<Vec<_>>();
            if every.is_empty() {
                writeln!(f, "nothing to do: the database matches the source")?;
            } else {
                writeln!(
                    f,
                    "no schema changes: the database matches the source; {} run as on every deployment",
                    every.join(" and ")
                )?;
            }
        }
        for (action, kinds) in &self.objects {
            let counted: Vec<String> = kinds
                .iter()
                .map(|(kind, n)| format!("{n} {kind}{}", if *n == 1 { "" } else { "s" }))
                .collect();
            writeln!(f, "{action}: {}", counted.join(", "))?;
        }
        for b in &self.blocked {
            write!(f, "blocked: {}: {}: {}", b.object, b.change, b.reason)?;
            match &b.allow_with {
                Some(allow) => writeln!(f, " (allow with `--allow {allow}`)")?,
                None => writeln!(f)?,
            }
        }
        for extra in &self.extra {
            writeln!(
                f,
                "extra: {extra} (in the database, not in the source; left alone, --drop-extra drops it)"
            )?;
        }
        let outside = if self.outside == 0 {
            String::new()
        } else {
            format!(" ({} outside the transaction)", self.outside)
        };
        writeln!(
            f,
            "{} step{}{outside}, {} blocked, planned in {} ms",
            self.steps,
            if self.steps == 1 { "" } else { "s" },
            self.blocked.len(),
            self.duration_ms
        )
    }
}
