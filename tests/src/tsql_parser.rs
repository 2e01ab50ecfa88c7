//! Microsoft's T-SQL parser (ScriptDom from the `mssql-cli==1.0.0` wheel) run
//! under Mono. `scripts/install-test-deps.sh` fetches both; this module runs
//! that script when they are missing, compiles the small C# driver in
//! `tests/tsql-parse/` with `mcs`, and parses files with it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One file's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// The statement types ScriptDom found, e.g. `CreateOrAlterFunctionStatement`.
    Ok {
        statements: Vec<String>,
    },
    Errors(Vec<String>),
}

const SCRIPTDOM: &str = "mssql-cli/unpacked/mssqlcli/mssqltoolsservice/bin/Microsoft.SqlServer.TransactSql.ScriptDom.dll";

pub(crate) fn tools_dir(root: &Path) -> PathBuf {
    root.join(".tools")
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes sure Mono and ScriptDom are present, installing them if not.
pub(crate) fn ensure_installed(root: &Path) -> Result<(), String> {
    if have("mono") && have("mcs") && tools_dir(root).join(SCRIPTDOM).exists() {
        return Ok(());
    }
    let script = root.join("scripts/install-test-deps.sh");
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!(
            "{} failed ({status}); the T-SQL parser (Mono + ScriptDom) is required for this test",
            script.display()
        ));
    }
    Ok(())
}

/// Builds the driver next to a copy of ScriptDom, once per source change.
fn driver(root: &Path) -> Result<PathBuf, String> {
    ensure_installed(root)?;
    let dir = tools_dir(root).join("tsql-parse");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let source = root.join("tests/tsql-parse/ParseTsql.cs");
    let dll = dir.join("Microsoft.SqlServer.TransactSql.ScriptDom.dll");
    let exe = dir.join("ParseTsql.exe");
    if !dll.exists() {
        std::fs::copy(tools_dir(root).join(SCRIPTDOM), &dll).map_err(|e| e.to_string())?;
    }
    let stale = |target: &Path| -> bool {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        match (modified(target), modified(&source)) {
            (Some(t), Some(s)) => t < s,
            _ => true,
        }
    };
    if stale(&exe) {
        let output = Command::new("mcs")
            .arg("-nologo")
            .arg(format!("-out:{}", exe.display()))
            .arg(format!("-r:{}", dll.display()))
            // ScriptDom targets .NET Standard 2.0; Mono provides it as a facade.
            .arg(format!("-r:{}", facade("netstandard.dll")?.display()))
            .arg(&source)
            .output()
            .map_err(|e| format!("cannot run mcs: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "mcs failed to build the T-SQL parser driver:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(exe)
}

fn facade(name: &str) -> Result<PathBuf, String> {
    let candidates = [
        "/usr/lib/mono/4.5/Facades",
        "/usr/lib/mono/4.8-api/Facades",
        "/usr/lib/mono/4.7.2-api/Facades",
    ];
    candidates
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
        .ok_or_else(|| {
            format!("Mono's {name} facade not found in {candidates:?}; install mono-devel")
        })
}

/// The driver, built once per test process (tests run in parallel threads).
fn shared_driver(root: &Path) -> Result<PathBuf, String> {
    static DRIVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DRIVER.get_or_init(|| driver(root)).clone()
}

/// Parses each file with ScriptDom's SQL Server 2019 grammar.
pub fn parse_files(root: &Path, files: &[PathBuf]) -> Result<Vec<(PathBuf, Parsed)>, String> {
    let exe = shared_driver(root)?;
    let output = Command::new("mono")
        .arg(&exe)
        .args(files)
        .output()
        .map_err(|e| format!("cannot run mono: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.code() == Some(2) || (stdout.is_empty() && !files.is_empty()) {
        return Err(format!(
            "the parser driver failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut results: Vec<(PathBuf, Parsed)> = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["OK", path, statements] => results.push((
                PathBuf::from(path),
                Parsed::Ok {
                    statements: statements
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                },
            )),
            ["ERROR", path, line, column, number, message] => {
                let text = format!("{line}:{column}: SQL{number}: {message}");
                match results.last_mut() {
                    Some((p, Parsed::Errors(list))) if p == Path::new(path) => list.push(text),
                    _ => results.push((PathBuf::from(path), Parsed::Errors(vec![text]))),
                }
            }
            _ => return Err(format!("unexpected parser output: {line}")),
        }
    }
    if results.len() != files.len() {
        return Err(format!(
            "asked to parse {} files, got {} results",
            files.len(),
            results.len()
        ));
    }
    Ok(results)
}
