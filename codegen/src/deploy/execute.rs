//! Running a deployment script on a live server, batch by batch, saying
//! which step is running, and stopping at the first error: the script holds
//! one transaction with `XACT_ABORT ON`, so SQL Server has rolled it back; a
//! `ROLLBACK` is sent in case the error left it open, and the error names the
//! batch, its step, the source of the object and the server's message.

use futures_io::{AsyncRead, AsyncWrite};
use std::fmt;
use tiberius::Client;

/// One batch of the script (the text between `GO` lines) and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The step it belongs to, from the script's comment
    /// (`step 3: alter table dbo.Atom: ...`), or its first line.
    pub label: String,
    /// Where its object is declared (`functions/src/vector.rs:17`), when the
    /// batch says.
    pub source: Option<String>,
    /// A planned step or a project step file, rather than the script's own
    /// bookkeeping (transaction, history table, checks between steps).
    pub is_step: bool,
    pub text: String,
}

/// Splits a script at its `GO` lines, dropping empty batches.
pub fn script_batches(script: &str) -> Vec<Batch> {
    let mut batches = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut flush = |lines: &mut Vec<&str>| {
        let text = lines.join("\n");
        lines.clear();
        if text.trim().is_empty() {
            return;
        }
        let comment = |l: &&str| l.trim_start().starts_with("--");
        let step = text
            .lines()
            .filter(comment)
            .map(|l| l.trim_start().trim_start_matches('-').trim())
            .find(|l| {
                l.starts_with("step ")
                    || l.starts_with("outside step ")
                    || l.starts_with("reference data ")
                    || l.starts_with("pre-deployment step")
                    || l.starts_with("post-deployment step")
            });
        let label = step
            .or_else(|| text.lines().find(|l| !comment(l) && !l.trim().is_empty()))
            .unwrap_or("")
            .trim()
            .to_string();
        let source = text
            .lines()
            .filter(comment)
            .map(|l| l.trim_start().trim_start_matches('-').trim())
            .find_map(|l| {
                let first = l.split_whitespace().next()?;
                let (file, line) = first.rsplit_once(':')?;
                (file.ends_with(".rs") || file.ends_with(".sql"))
                    .then_some(())
                    .filter(|()| line.bytes().all(|b| b.is_ascii_digit()) && !line.is_empty())
                    .map(|()| first.to_string())
            });
        batches.push(Batch {
            label,
            source,
            is_step: step.is_some(),
            text,
        });
    };
    for line in script.lines() {
        if line.trim().eq_ignore_ascii_case("GO") {
            flush(&mut current);
        } else {
            current.push(line);
        }
    }
    flush(&mut current);
    batches
}

/// A batch the server refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteError {
    /// 1-based, of `of`.
    pub batch: usize,
    pub of: usize,
    pub label: String,
    pub source: Option<String>,
    /// SQL Server's message (and number), or the connection's error.
    pub message: String,
    /// The line in the batch SQL Server points at.
    pub line: Option<u32>,
    /// Whether the transaction is known to be rolled back.
    pub rolled_back: bool,
    /// Steps that ran outside the transaction before the failure: they
    /// stay (labels).
    pub committed_outside: Vec<String>,
}

impl fmt::Display for ExecuteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "batch {} of {} failed", self.batch, self.of)?;
        if !self.label.is_empty() {
            write!(f, " ({})", self.label)?;
        }
        if let Some(source) = &self.source {
            write!(f, ", declared at {source}")?;
        }
        if let Some(line) = self.line {
            write!(f, ", line {line} of the batch")?;
        }
        write!(f, ": {}", self.message)?;
        if self.rolled_back && self.committed_outside.is_empty() {
            write!(f, "; the deployment was rolled back, nothing of it applied")
        } else if self.rolled_back {
            write!(
                f,
                "; the deployment was rolled back except what ran outside its transaction, which stays: {}",
                self.committed_outside.join("; ")
            )
        } else {
            write!(
                f,
                "; the rollback could not be confirmed: check the database before deploying again"
            )
        }
    }
}

impl std::error::Error for ExecuteError {}

/// What one reference data `MERGE` did, from the counts its script selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChange {
    /// `schema.table`.
    pub table: String,
    pub inserted: i32,
    pub updated: i32,
    pub deleted: i32,
}

impl fmt::Display for DataChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "reference data {}: {} inserted, {} updated, {} deleted",
            self.table, self.inserted, self.updated, self.deleted
        )
    }
}

/// The counts in a batch's results, where it is a reference data MERGE.
fn data_changes(results: &[Vec<tiberius::Row>]) -> Vec<DataChange> {
    let count = |row: &tiberius::Row, column: &str| {
        row.try_get::<i32, _>(column).ok().flatten().unwrap_or(0)
    };
    results
        .iter()
        .flatten()
        .filter_map(|row| {
            let table = row.try_get::<&str, _>("reference_data").ok().flatten()?;
            Some(DataChange {
                table: table.to_string(),
                inserted: count(row, "inserted"),
                updated: count(row, "updated"),
                deleted: count(row, "deleted"),
            })
        })
        .collect()
}

/// Runs the batches in order; `progress` hears of each before it runs.
/// Returns what the reference data MERGEs did.
pub async fn execute<S>(
    client: &mut Client<S>,
    batches: &[Batch],
    mut progress: impl FnMut(usize, usize, &Batch),
) -> Result<Vec<DataChange>, ExecuteError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut committed_outside: Vec<String> = Vec::new();
    let mut changes = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        progress(i + 1, batches.len(), batch);
        let result = match client.simple_query(batch.text.as_str()).await {
            Ok(stream) => stream
                .into_results()
                .await
                .map(|results| changes.extend(data_changes(&results))),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            let (message, line) = match &e {
                tiberius::error::Error::Server(token) => (
                    format!("{} (error {})", token.message(), token.code()),
                    Some(token.line()),
                ),
                other => (other.to_string(), None),
            };
            let rolled_back = rollback(client).await;
            return Err(ExecuteError {
                batch: i + 1,
                of: batches.len(),
                label: batch.label.clone(),
                source: batch.source.clone(),
                message,
                line,
                rolled_back,
                committed_outside,
            });
        }
        if batch.label.starts_with("outside step ") && !committed_outside.contains(&batch.label) {
            committed_outside.push(batch.label.clone());
        }
    }
    Ok(changes)
}

/// Rolls back what is open; true when the server confirmed it.
async fn rollback<S>(client: &mut Client<S>) -> bool
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    match client
        .simple_query("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; SET NOEXEC OFF;")
        .await
    {
        Ok(stream) => stream.into_results().await.is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_split_at_go_with_their_step_and_source() {
        let script = "SET XACT_ABORT ON;\nBEGIN TRANSACTION;\nGO\n-- step 1: create table dbo.T: new\n-- table [dbo].[T]\n-- functions/src/schema.rs:12 (Rust `T`)\nCREATE TABLE [dbo].[T] (x INT);\ngo\n\nGO\n-- post-deployment step seed.sql\nINSERT INTO dbo.T VALUES (1);\n";
        let batches = script_batches(script);
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0].label, "SET XACT_ABORT ON;");
        assert_eq!(batches[0].source, None);
        assert!(!batches[0].is_step && batches[1].is_step && batches[2].is_step);
        assert_eq!(batches[1].label, "step 1: create table dbo.T: new");
        assert_eq!(
            batches[1].source.as_deref(),
            Some("functions/src/schema.rs:12")
        );
        assert!(batches[1].text.ends_with("CREATE TABLE [dbo].[T] (x INT);"));
        assert_eq!(batches[2].label, "post-deployment step seed.sql");
    }

    #[test]
    fn errors_say_where_and_whether_it_was_rolled_back() {
        let e = ExecuteError {
            batch: 4,
            of: 9,
            label: "step 2: alter table dbo.T: column x widened".into(),
            source: Some("functions/src/schema.rs:12".into()),
            message: "Cannot insert NULL (error 515)".into(),
            line: Some(3),
            rolled_back: true,
            committed_outside: Vec::new(),
        };
        assert_eq!(
            e.to_string(),
            "batch 4 of 9 failed (step 2: alter table dbo.T: column x widened), declared at functions/src/schema.rs:12, line 3 of the batch: Cannot insert NULL (error 515); the deployment was rolled back, nothing of it applied"
        );
        let e = ExecuteError {
            committed_outside: vec!["outside step 1: create table dbo.Cache: new".into()],
            ..e
        };
        assert!(
            e.to_string().ends_with(
                "; the deployment was rolled back except what ran outside its transaction, which stays: outside step 1: create table dbo.Cache: new"
            ),
            "{e}"
        );
    }
}
