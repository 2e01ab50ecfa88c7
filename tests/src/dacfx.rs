//! Microsoft's DacFx model (the engine SSDT builds and validates with), from
//! the same `mssql-cli==1.0.0` wheel as ScriptDom, run under Mono through the
//! small checker in `tests/dacfx/`. DacFx knows SQL Server 2019, so the
//! generated schema is prepared for it first, each change said by name:
//! native routines become T-SQL stubs of the same signature (DacFx cannot
//! read assembly bits here), `VECTOR(n)` and `JSON` columns become
//! `VARBINARY(8000)` and `NVARCHAR(MAX)`, schemas are created directly
//! instead of through `EXEC`, and vector indexes and aggregates (which have
//! no T-SQL stand-in) are left out.

use crate::tsql_parser::{ensure_installed, tools_dir};
use codegen::emit::GeneratedFile;
use codegen::model::{Direction, Model, RoutineKind, used_schemas};
use codegen::quote_sql::{identifier, qualified};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const WHEEL_BIN: &str = "mssql-cli/unpacked/mssqlcli/mssqltoolsservice/bin";

/// What DacFx said about a set of scripts.
#[derive(Debug, Default)]
pub struct Report {
    /// Statements that could not join the model, with DacFx's message.
    pub blocked: Vec<String>,
    /// Validation messages: (severity, code such as `SQL71501`, message).
    pub messages: Vec<(String, String, String)>,
    pub statements: usize,
}

impl Report {
    pub fn errors(&self) -> Vec<String> {
        self.blocked
            .iter()
            .cloned()
            .chain(
                self.messages
                    .iter()
                    .filter(|(severity, _, _)| severity == "Error")
                    .map(|(_, code, message)| format!("{code}: {message}")),
            )
            .collect()
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.messages.iter().any(|(_, c, _)| c == code)
            || self.blocked.iter().any(|b| b.contains(code))
    }
}

/// The schema as DacFx gets it, and what was changed or left out for it.
pub struct Prepared {
    pub files: Vec<(String, String)>,
    pub not_checked: Vec<String>,
}

/// `VECTOR(n)` → `VARBINARY(8000)`, ` JSON` column types → `NVARCHAR(MAX)`.
/// Names are bracketed in generated SQL, so these words outside brackets,
/// literals and comments are types.
fn stand_in_types(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    let mut in_brackets = false;
    let mut in_literal = false;
    while let Some(c) = rest.chars().next() {
        if !in_brackets && !in_literal {
            // Comments are copied as they are: an apostrophe there opens nothing.
            if rest.starts_with("--") {
                let end = rest.find('\n').unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            if let Some(after) = rest.strip_prefix("VECTOR(") {
                let digits = after.find(')').unwrap_or(0);
                if digits > 0 && after[..digits].chars().all(|d| d.is_ascii_digit()) {
                    out.push_str("VARBINARY(8000)");
                    rest = &after[digits + 1..];
                    continue;
                }
            }
            for (word, replacement) in [
                (" JSON NULL", " NVARCHAR(MAX) NULL"),
                (" JSON NOT NULL", " NVARCHAR(MAX) NOT NULL"),
            ] {
                if rest.starts_with(word) {
                    out.push_str(replacement);
                    rest = &rest[word.len()..];
                }
            }
            let Some(c) = rest.chars().next() else { break };
            match c {
                '[' => in_brackets = true,
                '\'' => in_literal = true,
                _ => {}
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if in_brackets && c == ']' {
            if rest[1..].starts_with(']') {
                out.push_str("]]");
                rest = &rest[2..];
                continue;
            }
            in_brackets = false;
        } else if in_literal && c == '\'' {
            if rest[1..].starts_with('\'') {
                out.push_str("''");
                rest = &rest[2..];
                continue;
            }
            in_literal = false;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A T-SQL routine with the native routine's signature and an empty body.
fn stub(routine: &codegen::model::Routine, model: &Model) -> String {
    let name = qualified(&routine.name.schema, &routine.name.name);
    let params: Vec<String> = routine
        .params
        .iter()
        .map(|p| {
            // Parameter names are regular identifiers (check_parameter_name).
            format!(
                "@{} {}{}",
                p.sql_name,
                p.value.sql,
                if p.direction == Direction::Output {
                    " OUTPUT"
                } else {
                    ""
                }
            )
        })
        .collect();
    match &routine.kind {
        RoutineKind::ScalarFunction { returns, .. } => format!(
            "CREATE FUNCTION {name} ({}) RETURNS {} WITH SCHEMABINDING AS BEGIN RETURN NULL; END",
            params.join(", "),
            returns.sql
        ),
        RoutineKind::TableFunction { rows, .. } => {
            let columns: Vec<String> = model
                .row(rows)
                .map(|r| {
                    r.columns
                        .iter()
                        .map(|c| format!("{} {}", identifier(&c.sql_name), c.value.sql))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "CREATE FUNCTION {name} ({}) RETURNS @rows TABLE ({}) WITH SCHEMABINDING AS BEGIN RETURN; END",
                params.join(", "),
                columns.join(", ")
            )
        }
        RoutineKind::Procedure { .. } => format!(
            "CREATE PROCEDURE {name} {} AS BEGIN SET NOCOUNT ON; END",
            params.join(", ")
        ),
    }
}

/// Prepares generated files (in deploy order) for DacFx.
pub fn prepare(model: &Model, files: &[GeneratedFile]) -> Prepared {
    let mut prepared = Vec::new();
    let mut not_checked = Vec::new();
    for file in files.iter().filter(|f| f.path.ends_with(".sql")) {
        if file.path.contains("/data/") {
            not_checked.push(format!(
                "{}: reference data MERGE (a deployment script, not a schema object; ScriptDom parses it)",
                file.path
            ));
            continue;
        }
        if file.path.contains("/vector_indexes/") {
            not_checked.push(format!(
                "{}: CREATE VECTOR INDEX (SQL Server 2025)",
                file.path
            ));
            continue;
        }
        if file.path.ends_with("/schema.sql") {
            let schema = used_schemas(model)
                .into_iter()
                .find(|s| {
                    file.contents
                        .contains(&format!("CREATE SCHEMA {}", identifier(s)).replace('\'', "''"))
                })
                .expect("a schema file creates a used schema");
            let owner = model
                .schemas
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(&schema))
                .and_then(|d| d.authorization.clone())
                .unwrap_or_else(|| "dbo".into());
            prepared.push((
                file.path.clone(),
                format!(
                    "CREATE SCHEMA {} AUTHORIZATION {}",
                    identifier(&schema),
                    identifier(&owner)
                ),
            ));
            continue;
        }
        // An aggregate has no T-SQL form to stand in for it, and DacFx cannot
        // read the assembly here: it is left out, and said so.
        if model.aggregates.iter().any(|a| {
            file.contents.contains(&format!(
                "CREATE AGGREGATE {}",
                qualified(&a.name.schema, &a.name.name)
            ))
        }) {
            not_checked.push(format!(
                "{}: aggregate left out (no T-SQL stand-in exists for an aggregate; checked by the CLR harness instead)",
                file.path
            ));
            continue;
        }
        let native = model.routines.iter().find(|r| {
            file.contents.contains("AS EXTERNAL NAME")
                && file.contents.contains(&format!(
                    "{} {}",
                    if r.kind.is_procedure() {
                        "PROCEDURE"
                    } else {
                        "FUNCTION"
                    },
                    qualified(&r.name.schema, &r.name.name)
                ))
        });
        match native {
            Some(routine) => {
                not_checked.push(format!(
                    "{}: native {} stood in by a T-SQL stub of its signature",
                    file.path,
                    if routine.kind.is_procedure() {
                        "procedure"
                    } else {
                        "function"
                    }
                ));
                prepared.push((file.path.clone(), stand_in_types(&stub(routine, model))));
            }
            None => {
                // DacFx 150 leaves `CREATE OR ALTER` objects out of its model
                // (seen: a procedure created so is never validated), so the
                // check creates them plainly; on an empty database both mean
                // the same.
                let contents = file.contents.replace("\nCREATE OR ALTER ", "\nCREATE ");
                if contents != file.contents {
                    not_checked.push(format!(
                        "{}: CREATE OR ALTER written as CREATE (DacFx ignores CREATE OR ALTER)",
                        file.path
                    ));
                }
                prepared.push((file.path.clone(), stand_in_types(&contents)));
            }
        }
    }
    Prepared {
        files: prepared,
        not_checked,
    }
}

/// Builds the checker next to the DacFx assemblies, once per source change.
fn checker(root: &Path) -> Result<PathBuf, String> {
    ensure_installed(root)?;
    let dir = tools_dir(root).join("dacfx");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let bin = tools_dir(root).join(WHEEL_BIN);
    // Only these: the wheel's other System.* files are .NET Core builds
    // that break Mono's own.
    for entry in std::fs::read_dir(&bin).map_err(|e| format!("{}: {e}", bin.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = (name.starts_with("Microsoft.SqlServer.")
            || name.starts_with("Microsoft.Data.Tools."))
            && name.ends_with(".dll")
            || name == "System.Drawing.Common.dll"
            || name == "System.Data.SqlClient.dll";
        if wanted && !dir.join(&name).exists() {
            std::fs::copy(entry.path(), dir.join(&name)).map_err(|e| e.to_string())?;
        }
    }
    let source = root.join("tests/dacfx/ValidateModel.cs");
    let exe = dir.join("ValidateModel.exe");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&exe), modified(&source)) {
        (Some(e), Some(s)) => e < s,
        _ => true,
    };
    if stale {
        let facades = ["/usr/lib/mono/4.5/Facades", "/usr/lib/mono/4.8-api/Facades"]
            .iter()
            .map(Path::new)
            .find(|d| d.join("netstandard.dll").exists())
            .ok_or("Mono's Facades/netstandard.dll not found; install mono-devel")?;
        let output = Command::new("mcs")
            .arg("-nologo")
            .arg(format!("-out:{}", exe.display()))
            .arg(format!(
                "-r:{}",
                dir.join("Microsoft.SqlServer.Dac.dll").display()
            ))
            .arg(format!(
                "-r:{}",
                dir.join("Microsoft.SqlServer.Dac.Extensions.dll").display()
            ))
            .arg(format!(
                "-r:{}",
                dir.join("Microsoft.SqlServer.TransactSql.ScriptDom.dll")
                    .display()
            ))
            .arg(format!("-r:{}", facades.join("netstandard.dll").display()))
            .arg(format!(
                "-r:{}",
                facades.join("System.Runtime.dll").display()
            ))
            .arg(&source)
            .output()
            .map_err(|e| format!("cannot run mcs: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "mcs failed to build the DacFx checker:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(exe)
}

fn shared_checker(root: &Path) -> Result<PathBuf, String> {
    static CHECKER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CHECKER.get_or_init(|| checker(root)).clone()
}

/// Loads the prepared scripts into one DacFx model and validates it.
pub fn validate(root: &Path, work: &Path, prepared: &Prepared) -> Result<Report, String> {
    let mut reports = validate_each(root, work, std::slice::from_ref(prepared))?;
    Ok(reports.remove(0))
}

/// One DacFx model per prepared schema, all in one run of the checker.
pub fn validate_each(
    root: &Path,
    work: &Path,
    schemas: &[Prepared],
) -> Result<Vec<Report>, String> {
    let exe = shared_checker(root)?;
    let _ = std::fs::remove_dir_all(work);
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for (m, prepared) in schemas.iter().enumerate() {
        if m > 0 {
            args.push("--next-model".into());
        }
        let dir = work.join(format!("model{m}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for (i, (name, contents)) in prepared.files.iter().enumerate() {
            let path = dir.join(format!("{i:03}-{}", name.replace('/', "__")));
            std::fs::write(&path, contents).map_err(|e| e.to_string())?;
            args.push(path.into());
        }
    }
    let output = Command::new("mono")
        .arg(&exe)
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run mono: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the DacFx checker failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut reports = Vec::new();
    let mut report = Report::default();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["BLOCKED", file, message] => report.blocked.push(format!("{file}: {message}")),
            ["MESSAGE", severity, code, message] => {
                report
                    .messages
                    .push((severity.to_string(), code.to_string(), message.to_string()))
            }
            ["DONE", _, statements, _, _] => {
                report.statements = statements.parse().unwrap_or(0);
                reports.push(std::mem::take(&mut report));
            }
            _ => {}
        }
    }
    if reports.len() != schemas.len() {
        return Err(format!(
            "the DacFx checker reported {} of {} models:\n{stdout}",
            reports.len(),
            schemas.len()
        ));
    }
    Ok(reports)
}
