//! `codegen`: regenerate `generated/` from the annotated Rust, or check it.

mod deploy_command;

use clap::{Parser, Subcommand};
use codegen::diagnostics::{SourceFiles, render_diagnostics};
use codegen::emit::EmitOptions;
use codegen::output::{self, Drift};
use deploy_command::{ConnectionArgs, DeployOutputs};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "codegen",
    version,
    about = "Annotated Rust → validated model → T-SQL under generated/"
)]
struct Cli {
    /// Workspace root; paths below are relative to it.
    #[arg(long, global = true, default_value_os_t = default_root())]
    root: PathBuf,
    /// The annotated crate's entry file.
    #[arg(long, global = true, default_value = "functions/src/lib.rs")]
    source: String,
    /// Output directory.
    #[arg(long, global = true, default_value = "generated")]
    out: PathBuf,
    /// CLR assembly name the T-SQL binds to.
    #[arg(long, global = true, default_value_t = EmitOptions::default().assembly)]
    assembly: String,
    /// C# class (namespace-qualified) holding the bridge methods.
    #[arg(long, global = true, default_value_t = EmitOptions::default().class)]
    class: String,
    /// Name of the Rust native library the C# bridge loads.
    #[arg(long, global = true, default_value_t = EmitOptions::default().native_library)]
    native_library: String,
    /// Full path of the native library on the SQL Server machine; the bridge
    /// loads it from there. Without it, the library must be on the server's
    /// DLL search path (SQL Server's Binn directory or PATH).
    #[arg(long, global = true)]
    native_path: Option<String>,
    /// For plan, deploy and drift: the environment whose additions (step
    /// files, allowances) apply, from the crate's
    /// `[package.metadata.hartonomous.deploy.environments.<name>]`.
    #[arg(long, global = true, env = "HARTONOMOUS_ENVIRONMENT")]
    environment: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Read, validate and write generated/ (the default).
    Generate,
    /// Read the source and run every rule over the whole model; list each
    /// finding with its code, file and line. Writes nothing.
    Validate,
    /// Exit non-zero, naming each file, when generated/ differs from what
    /// `generate` would write. Writes nothing.
    Check,
    /// Plan a deployment: compare the source with a database and print what
    /// would be created, altered or blocked, and why. Changes nothing.
    /// Exits 2 when a change is blocked.
    Plan {
        /// The database, as a catalog snapshot: the JSON of the catalog rows
        /// (`codegen::deploy::catalog::CatalogRows`).
        #[arg(long, conflicts_with = "from_root")]
        catalog: Option<PathBuf>,
        /// Or the database as another version of the source would have made
        /// it: that version's workspace root (e.g. a checkout of the last
        /// release), read with the same `--source`.
        #[arg(long)]
        from_root: Option<PathBuf>,
        /// Allow one change that can lose data, `schema.table[.column]:kind`
        /// or `//broker/name:kind` (kinds: drop, narrow, convert,
        /// vector-dimension, not-null, required, rebuild, restart);
        /// repeatable.
        #[arg(long = "allow", value_name = "CHANGE")]
        allow: Vec<String>,
        /// Write the deployment script here.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Write the report as JSON here.
        #[arg(long)]
        report_json: Option<PathBuf>,
        /// Drop what the database holds and the source does not (a table
        /// or queue only when its drop is also allowed with `--allow`).
        #[arg(long)]
        drop_extra: bool,
        /// The bridge assembly built from generated/csharp: created, or
        /// replaced in place when the database holds other bits. Without
        /// it the database's assembly is left as it is.
        #[arg(long)]
        assembly_file: Option<PathBuf>,
        /// Or the database itself, read over a connection (neither
        /// `--catalog` nor `--from-root`).
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Deploy: read the live database, plan, and run the plan in one
    /// transaction, step by step, unless a change is blocked. Idempotent: the
    /// same source deployed twice plans nothing the second time. Exits 2
    /// when a change is blocked (nothing sent), 1 when a step fails (all
    /// rolled back).
    Deploy {
        #[command(flatten)]
        connection: ConnectionArgs,
        /// Allow one change that can lose data (see `plan`); repeatable.
        #[arg(long = "allow", value_name = "CHANGE")]
        allow: Vec<String>,
        /// Write the script that was run (or would have been) here.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Write the report, with the outcome, as JSON here.
        #[arg(long)]
        report_json: Option<PathBuf>,
        /// The bridge assembly built from generated/csharp (see `plan`).
        #[arg(long)]
        assembly_file: Option<PathBuf>,
        /// Drop what the database holds and the source does not (see `plan`).
        #[arg(long)]
        drop_extra: bool,
    },
    /// Report what in the database changed outside codegen since its last
    /// deployment (from the deployment history in the catalog snapshot).
    /// Exits 3 when drift is found.
    Drift {
        /// The database, as a catalog snapshot (see `plan`); or read over
        /// the connection below.
        #[arg(long)]
        catalog: Option<PathBuf>,
        #[command(flatten)]
        connection: ConnectionArgs,
        /// Write the drift report as JSON here.
        #[arg(long)]
        report_json: Option<PathBuf>,
    },
    /// Write the T-SQL that installs a built bridge assembly (trust by
    /// SHA2_512, create or replace the assembly, create every routine).
    Register {
        /// The assembly built from generated/csharp (`dotnet build -c Release`).
        #[arg(long)]
        assembly_file: PathBuf,
        /// Where to write the script; standard output when absent.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Trust the assembly through a signing certificate (its public part,
        /// DER `.cer`) instead of sp_add_trusted_assembly with its hash.
        #[arg(long)]
        certificate_file: Option<PathBuf>,
        /// Name of the certificate in master.
        #[arg(long, default_value = "HartonomousClr")]
        certificate_name: String,
        /// When the script replaces the assembly, also remove the replaced
        /// bits' hash from the server's trusted assemblies. Off by default:
        /// trust is server-wide, and another database on the server (a test
        /// copy beside development, say) may still hold those bits.
        #[arg(long, conflicts_with = "certificate_file")]
        untrust_previous: bool,
    },
}

/// The workspace this binary was built in, so `cargo run -p codegen` works
/// from any directory inside it.
fn default_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = EmitOptions {
        assembly: cli.assembly.clone(),
        class: cli.class.clone(),
        native_library: cli.native_library.clone(),
        native_path: cli.native_path.clone(),
    };
    let mut generation = output::generate(&cli.root, &cli.source, &options);
    let command = cli.command.unwrap_or(Command::Generate);
    if !generation.notes.is_empty() {
        let files = SourceFiles::new(&generation.sources);
        eprint!("{}", render_diagnostics(&generation.notes, &files));
    }
    if !generation.diagnostics.is_empty() {
        let files = SourceFiles::new(&generation.sources);
        eprint!("{}", render_diagnostics(&generation.diagnostics, &files));
        eprintln!(
            "error: codegen found {} problem{}{}",
            generation.diagnostics.len(),
            if generation.diagnostics.len() == 1 {
                ""
            } else {
                "s"
            },
            if matches!(command, Command::Validate) {
                ""
            } else {
                "; nothing was written"
            }
        );
        return ExitCode::FAILURE;
    }
    if let Some(name) = &cli.environment
        && matches!(
            command,
            Command::Plan { .. } | Command::Deploy { .. } | Command::Drift { .. }
        )
    {
        let steps = &generation.model.deploy_steps;
        match steps.for_environment(name) {
            Some(steps) => generation.model.deploy_steps = steps,
            None => {
                let known: Vec<&str> = steps.environments.keys().map(String::as_str).collect();
                eprintln!(
                    "error: environment `{name}` is not declared: {} declares {}",
                    cli.source,
                    if known.is_empty() {
                        "none (add [package.metadata.hartonomous.deploy.environments.<name>] to the crate's Cargo.toml)".to_string()
                    } else {
                        known.join(", ")
                    }
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let out = cli.root.join(&cli.out);
    match command {
        Command::Validate => {
            println!(
                "codegen validate: {}: no problems",
                model_summary(&generation.model)
            );
            ExitCode::SUCCESS
        }
        Command::Generate => match output::write(&out, &generation.files) {
            Ok(changes) => {
                for change in &changes {
                    println!("{change}");
                }
                println!(
                    "codegen: {} → {} files in {} ({} changed)",
                    model_summary(&generation.model),
                    generation.files.len(),
                    out.display(),
                    changes.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", out.display());
                ExitCode::FAILURE
            }
        },
        Command::Register {
            assembly_file,
            script,
            certificate_file,
            certificate_name,
            untrust_previous,
        } => {
            let trust = match certificate_file {
                None => codegen::emit::Trust::Hash { untrust_previous },
                Some(path) => match std::fs::read(&path) {
                    Ok(der) if der.first() == Some(&0x30) => codegen::emit::Trust::Certificate {
                        name: certificate_name,
                        der,
                    },
                    Ok(_) => {
                        eprintln!(
                            "error: {} is not a DER certificate (export the public part as a binary .cer)",
                            path.display()
                        );
                        return ExitCode::FAILURE;
                    }
                    Err(e) => {
                        eprintln!("error: cannot read certificate {}: {e}", path.display());
                        return ExitCode::FAILURE;
                    }
                },
            };
            register(
                &generation.files,
                &options,
                &assembly_file,
                script.as_deref(),
                &trust,
            )
        }
        Command::Deploy {
            connection,
            allow,
            script,
            report_json,
            assembly_file,
            drop_extra,
        } => {
            let bits = match read_assembly(assembly_file.as_deref()) {
                Ok(bits) => bits,
                Err(code) => return code,
            };
            match allowances(&generation.model, &allow, drop_extra) {
                Ok(allow) => deploy_command::deploy(
                    &connection,
                    &generation.model,
                    &allow,
                    &options,
                    bits.as_deref(),
                    &DeployOutputs {
                        script,
                        report_json,
                    },
                ),
                Err(code) => code,
            }
        }
        Command::Plan {
            catalog,
            from_root,
            allow,
            script,
            report_json,
            drop_extra,
            assembly_file,
            connection,
        } => plan(
            &cli.root,
            &cli.source,
            &generation.model,
            &options,
            PlanInputs {
                catalog,
                from_root,
                allow,
                script,
                report_json,
                drop_extra,
                assembly_file,
                connection,
            },
        ),
        Command::Drift {
            catalog,
            connection,
            report_json,
        } => drift(
            &generation.model,
            &options,
            catalog.as_deref(),
            &connection,
            report_json.as_deref(),
        ),
        Command::Check => match output::check(&out, &generation.files) {
            Ok(drift) if drift.is_empty() => {
                println!(
                    "codegen check: {} files in {} are up to date",
                    generation.files.len(),
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                for d in &drift {
                    eprintln!("{d}");
                }
                let what = |f: fn(&Drift) -> bool| drift.iter().filter(|d| f(d)).count();
                eprintln!(
                    "error: {} is out of date ({} stale, {} missing, {} extra); run `cargo run -p codegen` and review the diff",
                    out.display(),
                    what(|d| matches!(d, Drift::Stale(_))),
                    what(|d| matches!(d, Drift::Missing(_))),
                    what(|d| matches!(d, Drift::Extra(_))),
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", out.display());
                ExitCode::FAILURE
            }
        },
    }
}

/// A catalog snapshot's rows, or the error to print.
fn read_snapshot(path: &std::path::Path) -> Result<codegen::deploy::catalog::CatalogRows, String> {
    std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        .map_err(|e| format!("cannot read the catalog snapshot {}: {e}", path.display()))
}

/// `codegen drift`.
fn drift(
    desired: &codegen::model::Model,
    options: &EmitOptions,
    snapshot: Option<&std::path::Path>,
    connection: &ConnectionArgs,
    report_json: Option<&std::path::Path>,
) -> ExitCode {
    use codegen::deploy::{Verdict, catalog, detect_drift};
    let rows = match snapshot {
        Some(path) => read_snapshot(path),
        None if connection.connection_string.is_some() => deploy_command::read_rows(connection),
        None => Err(format!(
            "drift against what? give --catalog <snapshot.json> or --connection-string (or {})",
            codegen::deploy::CONNECTION_ENV
        )),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = match catalog::build_live(&rows)
        .map_err(|e| e.to_string())
        .and_then(|live| {
            detect_drift(&live, rows.last_deployment.as_ref(), desired, options)
                .map_err(|e| format!("internal error rendering templates: {e:#}"))
        }) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{report}");
    if let Some(path) = report_json
        && let Err(e) = std::fs::write(
            path,
            serde_json::to_string_pretty(&report).expect("a report serializes") + "\n",
        )
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if report.verdict == Verdict::Drifted {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

struct PlanInputs {
    catalog: Option<PathBuf>,
    from_root: Option<PathBuf>,
    allow: Vec<String>,
    script: Option<PathBuf>,
    report_json: Option<PathBuf>,
    drop_extra: bool,
    assembly_file: Option<PathBuf>,
    connection: ConnectionArgs,
}

/// The built assembly's bits, when a file is given.
fn read_assembly(path: Option<&std::path::Path>) -> Result<Option<Vec<u8>>, ExitCode> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read(path) {
        Ok(bits) if bits.starts_with(b"MZ") => Ok(Some(bits)),
        Ok(_) => {
            eprintln!(
                "error: {} is not a .NET assembly (no MZ header): give the DLL built from generated/csharp",
                path.display()
            );
            Err(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("error: cannot read the assembly {}: {e}", path.display());
            Err(ExitCode::FAILURE)
        }
    }
}

/// The source's allowances (Cargo.toml) and this run's (`--allow`).
fn allowances(
    desired: &codegen::model::Model,
    extra: &[String],
    drop_extra: bool,
) -> Result<codegen::deploy::Allowances, ExitCode> {
    let allow = codegen::deploy::Allowances::parse(
        desired
            .deploy_steps
            .allow
            .iter()
            .chain(extra)
            .map(String::as_str),
    )
    .map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    Ok(if drop_extra {
        allow.with_extra_drops()
    } else {
        allow
    })
}

/// `codegen plan`: the live side from a catalog snapshot or another version
/// of the source, then the plan, its script and its report.
fn plan(
    root: &std::path::Path,
    source: &str,
    desired: &codegen::model::Model,
    options: &EmitOptions,
    inputs: PlanInputs,
) -> ExitCode {
    use codegen::deploy::{Live, Report, catalog, plan_changes_with_assembly, render_script};
    let started = std::time::Instant::now();
    let allow = match allowances(desired, &inputs.allow, inputs.drop_extra) {
        Ok(allow) => allow,
        Err(code) => return code,
    };
    let bits = match read_assembly(inputs.assembly_file.as_deref()) {
        Ok(bits) => bits,
        Err(code) => return code,
    };
    let live = if inputs.connection.connection_string.is_some()
        && inputs.catalog.is_none()
        && inputs.from_root.is_none()
    {
        match deploy_command::read_live(&inputs.connection) {
            Ok(live) => live,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else if inputs.catalog.is_none() && inputs.from_root.is_none() {
        eprintln!(
            "error: plan against what? give --catalog <snapshot.json>, --from-root <dir>, or --connection-string (or {})",
            codegen::deploy::CONNECTION_ENV
        );
        return ExitCode::FAILURE;
    } else if let Some(path) = &inputs.catalog {
        let rows = match read_snapshot(path) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        match catalog::build_live(&rows) {
            Ok(live) => live,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let from = inputs
            .from_root
            .as_deref()
            .map(|p| {
                if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    root.join(p)
                }
            })
            .unwrap_or_else(|| root.to_path_buf());
        let previous = output::generate(&from, source, options);
        if !previous.diagnostics.is_empty() {
            let files = SourceFiles::new(&previous.sources);
            eprint!("{}", render_diagnostics(&previous.diagnostics, &files));
            eprintln!(
                "error: the source under {} does not read cleanly; it cannot stand for the database",
                from.display()
            );
            return ExitCode::FAILURE;
        }
        match Live::from_model(&previous.model, options) {
            Ok(live) => live,
            Err(e) => {
                eprintln!("error: internal error rendering templates: {e:#}");
                return ExitCode::FAILURE;
            }
        }
    };
    let plan = match plan_changes_with_assembly(&live, desired, &allow, options, bits.as_deref()) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: internal error rendering templates: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let report = Report::new(&plan, started.elapsed());
    if !plan.is_empty()
        || !plan.extra.is_empty()
        || !plan.pre.is_empty()
        || !plan.post.is_empty()
        || !plan.data.is_empty()
    {
        print!("{plan}");
        println!();
    }
    print!("{report}");
    if let Some(path) = &inputs.script {
        let text = match render_script(&plan) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: internal error rendering templates: {e:#}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if let Some(path) = &inputs.report_json
        && let Err(e) = std::fs::write(path, report.to_json() + "\n")
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if plan.blocked.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// What the model holds, counted by kind, for the closing line.
fn model_summary(model: &codegen::model::Model) -> String {
    let counts = [
        (model.routines.len(), "routine", "routines"),
        (model.aggregates.len(), "aggregate", "aggregates"),
        (model.rows.len(), "row type", "row types"),
        (model.tables.len(), "table", "tables"),
        (model.sequences.len(), "sequence", "sequences"),
        (model.queues.len(), "queue", "queues"),
        (model.roles.len(), "role", "roles"),
    ];
    counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn register(
    files: &[codegen::emit::GeneratedFile],
    options: &EmitOptions,
    assembly_file: &std::path::Path,
    out: Option<&std::path::Path>,
    trust: &codegen::emit::Trust,
) -> ExitCode {
    let bits = match std::fs::read(assembly_file) {
        Ok(bits) => bits,
        Err(e) => {
            eprintln!(
                "error: cannot read assembly {}: {e}",
                assembly_file.display()
            );
            return ExitCode::FAILURE;
        }
    };
    if !bits.starts_with(b"MZ") {
        eprintln!(
            "error: {} is not a .NET assembly (no PE header); build generated/csharp with `dotnet build -c Release` and pass the DLL",
            assembly_file.display()
        );
        return ExitCode::FAILURE;
    }
    let script = match codegen::emit::emit_registration(files, options, &bits, trust) {
        Ok(script) => script,
        Err(e) => {
            eprintln!("error[HS0901]: internal error rendering the registration script: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    match out {
        Some(path) => match std::fs::write(path, &script) {
            Ok(()) => {
                println!(
                    "codegen register: wrote {} ({} bytes of assembly)",
                    path.display(),
                    bits.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            print!("{script}");
            ExitCode::SUCCESS
        }
    }
}
