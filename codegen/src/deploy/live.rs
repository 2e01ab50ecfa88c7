//! `plan` and `deploy` against a live server: read its catalog, plan the
//! changes, and (for `deploy`) run the script, unless a change is blocked.

use super::{
    Allowances, Batch, DataChange, ExecuteError, Live, Plan, Report, catalog, execute,
    failure_record, plan_changes_with_assembly, read_catalog, render_script, script_batches,
};
use crate::emit::EmitOptions;
use crate::model::Model;
use futures_io::{AsyncRead, AsyncWrite};
use std::time::Instant;
use tiberius::Client;

/// The live side of a plan, read from the server's catalog.
pub async fn read_live<S>(client: &mut Client<S>) -> Result<Live, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let rows = read_catalog(client).await.map_err(|e| e.to_string())?;
    catalog::build_live(&rows).map_err(|e| e.to_string())
}

/// What a deployment came to.
#[derive(Debug)]
pub enum Deployment {
    /// Nothing differs and no project steps run: nothing was sent.
    NothingToDo,
    /// A change is blocked: nothing was sent.
    Blocked,
    /// Every batch ran and the transaction committed; `data` says what
    /// each reference data MERGE did.
    Deployed {
        batches: usize,
        data: Vec<DataChange>,
    },
    /// A batch failed; the transaction was rolled back. `recorded` says
    /// whether the failure was written to the deployment history.
    Failed { error: ExecuteError, recorded: bool },
}

/// A deployment's plan, its report and what became of it.
#[derive(Debug)]
pub struct DeployResult {
    pub plan: Plan,
    pub script: String,
    pub report: Report,
    pub outcome: Deployment,
}

/// Reads the server, plans (with the built assembly, when given), and runs
/// the plan's script when nothing is blocked; `progress` hears of each
/// batch before it runs.
pub async fn deploy<S>(
    client: &mut Client<S>,
    desired: &Model,
    allow: &Allowances,
    options: &EmitOptions,
    assembly_bits: Option<&[u8]>,
    progress: impl FnMut(usize, usize, &Batch),
) -> Result<DeployResult, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let started = Instant::now();
    let live = read_live(client).await?;
    let plan = plan_changes_with_assembly(&live, desired, allow, options, assembly_bits)
        .map_err(|e| format!("internal error rendering templates: {e:#}"))?;
    let script =
        render_script(&plan).map_err(|e| format!("internal error rendering templates: {e:#}"))?;
    let outcome = if !plan.blocked.is_empty() {
        Deployment::Blocked
    } else if plan.is_empty() && plan.pre.is_empty() && plan.post.is_empty() && plan.data.is_empty()
    {
        Deployment::NothingToDo
    } else {
        let batches = script_batches(&script);
        match execute(client, &batches, progress).await {
            Ok(data) => Deployment::Deployed {
                batches: batches.len(),
                data,
            },
            Err(error) => {
                // After the rollback, outside any transaction.
                let recorded = error.rolled_back
                    && match client.simple_query(failure_record(&plan)).await {
                        Ok(stream) => stream.into_results().await.is_ok(),
                        Err(_) => false,
                    };
                Deployment::Failed { error, recorded }
            }
        }
    };
    let report = Report::new(&plan, started.elapsed());
    Ok(DeployResult {
        plan,
        script,
        report,
        outcome,
    })
}
