//! Runs the generated C# bridge under Mono against the real Rust library:
//! builds `libfunctions`, compiles the generated C# with `mcs` against
//! `System.Data`, compiles `tests/bridge/Harness.cs` against it, and talks to
//! the harness over its stdin/stdout.

use crate::tsql_parser::{ensure_installed, tools_dir};
use codegen::emit::GeneratedFile;
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

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = tools_dir(root).join(format!("clr-harness-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
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

    /// Calls a bridge method; the answer is `OK\t<value>` or `ERR\t<message>`.
    pub fn call(&mut self, method: &str, args: &[Arg]) -> String {
        let mut command = format!("CALL\t{method}");
        for arg in args {
            command.push('\t');
            command.push_str(&arg.encode());
        }
        writeln!(self.stdin, "{command}").expect("harness input");
        self.stdin.flush().expect("harness input");
        self.line()
    }

    /// The bridge class's methods as reflection sees them.
    pub fn signatures(&mut self) -> Vec<String> {
        writeln!(self.stdin, "SIGNATURES").expect("harness input");
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
