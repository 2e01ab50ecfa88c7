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
            Cell::Null,
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
            Cell::Null,
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
        schemas: vec![vec![text("sales"), text("SalesOwner")]],
        sequences: vec![vec![
            text("sales"),
            text("OrderNumber"),
            text("bigint"),
            Cell::I32(19),
            text("10"),
            text("5"),
            text("-9223372036854775808"),
            text("9223372036854775807"),
            Cell::Bool(false),
            Cell::Bool(true),
            Cell::Null,
        ]],
        message_types: vec![vec![text("//Shop/Order"), text("X "), Cell::Bool(false)]],
        contracts: vec![vec![
            text("//Shop/OrderContract"),
            text("//Shop/Order"),
            Cell::Bool(true),
            Cell::Bool(false),
        ]],
        queues: vec![vec![
            text("dbo"),
            text("OrderQueue"),
            Cell::Bool(true),
            text("[Shop].[dbo].[sp_Touch]"),
            Cell::I32(2),
            Cell::I32(-2),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Bool(true),
        ]],
        services: vec![vec![
            text("//Shop/Orders"),
            text("dbo"),
            text("OrderQueue"),
            Cell::Null,
        ]],
        roles: vec![
            vec![
                text("Auditor"),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
            vec![
                text("Clerk"),
                text("D"),
                text("DELETE"),
                text("dbo"),
                text("Atom"),
            ],
        ],
        tenant_policy: vec![vec![
            Cell::Bool(true),
            Cell::Bool(true),
            text("dbo"),
            text("Atom"),
            text("([security].[fn_TenantAccessPredicate]([TenantId]))"),
            text("FILTER"),
            Cell::Null,
        ]],
        assemblies: vec![vec![
            text("Hartonomous.Functions"),
            text("UNSAFE_ACCESS"),
            text(&"AB".repeat(64)),
        ]],
        clr_modules: vec![
            vec![
                text("dbo"),
                text("sp_Ping"),
                text("PC"),
                text("Hartonomous.Functions"),
                text("Hartonomous.Functions.Native"),
                text("ping"),
                Cell::Bool(false),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
            vec![
                text("dbo"),
                text("fn_Rows"),
                text("FT"),
                text("Hartonomous.Functions"),
                text("Hartonomous.Functions.Native"),
                text("rows"),
                Cell::Bool(false),
                text("@count"),
                Cell::I32(1),
                text("int"),
                Cell::I32(4),
                Cell::I32(10),
                Cell::I32(0),
                Cell::Bool(false),
            ],
        ],
        tables: vec![vec![
            text("dbo"),
            text("Atom"),
            Cell::Bool(true),
            text("SCHEMA_ONLY"),
            Cell::Bool(false),
            Cell::Bool(false),
        ]],
        spatial_indexes: vec![vec![
            text("dbo"),
            text("Atom"),
            text("SIX_Atom_Text"),
            text("Text"),
            text("GEOMETRY_AUTO_GRID"),
            Cell::F64(0.0),
            Cell::F64(0.0),
            Cell::F64(2097152.0),
            Cell::F64(2097152.0),
        ]],
        vector_indexes: vec![vec![
            text("dbo"),
            text("Atom"),
            text("VIX_Atom_Embedding"),
            text("Embedding"),
            text("cosine"),
        ]],
        clr_columns: vec![vec![
            text("dbo"),
            text("fn_Rows"),
            text("Value"),
            text("nvarchar"),
            Cell::I32(-1),
            Cell::I32(0),
            Cell::I32(0),
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
            bucket_count: None,
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
            bucket_count: None,
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
        "sys.schemas",
        "sys.sequences",
        "sys.service_message_types",
        "sys.service_contract_message_usages",
        "sys.service_queues",
        "sys.service_contract_usages",
        "sys.database_permissions",
        "sys.security_predicates",
        "sys.assembly_files",
        "sys.assembly_modules",
        "o.type = 'FT'",
        "t.is_node",
        "sys.edge_constraint_clauses",
        "sys.spatial_index_tessellations",
        "sys.vector_indexes",
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

    // Schemas, sequences, Service Broker, roles, the policy and the CLR
    // modules, read and made into the live model.
    assert_eq!(rows.sequences[0].cache_size, None);
    assert_eq!(rows.services[0].contract, None);
    assert_eq!(rows.roles[0].permission, None);
    assert_eq!(rows.roles[1].state.as_deref(), Some("D"));
    assert_eq!(rows.tenant_policy[0].operation, None);
    assert_eq!(rows.assemblies[0].sha2_512, "AB".repeat(64));
    assert_eq!(rows.clr_modules[0].parameter, None);
    assert_eq!(
        rows.clr_modules[1]
            .parameter
            .as_ref()
            .map(|p| p.name.as_str()),
        Some("@count")
    );
    let objects = &live.objects;
    assert_eq!(objects.schemas[0].owner.as_deref(), Some("SalesOwner"));
    assert_eq!(objects.sequences[0].start, 10);
    assert_eq!(objects.sequences[0].max, Some(i64::MAX));
    assert_eq!(objects.message_types[0].validation, "WELL_FORMED_XML");
    assert_eq!(objects.contracts[0].messages.len(), 1);
    let activation = objects.queues[0].queue.activation.as_ref().unwrap();
    assert_eq!(activation.procedure.to_string(), "dbo.sp_Touch");
    assert!(objects.services[0].contracts.is_empty());
    assert_eq!(objects.roles.len(), 2);
    assert!(objects.roles[0].permissions.is_empty());
    assert!(objects.roles[1].permissions[0].deny);
    assert_eq!(objects.tenant_policy.as_ref().unwrap().predicates.len(), 1);
    assert_eq!(
        atom.memory_optimized,
        Some(codegen::model::Durability::SchemaOnly)
    );
    assert_eq!(
        atom.spatial_indexes[0].bounding_box,
        Some([0.0, 0.0, 2097152.0, 2097152.0])
    );
    let keys: Vec<String> = live_keys(&live);
    for key in [
        "procedure dbo.sp_Ping",
        "function dbo.fn_Rows",
        "vector index VIX_Atom_Embedding on dbo.Atom",
    ] {
        assert!(keys.contains(&key.to_string()), "{key} in {keys:?}");
    }
}

/// What a plan against an empty source reports as extra: every object read.
fn live_keys(live: &codegen::deploy::Live) -> Vec<String> {
    let empty = codegen::model::Model::default();
    let plan = codegen::deploy::plan_changes(
        live,
        &empty,
        &codegen::deploy::Allowances::none(),
        &codegen::emit::EmitOptions::default(),
    )
    .unwrap();
    plan.extra.iter().map(ToString::to_string).collect()
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
