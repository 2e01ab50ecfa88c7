//! Runs the generated C# bridge under Mono against the real Rust library:
//! builds `libfunctions`, compiles the generated C# with `mcs` against
//! `System.Data`, compiles `tests/bridge/Harness.cs` against it, and talks to
//! the harness over its stdin/stdout.

use crate::tsql_parser::{ensure_installed, tools_dir};
use crate::{generate_workspace, workspace_root};
use codegen::emit::GeneratedFile;
use codegen::output::Generation;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// An argument as the harness reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    /// UTF-16 units, so lone surrogates can be sent.
    Utf16(Vec<u16>),
    Bytes(Vec<u8>),
}

impl Arg {
    pub fn text(s: &str) -> Arg {
        Arg::Utf16(s.encode_utf16().collect())
    }

    pub fn floats(v: &[f32]) -> Arg {
        Arg::Bytes(v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }

    fn encode(&self) -> String {
        match self {
            Arg::Null => "N".into(),
            Arg::Int(i) => format!("i:{i}"),
            Arg::Float(f) => format!("f:{:016x}", f.to_bits()),
            Arg::Bool(b) => format!("b:{}", u8::from(*b)),
            Arg::Utf16(units) => format!(
                "s:{}",
                units.iter().map(|u| format!("{u:04x}")).collect::<String>()
            ),
            Arg::Bytes(bytes) => format!("x:{}", hex(bytes)),
        }
    }
}

/// `OK\t<value>` → the value; `ERR\t<message>` → the message.
fn answer(line: String) -> Result<String, String> {
    match line.split_once('\t') {
        Some(("OK", value)) => Ok(value.to_string()),
        Some(("ERR", message)) => Err(message.to_string()),
        _ if line == "OK" => Ok(String::new()),
        _ => panic!("harness answered {line:?}"),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The namespace-qualified class holding the bridge's routine methods.
pub const BRIDGE_CLASS: &str = "Hartonomous.Functions.Native";

/// The harness over the C# that codegen writes for the `functions` crate.
pub fn start_workspace() -> (ClrHarness, Generation) {
    let generation = generate_workspace();
    assert_eq!(codegen::emit::EmitOptions::default().class, BRIDGE_CLASS);
    let sources: Vec<&GeneratedFile> = generation
        .files
        .iter()
        .filter(|f| f.path.starts_with("csharp/") && f.path.ends_with(".cs"))
        .collect();
    assert!(
        sources.len()
            > generation
                .model
                .routines
                .iter()
                .filter(|r| r.is_native())
                .count()
                + generation.model.aggregates.len(),
        "a C# file per native routine and aggregate, plus shared ones"
    );
    let harness = ClrHarness::start(&workspace_root(), &sources, BRIDGE_CLASS)
        .unwrap_or_else(|e| panic!("{e}"));
    (harness, generation)
}

/// The CLR type the bridge must use for a T-SQL parameter or result type.
pub fn clr_type_for_sql(sql: &str) -> &'static str {
    match sql.split('(').next().unwrap() {
        "BIT" => "SqlBoolean",
        "TINYINT" => "SqlByte",
        "SMALLINT" => "SqlInt16",
        "INT" => "SqlInt32",
        "BIGINT" => "SqlInt64",
        "REAL" => "SqlSingle",
        "FLOAT" => "SqlDouble",
        "NVARCHAR" | "VARCHAR" | "NCHAR" | "CHAR" => "SqlString",
        "VARBINARY" | "BINARY" => "SqlBytes",
        "UNIQUEIDENTIFIER" => "SqlGuid",
        "DECIMAL" => "SqlDecimal",
        "DATE" | "DATETIME2" | "DATETIME" => "DateTime?",
        "TIME" => "TimeSpan?",
        "DATETIMEOFFSET" => "DateTimeOffset?",
        other => panic!("no CLR type known for {other}"),
    }
}

pub struct ClrHarness {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The build directory under `.tools/`, removed when the harness goes.
    dir: PathBuf,
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Where cargo puts `libfunctions.so` for this profile.
fn native_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("debug")
}

/// A fresh directory under `.tools/` for one compilation.
fn scratch_dir(root: &Path) -> Result<PathBuf, String> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = tools_dir(root).join(format!("clr-harness-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Compiles generated C# into `dir/Hartonomous.Functions.dll` with Mono's
/// `mcs` against `System.Data`.
fn compile_library(dir: &Path, sources: &[&GeneratedFile]) -> Result<PathBuf, String> {
    let mut paths = Vec::new();
    for source in sources {
        let path = dir.join(source.path.replace('/', "__"));
        std::fs::write(&path, &source.contents).map_err(|e| e.to_string())?;
        paths.push(path);
    }
    let dll = dir.join("Hartonomous.Functions.dll");
    run(
        Command::new("mcs")
            .arg("-nologo")
            .arg("-target:library")
            .arg("-r:System.Data")
            .arg(format!("-out:{}", dll.display()))
            .args(&paths),
        "mcs (the generated bridge)",
    )?;
    Ok(dll)
}

/// Compiles generated C# only (no native library, no harness): for bridges
/// of fixture crates.
pub fn compile_only(root: &Path, sources: &[&GeneratedFile]) -> Result<(), String> {
    ensure_installed(root)?;
    let dir = scratch_dir(root)?;
    let result = compile_library(&dir, sources).map(|_| ());
    let _ = std::fs::remove_dir_all(&dir);
    result
}

impl ClrHarness {
    /// Builds everything and starts the harness on the given generated C# files.
    pub fn start(
        root: &Path,
        sources: &[&GeneratedFile],
        class: &str,
    ) -> Result<ClrHarness, String> {
        ensure_installed(root)?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        run(
            Command::new(cargo).current_dir(root).args([
                "build",
                "--quiet",
                "-p",
                "functions",
                "--lib",
            ]),
            "cargo build -p functions",
        )?;
        let lib = native_dir(root);
        if !lib.join("libfunctions.so").exists() {
            return Err(format!("libfunctions.so not found in {}", lib.display()));
        }
        let dir = scratch_dir(root)?;
        let dll = compile_library(&dir, sources)?;
        let exe = dir.join("Harness.exe");
        run(
            Command::new("mcs")
                .arg("-nologo")
                .arg("-r:System.Data")
                .arg(format!("-r:{}", dll.display()))
                .arg(format!("-out:{}", exe.display()))
                .arg(root.join("tests/bridge/Harness.cs")),
            "mcs (the harness)",
        )?;
        let mut child = Command::new("mono")
            .arg(&exe)
            .arg(&dll)
            .arg(class)
            .env("LD_LIBRARY_PATH", &lib)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start mono: {e}"))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(ClrHarness {
            child,
            stdin,
            stdout,
            dir,
        })
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("harness output");
        assert!(!line.is_empty(), "the harness exited");
        line.trim_end_matches('\n').to_string()
    }

    /// Sends one command (tab-separated words and encoded arguments) and
    /// reads its one-line answer: `OK\t<value>` or `ERR\t<message>`.
    pub fn request(&mut self, words: &[&str], args: &[Arg]) -> String {
        let mut command = words.join("\t");
        for arg in args {
            command.push('\t');
            command.push_str(&arg.encode());
        }
        writeln!(self.stdin, "{command}").expect("harness input");
        self.stdin.flush().expect("harness input");
        self.line()
    }

    /// Calls a bridge method; the answer is `OK\t<value>` or `ERR\t<message>`.
    pub fn call(&mut self, method: &str, args: &[Arg]) -> String {
        self.request(&["CALL", method], args)
    }

    /// The bridge class's methods as reflection sees them.
    pub fn signatures(&mut self) -> Vec<String> {
        self.listing("SIGNATURES")
    }

    /// The aggregate classes as reflection sees them: attribute properties
    /// and the signatures of their six methods.
    pub fn aggregate_signatures(&mut self) -> Vec<String> {
        self.listing("AGGREGATES")
    }

    /// A new aggregate instance of `class`, `Init` called: its id.
    pub fn new_aggregate(&mut self, class: &str) -> Result<String, String> {
        answer(self.request(&["NEW", class], &[]))
    }

    pub fn accumulate(&mut self, id: &str, args: &[Arg]) -> Result<String, String> {
        answer(self.request(&["ACC", id], args))
    }

    pub fn merge(&mut self, id: &str, other: &str) -> Result<String, String> {
        answer(self.request(&["MERGE", id, other], &[]))
    }

    /// `Terminate`'s result, encoded as the harness prints values.
    pub fn terminate(&mut self, id: &str) -> Result<String, String> {
        answer(self.request(&["TERM", id], &[]))
    }

    /// `Write`: the serialized state, `x:<hex>`.
    pub fn save(&mut self, id: &str) -> Result<String, String> {
        answer(self.request(&["SAVE", id], &[]))
    }

    /// `Read` into a new instance of `class`: its id.
    pub fn load(&mut self, class: &str, saved: &str) -> Result<String, String> {
        answer(self.request(&["LOAD", class, saved], &[]))
    }

    /// Forgets an instance, as SQL Server drops one.
    pub fn drop_instance(&mut self, id: &str) {
        answer(self.request(&["DROP", id], &[])).expect("dropping an instance");
    }

    /// Aggregate states alive in Rust after a full garbage collection.
    pub fn live_states(&mut self) -> i64 {
        let value = answer(self.request(&["LIVE"], &[])).expect("live count");
        value
            .strip_prefix("i:")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("live count: {value}"))
    }

    fn listing(&mut self, command: &str) -> Vec<String> {
        writeln!(self.stdin, "{command}").expect("harness input");
        self.stdin.flush().expect("harness input");
        let mut lines = Vec::new();
        loop {
            let line = self.line();
            if line == "END" {
                return lines;
            }
            lines.push(line);
        }
    }
}

impl Drop for ClrHarness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
