//! Objects other than tables, compared by definition; and the plan as one
//! T-SQL script.

use super::{Action, Blocked, ChangeId, Plan, Risk, Step};
use crate::model::ObjectKey;
use crate::quote_sql::{comment_text, identifier, qualified};
use minijinja::Environment;
use serde::Serialize;

/// A generated file is one batch.
pub fn batches(contents: &str) -> Vec<String> {
    vec![contents.trim_end().to_string()]
}

/// What decides whether an object changed: its text without the `--`
/// comment lines (which name source files and lines) and trailing spaces.
pub fn definition(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An object whose definition differs: altered where its script is
/// `CREATE OR ALTER`, indexes dropped and created, the rest blocked.
pub fn plan_changed(key: &ObjectKey, contents: &str, plan: &mut Plan) {
    let step = |batches: Vec<String>, summary: String| Step {
        object: key.clone(),
        action: Action::Alter,
        summary,
        batches,
        allowed: Vec::new(),
    };
    match key {
        ObjectKey::Routine(..) | ObjectKey::View(_) | ObjectKey::Companion(_) => plan
            .steps
            .push(step(batches(contents), "definition changed: CREATE OR ALTER".into())),
        // CREATE AGGREGATE has no OR ALTER: its script drops and creates it.
        ObjectKey::Aggregate(_) => plan.steps.push(step(
            batches(contents),
            "definition changed: dropped and created".into(),
        )),
        // The schema-bound policy forbids altering its predicate function:
        // the policy is dropped here and created again by its own step.
        ObjectKey::TenantPredicate => {
            let mut all = vec![
                format!(
                    "DROP SECURITY POLICY IF EXISTS {};",
                    qualified(crate::model::SECURITY_SCHEMA, crate::emit::TENANT_POLICY)
                ),
                format!(
                    "DROP FUNCTION {};",
                    qualified(crate::model::SECURITY_SCHEMA, crate::emit::TENANT_PREDICATE)
                ),
            ];
            all.extend(batches(contents));
            plan.steps.push(step(
                all,
                "definition changed: the policy dropped, the function dropped and created".into(),
            ));
        }
        ObjectKey::VectorIndex(table, name) | ObjectKey::ViewIndex(table, name) => {
            let mut all = vec![format!(
                "DROP INDEX {} ON {};",
                identifier(name),
                qualified(&table.schema, &table.name)
            )];
            all.extend(batches(contents));
            plan.steps
                .push(step(all, "definition changed: dropped and created".into()));
        }
        other => plan.blocked.push(Blocked {
            object: other.clone(),
            change: ChangeId {
                target: target_of(other),
                risk: Risk::Unplanned,
            },
            summary: "definition changed".into(),
            reason: "changing this kind of object in place is not planned yet: drop it by hand, or keep its definition"
                .into(),
        }),
    }
}

fn target_of(key: &ObjectKey) -> String {
    match key {
        ObjectKey::Sequence(n) | ObjectKey::Queue(n) | ObjectKey::Table(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
struct StepView {
    number: usize,
    action: &'static str,
    object: String,
    summary: String,
    /// The allowed changes, `a:narrow, b:drop`.
    allowed: Option<String>,
    batches: Vec<String>,
}

#[derive(Serialize)]
struct ProjectStepView {
    path: String,
    batches: Vec<String>,
}

#[derive(Serialize)]
struct BlockedView {
    object: String,
    summary: String,
    reason: String,
    /// `None` where allowing would not plan it.
    change: Option<String>,
}

/// The statement that records a failed deployment after its rollback, in
/// the history table if an earlier deployment made it (a first deployment
/// that fails leaves nothing, the table included).
pub fn failure_record(plan: &Plan) -> String {
    let history = qualified(super::HISTORY_SCHEMA, "DeploymentHistory");
    format!(
        "IF OBJECT_ID({}, N'U') IS NOT NULL\n    INSERT INTO {history} ([SourceHash], [PlanHash], [Steps], [Blocked], [Outcome])\n    VALUES ({}, {}, {}, {}, N'failed');",
        crate::quote_sql::string_literal(&history),
        crate::quote_sql::string_literal(&plan.source_hash),
        crate::quote_sql::string_literal(&plan.plan_hash()),
        plan.outside.len() + plan.steps.len(),
        plan.blocked.len(),
    )
}

/// The plan as one script: every step's batches in order inside one
/// transaction (`XACT_ABORT ON`), each followed by a check that stops the
/// rest once a failure rolled the transaction back; blocked changes listed
/// at the top as comments.
pub fn render_script(plan: &Plan) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.add_template("script.sql", include_str!("templates/script.sql.j2"))?;
    let view = |steps: &[Step]| -> Vec<StepView> {
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepView {
                number: i + 1,
                action: s.action.as_str(),
                object: comment_text(&s.object.to_string()),
                summary: comment_text(&s.summary),
                allowed: (!s.allowed.is_empty()).then(|| {
                    let all: Vec<String> = s.allowed.iter().map(ToString::to_string).collect();
                    comment_text(&all.join(", "))
                }),
                batches: s.batches.clone(),
            })
            .collect()
    };
    let steps = view(&plan.steps);
    let outside = view(&plan.outside);
    let blocked: Vec<BlockedView> = plan
        .blocked
        .iter()
        .map(|b| BlockedView {
            object: comment_text(&b.object.to_string()),
            summary: comment_text(&b.summary),
            reason: comment_text(&b.reason),
            change: b
                .can_be_allowed()
                .then(|| comment_text(&b.change.to_string())),
        })
        .collect();
    let history = qualified(super::HISTORY_SCHEMA, "DeploymentHistory");
    let project = |steps: &[super::DeploymentStep]| -> Vec<ProjectStepView> {
        steps
            .iter()
            .map(|s| ProjectStepView {
                path: comment_text(&s.path),
                batches: s.batches.clone(),
            })
            .collect()
    };
    let text = env
        .get_template("script.sql")?
        .render(minijinja::context! {
            pre => project(&plan.pre),
            data => project(&plan.data),
            post => project(&plan.post),
            outside,
            steps,
            blocked,
            history_schema => identifier(super::HISTORY_SCHEMA),
            history_schema_literal => crate::quote_sql::string_literal(super::HISTORY_SCHEMA),
            history_literal => crate::quote_sql::string_literal(&history),
            history,
            source_hash => plan.source_hash.clone(),
            plan_hash => plan.plan_hash(),
            blocked_count => plan.blocked.len(),
        })?;
    Ok(text.trim_end().to_string() + "\n")
}
