//! The binary's side of `plan` and `deploy` against a live server: the
//! connection flags, a runtime for tiberius, and what is printed.

use clap::Args;
use codegen::deploy::{
    ACCESS_TOKEN_ENV, Allowances, CONNECTION_ENV, ConnectOptions, Deployment, LiveClient, Report,
};
use codegen::emit::EmitOptions;
use codegen::model::Model;
use std::path::PathBuf;
use std::process::ExitCode;

/// How to reach the server. The string and the token are read from the
/// environment when not given, and never printed (help shows the variable's
/// name only).
#[derive(Args, Clone, Default)]
pub struct ConnectionArgs {
    /// ADO.NET connection string (`Server=tcp:host,1433;Database=..;User Id=..;Password=..`;
    /// `Integrated Security=true` for Windows authentication where tiberius
    /// supports it). TLS is required unless the string says `Encrypt=false`.
    #[arg(long, env = CONNECTION_ENV, hide_env_values = true)]
    pub connection_string: Option<String>,
    /// Trust the server's certificate without verifying it: only for a
    /// server on this machine (a development container's self-signed one).
    #[arg(long)]
    pub trust_server_certificate: bool,
    /// Log in with this Azure AD (Entra ID) access token instead of the
    /// string's credentials.
    #[arg(long, env = ACCESS_TOKEN_ENV, hide_env_values = true)]
    pub access_token: Option<String>,
}

impl ConnectionArgs {
    fn options(&self) -> ConnectOptions {
        ConnectOptions {
            connection_string: self.connection_string.clone().unwrap_or_default(),
            trust_local_certificate: self.trust_server_certificate,
            access_token: self.access_token.clone(),
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))
}

async fn client(args: &ConnectionArgs) -> Result<LiveClient, String> {
    let config = codegen::deploy::server_config(&args.options()).map_err(|e| e.to_string())?;
    codegen::deploy::connect(config)
        .await
        .map_err(|e| e.to_string())
}

/// The live side of `codegen plan --connection-string`.
pub fn read_live(args: &ConnectionArgs) -> Result<codegen::deploy::Live, String> {
    runtime()?.block_on(async {
        let mut client = client(args).await?;
        codegen::deploy::read_live(&mut client).await
    })
}

/// The catalog rows of the live server, for `codegen drift`.
pub fn read_rows(args: &ConnectionArgs) -> Result<codegen::deploy::catalog::CatalogRows, String> {
    runtime()?.block_on(async {
        let mut client = client(args).await?;
        codegen::deploy::read_catalog(&mut client)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Where `deploy` writes what it ran and its report.
pub struct DeployOutputs {
    pub script: Option<PathBuf>,
    pub report_json: Option<PathBuf>,
}

/// `codegen deploy`: exit 0 when deployed or nothing to do, 2 when a change
/// is blocked (nothing sent), 1 when the connection or a batch failed (the
/// transaction rolled back).
pub fn deploy(
    args: &ConnectionArgs,
    desired: &Model,
    allow: &Allowances,
    options: &EmitOptions,
    assembly_bits: Option<&[u8]>,
    outputs: &DeployOutputs,
) -> ExitCode {
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let mut client = client(args).await?;
            codegen::deploy::deploy(
                &mut client,
                desired,
                allow,
                options,
                assembly_bits,
                |i, n, batch| {
                    if batch.is_step {
                        println!("[{i}/{n}] {}", batch.label);
                    } else {
                        println!("[{i}/{n}] (bookkeeping) {}", batch.label);
                    }
                },
            )
            .await
        })
    });
    let result = match result {
        Ok(result) => result,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &outputs.script
        && let Err(e) = std::fs::write(path, &result.script)
    {
        eprintln!("error: cannot write {}: {e}", path.display());
    }
    if let Some(path) = &outputs.report_json
        && let Err(e) = std::fs::write(path, with_outcome(&result.report, &result.outcome) + "\n")
    {
        eprintln!("error: cannot write {}: {e}", path.display());
    }
    match &result.outcome {
        Deployment::NothingToDo => {
            println!("nothing to do: the database matches the source");
            print!("{}", result.report);
            ExitCode::SUCCESS
        }
        Deployment::Blocked => {
            print!("{}", result.plan);
            println!();
            print!("{}", result.report);
            eprintln!(
                "error: nothing was deployed: allow the blocked changes or change the source"
            );
            ExitCode::from(2)
        }
        Deployment::Deployed { batches, data } => {
            let outside = result.plan.outside.len();
            if outside == 0 {
                println!("deployed: {batches} batches in one transaction, committed");
            } else {
                println!(
                    "deployed: {batches} batches, {outside} step{} outside the transaction and the rest in one, committed",
                    if outside == 1 { "" } else { "s" }
                );
            }
            for change in data {
                println!("{change}");
            }
            print!("{}", result.report);
            ExitCode::SUCCESS
        }
        Deployment::Failed { error, recorded } => {
            print!("{}", result.report);
            eprintln!("error: {error}");
            if *recorded {
                eprintln!("the failure is recorded in the deployment history");
            }
            ExitCode::FAILURE
        }
    }
}

/// The report's JSON with what became of the deployment.
fn with_outcome(report: &Report, outcome: &Deployment) -> String {
    let mut value: serde_json::Value =
        serde_json::from_str(&report.to_json()).unwrap_or(serde_json::Value::Null);
    let (name, detail) = match outcome {
        Deployment::NothingToDo => ("nothing to do", None),
        Deployment::Blocked => ("blocked", None),
        Deployment::Deployed { .. } => ("deployed", None),
        Deployment::Failed { error, .. } => ("failed", Some(error.to_string())),
    };
    if let (serde_json::Value::Object(map), Deployment::Deployed { data, .. }) =
        (&mut value, outcome)
    {
        let merged: Vec<serde_json::Value> = data
            .iter()
            .map(|d| {
                serde_json::json!({
                    "table": d.table,
                    "inserted": d.inserted,
                    "updated": d.updated,
                    "deleted": d.deleted,
                })
            })
            .collect();
        map.insert("reference_data_merged".into(), merged.into());
    }
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("outcome".into(), name.into());
        if let Some(detail) = detail {
            map.insert("error".into(), detail.into());
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
