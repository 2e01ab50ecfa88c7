//! The whole job: read the crate, validate, emit, and then either write
//! `generated/` or compare it with what would be written.

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::{EmitOptions, GeneratedFile, emit_csharp, emit_entities, emit_sql};
use crate::model::Model;
use crate::reader::{SourceFile, read_crate_with};
use crate::rules::validate;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// Subdirectories of `generated/` that codegen owns entirely: files there that
/// it would not write are extra.
pub const OWNED_DIRS: &[&str] = &["sql", "csharp", "entities"];

/// What was produced, or why not.
pub struct Generation {
    pub model: Model,
    pub sources: Vec<SourceFile>,
    /// Empty when `diagnostics` is not.
    pub files: Vec<GeneratedFile>,
    /// Errors: nothing is written while one stands.
    pub diagnostics: Vec<Diagnostic>,
    /// What a check could not follow (dynamic SQL, ...): shown, never blocking.
    pub notes: Vec<Diagnostic>,
}

/// Reads the crate at `entry` through `load`, validates and emits. Nothing is
/// emitted when any diagnostic is found.
pub fn generate_with(
    entry: &str,
    mut load: impl FnMut(&str) -> io::Result<String>,
    options: &EmitOptions,
) -> Generation {
    // The crate's Cargo.toml sits beside its `src/`.
    let manifest_path = match entry.rsplit_once("src/") {
        Some((crate_dir, _)) => format!("{crate_dir}Cargo.toml"),
        None => "Cargo.toml".to_string(),
    };
    let settings = load(&manifest_path)
        .ok()
        .map(|text| crate::project::read_settings(&manifest_path, &text));
    let mut source = read_crate_with(entry, &mut load);
    crate::model::builtin::add_builtins(&mut source.model);
    let mut diagnostics = source.diagnostics;
    match settings {
        Some(Ok(settings)) => {
            crate::project::apply_settings(&mut source.model, &settings);
            let crate_dir = manifest_path.trim_end_matches("Cargo.toml").to_string();
            let mut read_steps = |where_: &str,
                                  pre: &[String],
                                  post: &[String],
                                  allow: &[String]| {
                let mut steps = crate::model::DeploySteps {
                    allow: allow.to_vec(),
                    ..Default::default()
                };
                if let Err(e) = crate::deploy::Allowances::parse(allow.iter().map(String::as_str)) {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidOptionValue,
                            format!("{manifest_path}: {where_}: {e}"),
                        )
                        .with_help(format!(
                            "{where_} allow lists entries like \"dbo.Customer.Legacy:drop\""
                        )),
                    );
                }
                // The step files, beside the crate's Cargo.toml.
                for (phase, paths) in [("pre", pre), ("post", post)] {
                    for path in paths {
                        let full = format!("{crate_dir}{path}");
                        match load(&full) {
                            Ok(text) => {
                                let step = crate::model::DeployStep { path: full, text };
                                if phase == "pre" {
                                    steps.pre.push(step)
                                } else {
                                    steps.post.push(step)
                                }
                            }
                            Err(e) => diagnostics.push(
                                Diagnostic::new(
                                    Code::SourceUnreadable,
                                    format!("cannot read the {phase}-deployment step {full}: {e}"),
                                )
                                .with_help(format!(
                                    "{manifest_path} lists it under {where_} {phase}: add the file or remove the entry"
                                )),
                            ),
                        }
                    }
                }
                steps
            };
            let deploy = &settings.deploy;
            let mut steps = read_steps(
                "[package.metadata.hartonomous.deploy]",
                &deploy.pre,
                &deploy.post,
                &deploy.allow,
            );
            for (name, overlay) in &deploy.environments {
                let table = format!("[package.metadata.hartonomous.deploy.environments.{name}]");
                let overlay = read_steps(&table, &overlay.pre, &overlay.post, &overlay.allow);
                steps.environments.insert(name.clone(), overlay);
            }
            source.model.deploy_steps = steps;
        }
        Some(Err(error)) => diagnostics.push(*error),
        None => crate::project::apply_settings(&mut source.model, &Default::default()),
    }
    let (errors, notes): (Vec<Diagnostic>, Vec<Diagnostic>) = validate(&source.model)
        .into_iter()
        .partition(Diagnostic::is_error);
    diagnostics.extend(errors);
    let files = if diagnostics.is_empty() {
        match emit_sql(&source.model, options).and_then(|mut files| {
            files.extend(emit_csharp(&source.model, options)?);
            files.extend(emit_entities(&source.model));
            Ok(files)
        }) {
            Ok(files) => files,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::Internal,
                        format!("internal error rendering templates: {e:#}"),
                    )
                    .with_help(
                        "this is a bug in codegen: please report it with the input that caused it",
                    ),
                );
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    Generation {
        model: source.model,
        sources: source.files,
        files,
        diagnostics,
        notes,
    }
}

/// [`generate_with`] reading files under `root`.
pub fn generate(root: &Path, entry: &str, options: &EmitOptions) -> Generation {
    generate_with(entry, |p| std::fs::read_to_string(root.join(p)), options)
}

/// One way `generated/` differs from what codegen would write.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// Present with other contents.
    Stale(String),
    /// Would be written but is absent.
    Missing(String),
    /// Present in an owned directory but not produced.
    Extra(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Stale(p) => write!(f, "stale:   {p}"),
            Drift::Missing(p) => write!(f, "missing: {p}"),
            Drift::Extra(p) => write!(f, "extra:   {p}"),
        }
    }
}

/// Files under the owned directories of `out`, relative, `/`-separated.
fn existing_files(out: &Path) -> io::Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    for dir in OWNED_DIRS {
        let mut stack = vec![PathBuf::from(dir)];
        while let Some(rel) = stack.pop() {
            let entries = match std::fs::read_dir(out.join(&rel)) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let child = rel.join(entry.file_name());
                if entry.file_type()?.is_dir() {
                    stack.push(child);
                } else {
                    found.insert(child.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    Ok(found)
}

/// How `out` differs from `files`, sorted by path.
pub fn check(out: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let mut existing = existing_files(out)?;
    let mut drift = Vec::new();
    for file in files {
        existing.remove(&file.path);
        match std::fs::read(out.join(&file.path)) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Stale(file.path.clone())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(file.path.clone()))
            }
            Err(e) => return Err(e),
        }
    }
    drift.extend(existing.into_iter().map(Drift::Extra));
    drift.sort_by(|a, b| drift_path(a).cmp(drift_path(b)));
    Ok(drift)
}

fn drift_path(d: &Drift) -> &str {
    match d {
        Drift::Stale(p) | Drift::Missing(p) | Drift::Extra(p) => p,
    }
}

/// Brings `out` in line with `files`: writes what changed, removes extra
/// files (and directories left empty). Returns what it did.
pub fn write(out: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let drift = check(out, files)?;
    for change in &drift {
        match change {
            Drift::Stale(path) | Drift::Missing(path) => {
                let file = files
                    .iter()
                    .find(|f| &f.path == path)
                    .expect("drift names a produced file");
                let target = out.join(path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(target, &file.contents)?;
            }
            Drift::Extra(path) => {
                let target = out.join(path);
                std::fs::remove_file(&target)?;
                let mut dir = target.parent();
                while let Some(d) = dir {
                    if d == out || std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
    }
    Ok(drift)
}
