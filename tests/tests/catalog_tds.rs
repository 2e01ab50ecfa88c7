//! The catalog reader over a real TDS exchange: tiberius sends each catalog
//! query to the responder on loopback, which answers with canned catalog
//! rows typed as the queries cast them; the rows read back are checked
//! field by field, and the queries by what they ask for.

use codegen::deploy::catalog::{CatalogRows, ColumnRow, IndexRow, KeyRow, ModuleRow, TemporalRow};
use codegen::deploy::read_catalog;
use workspace_tests::catalog_replies::{CannedCatalog, text};
use workspace_tests::tds::{Cell, ResultSet, exchange};

/// The canned catalog around `column_rows`: a key, an index, a temporal
/// table, a deployment and a module.
fn catalog_responses(column_rows: Vec<Vec<Cell>>) -> Vec<Vec<ResultSet>> {
    workspace_tests::catalog_replies::catalog_responses(CannedCatalog {
        columns: column_rows,
        keys: vec![vec![
            text("dbo"),
            text("Atom"),
            text("PK_Atom"),
            text("PK"),
            Cell::Bool(true),
            text("AtomId"),
        ]],
        indexes: vec![vec![
            text("dbo"),
            text("Atom"),
            text("IX_Atom_Text"),
            Cell::Bool(false),
            text("NONCLUSTERED"),
            text("([Text] IS NOT NULL)"),
            text("Text"),
            Cell::Bool(true),
            Cell::Bool(false),
        ]],
        temporal: vec![vec![
            text("dbo"),
            text("Atom"),
            text("dbo"),
            text("AtomHistory"),
            Cell::I32(90),
            text("DAY"),
            text("ValidFrom"),
            text("ValidTo"),
            Cell::Bool(false),
        ]],
        last_deployment: vec![vec![
            text("2026-11-26T03:00:00.000"),
            text("deployer"),
            text(&"a".repeat(64)),
            text(&"b".repeat(64)),
            text("deployed"),
        ]],
        modules: vec![vec![
            text("dbo"),
            text("sp_Touch"),
            text("P "),
            text("CREATE OR ALTER PROCEDURE [dbo].[sp_Touch] AS SELECT 1;"),
        ]],
        ..CannedCatalog::default()
    })
}

fn atom_columns() -> Vec<Vec<Cell>> {
    vec![
        vec![
            text("dbo"),
            text("Atom"),
            text("AtomId"),
            text("bigint"),
            Cell::I32(8),
            Cell::I32(19),
            Cell::I32(0),
            Cell::Null,
            Cell::Bool(false),
            Cell::Bool(true),
            Cell::I64(1),
            Cell::I64(1),
            Cell::Null,
            Cell::Bool(false),
            Cell::Null,
            Cell::Null,
            Cell::Null,
        ],
        vec![
            text("dbo"),
            text("Atom"),
            text("Text"),
            text("nvarchar"),
            Cell::I32(400),
            Cell::I32(0),
            Cell::I32(0),
            text("SQL_Latin1_General_CP1_CI_AS"),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Bool(false),
            text("DF_Atom_Text"),
            text("(N'')"),
            Cell::Null,
        ],
        vec![
            text("dbo"),
            text("Atom"),
            text("Embedding"),
            text("vector"),
            Cell::I32(7996),
            Cell::I32(0),
            Cell::I32(0),
            Cell::Null,
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Bool(false),
            Cell::Null,
            Cell::Null,
            Cell::I32(1998),
        ],
    ]
}

#[test]
fn catalog_rows_are_read_over_tds() {
    let mut read = None;
    let requests = exchange(catalog_responses(atom_columns()), |mut client| {
        let slot = &mut read;
        async move {
            *slot = Some(read_catalog(&mut client).await.expect("the catalog reads"));
        }
    });
    let rows: CatalogRows = read.expect("read");
    assert_eq!(rows.default_collation, "SQL_Latin1_General_CP1_CI_AS");
    assert_eq!(
        rows.columns[0],
        ColumnRow {
            schema: "dbo".into(),
            table: "Atom".into(),
            column: "AtomId".into(),
            type_name: "bigint".into(),
            max_length: 8,
            precision: 19,
            identity: Some((1, 1)),
            ..ColumnRow::default()
        }
    );
    assert_eq!(
        rows.columns[1].default,
        Some(("DF_Atom_Text".into(), "(N'')".into()))
    );
    assert_eq!(
        rows.columns[1].collation.as_deref(),
        Some("SQL_Latin1_General_CP1_CI_AS")
    );
    assert!(rows.columns[1].nullable);
    assert_eq!(rows.columns[2].vector_dimensions, Some(1998));
    assert_eq!(
        rows.keys,
        vec![KeyRow {
            schema: "dbo".into(),
            table: "Atom".into(),
            name: "PK_Atom".into(),
            kind: "PK".into(),
            clustered: true,
            column: "AtomId".into(),
        }]
    );
    assert_eq!(
        rows.indexes,
        vec![IndexRow {
            schema: "dbo".into(),
            table: "Atom".into(),
            name: "IX_Atom_Text".into(),
            unique: false,
            type_desc: "NONCLUSTERED".into(),
            filter: Some("([Text] IS NOT NULL)".into()),
            column: Some("Text".into()),
            descending: true,
            included: false,
        }]
    );
    assert_eq!(
        rows.temporal,
        vec![TemporalRow {
            schema: "dbo".into(),
            table: "Atom".into(),
            history_schema: "dbo".into(),
            history_table: "AtomHistory".into(),
            retention: Some((90, "DAY".into())),
            period_start: "ValidFrom".into(),
            period_end: "ValidTo".into(),
            hidden: false,
        }]
    );
    assert_eq!(
        rows.modules,
        vec![ModuleRow {
            schema: "dbo".into(),
            name: "sp_Touch".into(),
            object_type: "P ".into(),
            definition: "CREATE OR ALTER PROCEDURE [dbo].[sp_Touch] AS SELECT 1;".into(),
        }]
    );

    let last = rows.last_deployment.as_ref().expect("a deployment row");
    assert_eq!(last.deployed_by, "deployer");
    assert_eq!(last.source_hash, "a".repeat(64));
    assert_eq!(last.outcome, "deployed");

    // One SQL batch per query, in order, each asking the catalog views it
    // needs; SQL Server 2025 (major version 17) has vector_dimensions.
    let asked: Vec<&str> = vec![
        "SERVERPROPERTY('ProductMajorVersion')",
        "c.vector_dimensions",
        "sys.key_constraints",
        "sys.foreign_key_columns",
        "sys.check_constraints",
        "sys.index_columns",
        "sys.periods",
        "[hartonomous].[DeploymentHistory]",
        "sys.sql_modules",
    ];
    assert_eq!(requests.len(), asked.len());
    for (request, marker) in requests.iter().zip(asked) {
        assert_eq!(request.kind, 0x01, "a SQL batch");
        assert!(
            request.contains_text(marker),
            "a request without `{marker}`"
        );
    }

    // And the rows make the live model: the database default collation is
    // left out, the stored default kept for comparing, the period read.
    let live = codegen::deploy::catalog::build_live(&rows).unwrap();
    let atom = &live.tables[0];
    assert_eq!(atom.columns[1].collation, None);
    assert_eq!(atom.columns[2].value.sql.to_string(), "VECTOR(1998)");
    let temporal = atom.temporal.as_ref().expect("versioned");
    assert_eq!(temporal.retention.as_deref(), Some("90 DAYS"));
}

#[test]
fn a_missing_value_names_the_query_and_the_column() {
    let mut columns = atom_columns();
    columns[0][3] = Cell::Null; // type_name
    let mut error = None;
    exchange(catalog_responses(columns), |mut client| {
        let slot = &mut error;
        async move {
            *slot = Some(read_catalog(&mut client).await.unwrap_err().to_string());
        }
    });
    assert_eq!(
        error.as_deref(),
        Some("reading the catalog (columns query): `type_name` is NULL")
    );
}
