//! `deploy` over a real TDS exchange: tiberius reads the catalog from the
//! loopback responder, the plan's batches are sent one by one in order, a
//! failing batch stops the deployment, is named with its step and source,
//! and is followed by a ROLLBACK; a database that matches plans nothing and
//! is sent nothing; a blocked change sends nothing.
//!
//! Then the round trip against a real SQL Server, when
//! HARTONOMOUS_TEST_CONNECTION_STRING names one (skipped, and said so,
//! otherwise).

use codegen::deploy::{Allowances, Deployment, deploy};
use codegen::emit::EmitOptions;
use codegen::model::Model;
use codegen::output::generate_with;
use workspace_tests::catalog_replies::{CannedCatalog, catalog_responses, text};
use workspace_tests::tds::{Cell, Reply, exchange_replies};

const SOURCE: &str = r#"use runtime::prelude::*;

/// Customers.
#[derive(SqlTable)]
pub struct Customer {
    #[sql(primary_key, identity)]
    pub customer_id: i32,
    #[sql(type = "NVARCHAR(100)")]
    pub name: String,
}

/// Customers by name.
#[sql_procedure(name = "sp_FindCustomers", body = r"SELECT [CustomerId], [Name] FROM [dbo].[Customer] WHERE [Name] LIKE @pattern;")]
pub fn find_customers(pattern: &str);
"#;

fn model(source: &str) -> Model {
    let generation = generate_with(
        "src/lib.rs",
        |path| match path {
            "src/lib.rs" => Ok(source.to_string()),
            other => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                other.to_string(),
            )),
        },
        &EmitOptions::default(),
    );
    assert!(
        generation.diagnostics.is_empty(),
        "{:#?}",
        generation.diagnostics
    );
    generation.model
}

/// An empty database's catalog.
fn empty_database() -> Vec<Reply> {
    catalog_responses(CannedCatalog::default())
        .into_iter()
        .map(Reply::Sets)
        .collect()
}

fn done() -> Reply {
    Reply::Sets(Vec::new())
}

/// Deploys `source` to the responder answering the catalog with
/// `catalog` and then each batch with `batch_replies` (DONE for the rest):
/// the result, what was sent after the catalog, and the progress lines.
fn run(
    source: &str,
    catalog: Vec<Reply>,
    batch_replies: Vec<Reply>,
) -> (codegen::deploy::DeployResult, Vec<String>, Vec<String>) {
    let desired = model(source);
    let mut replies = catalog;
    let catalog_queries = replies.len();
    replies.extend(batch_replies);
    // Enough DONEs for any plan here.
    replies.extend((0..64).map(|_| done()));
    let mut outcome = None;
    let mut progress = Vec::new();
    let requests = exchange_replies(replies, |mut client| {
        let outcome = &mut outcome;
        let progress = &mut progress;
        async move {
            let result = deploy(
                &mut client,
                &desired,
                &Allowances::default(),
                &EmitOptions::default(),
                None,
                |i, n, batch| progress.push(format!("[{i}/{n}] {}", batch.label)),
            )
            .await
            .expect("the catalog reads and the plan renders");
            *outcome = Some(result);
        }
    });
    let sent: Vec<String> = requests[catalog_queries..]
        .iter()
        .map(|r| {
            assert_eq!(r.kind, 0x01, "batches travel as SQL batches");
            // ALL_HEADERS first (its total length), then UTF-16 text.
            let skip = u32::from_le_bytes(r.payload[..4].try_into().unwrap()) as usize;
            let units: Vec<u16> = r.payload[skip..]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        })
        .collect();
    (outcome.expect("deploy ran"), sent, progress)
}

#[test]
fn reference_data_is_merged_and_its_counts_reported() {
    let source = format!(
        "{SOURCE}{}",
        r#"
#[sql_data(key = "Name")]
pub fn customers() -> Vec<Customer> {
    vec![Customer { customer_id: 1, name: "Contoso".into() }]
}
"#
    );
    // Where the MERGE falls among the batches of a new database's plan.
    let desired = model(&source);
    let plan = codegen::deploy::plan_changes(
        &codegen::deploy::Live::default(),
        &desired,
        &Allowances::default(),
        &EmitOptions::default(),
    )
    .unwrap();
    let batches = codegen::deploy::script_batches(&codegen::deploy::render_script(&plan).unwrap());
    let merge = batches
        .iter()
        .position(|b| b.text.contains("MERGE INTO [dbo].[Customer]"))
        .expect("the script merges the reference data");
    assert_eq!(
        batches[merge].label,
        "reference data [dbo].[Customer]: 1 row, matched by [Name]"
    );
    let mut replies: Vec<Reply> = (0..merge).map(|_| done()).collect();
    replies.push(Reply::Sets(vec![workspace_tests::tds::ResultSet::new(
        &[
            (
                "reference_data",
                workspace_tests::tds::TdsType::NVarChar(261),
            ),
            ("inserted", workspace_tests::tds::TdsType::Int),
            ("updated", workspace_tests::tds::TdsType::Int),
            ("deleted", workspace_tests::tds::TdsType::Int),
        ],
        vec![vec![
            text("dbo.Customer"),
            Cell::I32(1),
            Cell::I32(0),
            Cell::I32(0),
        ]],
    )]));
    let (result, sent, _) = run(&source, empty_database(), replies);
    let Deployment::Deployed { data, .. } = result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert!(sent[merge].contains("MERGE INTO [dbo].[Customer]"));
    assert_eq!(
        data.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["reference data dbo.Customer: 1 inserted, 0 updated, 0 deleted"]
    );
}

#[test]
fn a_new_database_gets_every_batch_in_order_and_commits() {
    let (result, sent, progress) = run(SOURCE, empty_database(), Vec::new());
    let Deployment::Deployed { batches, .. } = result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(sent.len(), batches, "one request per batch, nothing else");
    assert_eq!(progress.len(), batches);
    assert!(sent[0].contains("SET XACT_ABORT ON;") && sent[0].contains("BEGIN TRANSACTION;"));
    let table = sent
        .iter()
        .position(|b| b.contains("CREATE TABLE [dbo].[Customer]"))
        .expect("the table is created");
    let procedure = sent
        .iter()
        .position(|b| b.contains("CREATE OR ALTER PROCEDURE [dbo].[sp_FindCustomers]"))
        .expect("the procedure is created");
    assert!(
        table < procedure,
        "the table before the procedure that reads it"
    );
    assert!(sent.last().unwrap().contains("SET NOEXEC OFF;"));
    assert!(
        sent.iter().any(
            |b| b.contains("INSERT INTO [hartonomous].[DeploymentHistory]")
                && b.contains("COMMIT TRANSACTION;")
        ),
        "the history row and the commit"
    );
    assert!(
        progress[table].starts_with(&format!("[{}/{batches}] step ", table + 1)),
        "{progress:?}"
    );
    assert_eq!(result.report.steps, 2);
}

#[test]
fn a_failing_batch_stops_the_deployment_names_its_step_and_rolls_back() {
    // Find the table's batch in a dry run, then fail exactly that one.
    let (_, sent, _) = run(SOURCE, empty_database(), Vec::new());
    let failing = sent
        .iter()
        .position(|b| b.contains("CREATE TABLE [dbo].[Customer]"))
        .unwrap();
    let mut replies: Vec<Reply> = (0..failing).map(|_| done()).collect();
    replies.push(Reply::Error {
        number: 2714,
        message: "There is already an object named 'Customer' in the database.".into(),
        line: 12,
    });
    let (result, sent, progress) = run(SOURCE, empty_database(), replies);
    let Deployment::Failed { error, recorded } = &result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert!(recorded, "the responder accepted the failure record");
    assert_eq!(error.batch, failing + 1);
    assert_eq!(error.line, Some(12));
    assert!(
        error.label.starts_with("step 1: create table dbo.Customer"),
        "{}",
        error.label
    );
    assert_eq!(error.source.as_deref(), Some("src/lib.rs:5"));
    assert!(error.rolled_back);
    let said = error.to_string();
    assert!(
        said.contains("There is already an object named 'Customer' in the database. (error 2714)")
            && said.contains("the deployment was rolled back, nothing of it applied"),
        "{said}"
    );
    // Nothing after the failing batch but the rollback and the failure's
    // history row (kept only where an earlier deployment made the table).
    assert_eq!(sent.len(), failing + 3, "{sent:#?}");
    assert_eq!(
        sent[failing + 1],
        "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; SET NOEXEC OFF;"
    );
    assert!(
        sent[failing + 2].starts_with("IF OBJECT_ID(N'[hartonomous].[DeploymentHistory]', N'U') IS NOT NULL\n    INSERT INTO [hartonomous].[DeploymentHistory]")
            && sent[failing + 2].ends_with(&format!("'{}', 2, 0, N'failed');", result.plan.plan_hash())),
        "{}",
        sent[failing + 2]
    );
    assert_eq!(progress.len(), failing + 1);
}

#[test]
fn a_database_that_matches_is_sent_nothing() {
    // The catalog of the database SOURCE makes (what the planner's own
    // reading of the source says it holds), and the procedure's module.
    let nvarchar = |n: i32| vec![text("nvarchar"), Cell::I32(n)];
    let column = |name: &str, ty: Vec<Cell>, identity: bool, nullable: bool| {
        let mut row = vec![text("dbo"), text("Customer"), text(name)];
        row.extend(ty);
        row.extend([
            Cell::I32(if identity { 10 } else { 0 }),
            Cell::I32(0),
            if identity {
                Cell::Null
            } else {
                text("SQL_Latin1_General_CP1_CI_AS")
            },
            Cell::Bool(nullable),
            Cell::Bool(identity),
            if identity { Cell::I64(1) } else { Cell::Null },
            if identity { Cell::I64(1) } else { Cell::Null },
            Cell::Null,
            Cell::Bool(false),
            Cell::Null,
            Cell::Null,
            Cell::Null,
        ]);
        row
    };
    let canned = CannedCatalog {
        columns: vec![
            column("CustomerId", vec![text("int"), Cell::I32(4)], true, false),
            column("Name", nvarchar(200), false, false),
        ],
        keys: vec![vec![
            text("dbo"),
            text("Customer"),
            text("PK_Customer"),
            text("PK"),
            Cell::Bool(true),
            text("CustomerId"),
            Cell::Null,
        ]],
        modules: vec![vec![
            text("dbo"),
            text("sp_FindCustomers"),
            text("P "),
            text(
                "CREATE OR ALTER PROCEDURE [dbo].[sp_FindCustomers]\n    @pattern NVARCHAR(MAX)\nAS\nSELECT [CustomerId], [Name] FROM [dbo].[Customer] WHERE [Name] LIKE @pattern;",
            ),
        ]],
        ..CannedCatalog::default()
    };
    let catalog = catalog_responses(canned)
        .into_iter()
        .map(Reply::Sets)
        .collect();
    let (result, sent, progress) = run(SOURCE, catalog, Vec::new());
    assert!(
        matches!(result.outcome, Deployment::NothingToDo),
        "{:?}\n{}",
        result.outcome,
        result.plan
    );
    assert!(sent.is_empty() && progress.is_empty(), "{sent:#?}");
}

#[test]
fn a_blocked_change_sends_nothing() {
    // The database has a column the source no longer declares: dropping it
    // loses data, so nothing is deployed.
    let mut row = vec![
        text("dbo"),
        text("Customer"),
        text("Notes"),
        text("nvarchar"),
        Cell::I32(-1),
        Cell::I32(0),
        Cell::I32(0),
        text("SQL_Latin1_General_CP1_CI_AS"),
        Cell::Bool(true),
        Cell::Bool(false),
        Cell::Null,
        Cell::Null,
        Cell::Null,
        Cell::Bool(false),
        Cell::Null,
        Cell::Null,
        Cell::Null,
    ];
    let id = {
        let mut id = row.clone();
        id[2] = text("CustomerId");
        id[3] = text("int");
        id[4] = Cell::I32(4);
        id[7] = Cell::Null;
        id[8] = Cell::Bool(false);
        id[9] = Cell::Bool(true);
        id[10] = Cell::I64(1);
        id[11] = Cell::I64(1);
        id
    };
    row[8] = Cell::Bool(true);
    let catalog = catalog_responses(CannedCatalog {
        columns: vec![id, row],
        keys: vec![vec![
            text("dbo"),
            text("Customer"),
            text("PK_Customer"),
            text("PK"),
            Cell::Bool(true),
            text("CustomerId"),
            Cell::Null,
        ]],
        ..CannedCatalog::default()
    })
    .into_iter()
    .map(Reply::Sets)
    .collect();
    let (result, sent, _) = run(SOURCE, catalog, Vec::new());
    assert!(
        matches!(result.outcome, Deployment::Blocked),
        "{:?}",
        result.outcome
    );
    assert!(!result.plan.blocked.is_empty());
    assert!(sent.is_empty(), "{sent:#?}");
}

/// Deploy, deploy again (nothing to do), change, deploy: against the server
/// HARTONOMOUS_TEST_CONNECTION_STRING names. Skipped, and said so, without it.
#[test]
fn round_trip_against_a_live_server() {
    let Ok(connection_string) = std::env::var("HARTONOMOUS_TEST_CONNECTION_STRING") else {
        // Straight to stderr, past the test harness's capture: a skip is said.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED round_trip_against_a_live_server: no SQL Server here (set HARTONOMOUS_TEST_CONNECTION_STRING to an empty database's ADO.NET connection string to run it)"
        );
        return;
    };
    let options = codegen::deploy::ConnectOptions {
        trust_local_certificate: std::env::var("HARTONOMOUS_TEST_TRUST_LOCAL_CERTIFICATE").is_ok(),
        connection_string,
        access_token: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let deploy_once = |source: &str| {
        let desired = model(source);
        runtime.block_on(async {
            let config = codegen::deploy::server_config(&options).unwrap();
            let mut client = codegen::deploy::connect(config).await.unwrap();
            deploy(
                &mut client,
                &desired,
                &Allowances::default(),
                &EmitOptions::default(),
                None,
                |i, n, batch| println!("[{i}/{n}] {}", batch.label),
            )
            .await
            .unwrap()
        })
    };
    let first = deploy_once(SOURCE);
    assert!(
        matches!(first.outcome, Deployment::Deployed { .. }),
        "{:?}",
        first.outcome
    );
    let again = deploy_once(SOURCE);
    assert!(
        matches!(again.outcome, Deployment::NothingToDo),
        "redeploying the same source plans nothing: {:?}\n{}",
        again.outcome,
        again.plan
    );
    let changed = SOURCE.replace("NVARCHAR(100)", "NVARCHAR(200)");
    let widened = deploy_once(&changed);
    assert!(
        matches!(widened.outcome, Deployment::Deployed { .. }),
        "{:?}",
        widened.outcome
    );
    let settled = deploy_once(&changed);
    assert!(
        matches!(settled.outcome, Deployment::NothingToDo),
        "{}",
        settled.plan
    );
}
