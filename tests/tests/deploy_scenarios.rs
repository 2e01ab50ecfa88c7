//! Deploy scenarios: each file in `tests/deploy/scenarios/` holds a schema
//! as it is (`== current`, Rust source), as it should be (`== desired`),
//! other files of either crate (`== current src/x.sql`, `== desired
//! src/x.sql`), optional allowances (`== allow`, one per line) and the plan
//! expected
//! (`== plan`, as `Plan` prints); optionally the CLR assembly's bits in the
//! database (`== deployed assembly`) and as built (`== built assembly`), and
//! `== drop extra` to plan as `--drop-extra` does.
//! For every scenario:
//! - the plan from current to desired is the expected one;
//! - the desired schema against itself plans nothing (idempotency);
//! - the script of the plan parses with ScriptDom.
//!
//! `UPDATE_SCENARIOS=1 cargo test -p workspace-tests --test deploy_scenarios`
//! rewrites the `== plan` sections (review the diff).

use codegen::deploy::catalog::AssemblyRow;
use codegen::deploy::{Allowances, Live, plan_changes_with_assembly, render_script};
use codegen::emit::EmitOptions;
use codegen::model::Model;
use codegen::output::generate_with;
use std::path::{Path, PathBuf};
use workspace_tests::tsql_parser::{Parsed, parse_files};
use workspace_tests::workspace_root;

struct Scenario {
    title: String,
    /// `src/lib.rs` first, then any other files, of each side.
    current: Vec<(String, String)>,
    desired: Vec<(String, String)>,
    allow: Vec<String>,
    /// The assembly bits the database holds (`== deployed assembly`) and
    /// those given to the plan (`== built assembly`), as text.
    deployed_assembly: Option<String>,
    built_assembly: Option<String>,
    /// `== drop extra`: as `--drop-extra`.
    drop_extra: bool,
    plan: String,
}

fn read_scenario(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap();
    let mut title = String::new();
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            sections.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        } else {
            title.push_str(line.trim_start_matches("//").trim());
        }
    }
    let section = |name: &str| {
        sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, body)| body.clone())
    };
    let files = |side: &str| {
        let mut files = vec![("src/lib.rs".to_string(), section(side).unwrap_or_default())];
        for (name, body) in &sections {
            if let Some(file) = name.strip_prefix(side).and_then(|r| r.strip_prefix(' ')) {
                files.push((file.trim().to_string(), body.clone()));
            }
        }
        files
    };
    assert!(
        section("desired").is_some(),
        "{}: no `== desired` section",
        path.display()
    );
    Scenario {
        title,
        current: files("current"),
        desired: files("desired"),
        allow: section("allow")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        deployed_assembly: section("deployed assembly"),
        built_assembly: section("built assembly"),
        drop_extra: section("drop extra").is_some(),
        plan: section("plan").unwrap_or_default(),
    }
}

/// The model of one side's files, which must read without diagnostics.
fn model(files: &[(String, String)], scenario: &Path, which: &str) -> Model {
    let generation = generate_with(
        "src/lib.rs",
        |p| {
            files
                .iter()
                .find(|(path, _)| path == p)
                .map(|(_, text)| text.clone())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
        },
        &EmitOptions::default(),
    );
    assert!(
        generation.diagnostics.is_empty(),
        "{} ({which}): {:#?}",
        scenario.display(),
        generation.diagnostics
    );
    generation.model
}

/// The catalog's row for the assembly holding `bits`.
fn assembly_row(options: &EmitOptions, bits: &str) -> AssemblyRow {
    AssemblyRow {
        name: options.assembly.clone(),
        permission_set: "UNSAFE_ACCESS".into(),
        sha2_512: codegen::deploy::assembly_sha2_512(bits.as_bytes()),
    }
}

fn scenarios() -> Vec<PathBuf> {
    let dir = workspace_root().join("tests/deploy/scenarios");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scenario"))
        .collect();
    all.sort();
    all
}

#[test]
fn every_scenario_plans_as_expected_and_is_idempotent() {
    let update = std::env::var_os("UPDATE_SCENARIOS").is_some();
    let options = EmitOptions::default();
    let mut failures = Vec::new();
    let mut scripts = Vec::new();
    let out = workspace_root().join("target/deploy-scenarios");
    std::fs::create_dir_all(&out).unwrap();
    let all = scenarios();
    for path in &all {
        let s = read_scenario(path);
        assert!(
            !s.title.is_empty(),
            "{}: say what it shows on its first line",
            path.display()
        );
        let current = model(&s.current, path, "current");
        let desired = model(&s.desired, path, "desired");
        // The source's own allowances (Cargo.toml) and the scenario's, as
        // `codegen plan` merges them with `--allow`.
        let allow = Allowances::parse(
            desired
                .deploy_steps
                .allow
                .iter()
                .chain(&s.allow)
                .map(String::as_str),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let allow = if s.drop_extra {
            allow.with_extra_drops()
        } else {
            allow
        };
        let mut live = Live::from_model(&current, &options).unwrap();
        if let Some(bits) = &s.deployed_assembly {
            live.assemblies = vec![assembly_row(&options, bits)];
        }
        let built = s.built_assembly.as_ref().map(String::as_bytes);
        let plan = plan_changes_with_assembly(&live, &desired, &allow, &options, built).unwrap();
        let shown = plan.to_string();
        if shown != s.plan {
            if update {
                let text = std::fs::read_to_string(path).unwrap();
                let head = text.split("\n== plan\n").next().unwrap().trim_end();
                std::fs::write(path, format!("{head}\n== plan\n{shown}")).unwrap();
            } else {
                failures.push(format!(
                    "{}: plan differs\n--- expected\n{}--- planned\n{}",
                    path.display(),
                    s.plan,
                    shown
                ));
            }
        }
        let mut itself = Live::from_model(&desired, &options).unwrap();
        if let Some(bits) = &s.built_assembly {
            itself.assemblies = vec![assembly_row(&options, bits)];
        }
        let again =
            plan_changes_with_assembly(&itself, &desired, &Allowances::none(), &options, built)
                .unwrap();
        if !again.is_empty() || !again.extra.is_empty() {
            failures.push(format!(
                "{}: the desired schema against itself plans:\n{again}",
                path.display()
            ));
        }
        let script = out.join(format!(
            "{}.sql",
            path.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::write(&script, render_script(&plan).unwrap()).unwrap();
        scripts.push(script);
    }
    let parsed = parse_files(&workspace_root(), &scripts).unwrap_or_else(|e| panic!("{e}"));
    for (path, result) in parsed {
        if let Parsed::Errors(errors) = result {
            failures.push(format!("{}: ScriptDom: {errors:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(all.len() >= 40, "only {} scenarios", all.len());
    println!(
        "{} scenarios planned, each idempotent, every script parsed",
        all.len()
    );
}
