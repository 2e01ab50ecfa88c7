//! The catalog reader's rows → the live model → a plan: a database that
//! holds exactly what the source describes (with SQL Server's stored forms
//! of expressions, its default collation on every character column) plans
//! nothing, and a difference in the rows plans the change.

use codegen::deploy::catalog::{
    CatalogRows, CheckRow, ColumnRow, ForeignKeyRow, IndexRow, KeyRow, ModuleRow, build_live,
};
use codegen::deploy::{Allowances, Plan, plan_changes};
use codegen::emit::{EmitOptions, emit_object_scripts};
use codegen::model::{Model, ObjectKey};
use codegen::output::generate_with;

const SOURCE: &str = r##"
#[derive(SqlTable)]
pub struct Customer {
    #[sql(primary_key, identity)]
    pub customer_id: i32,
    #[sql(type = "NVARCHAR(100)", unique)]
    pub name: String,
    #[sql(default = "1")]
    pub is_active: bool,
}

#[derive(SqlTable)]
#[sql(index(columns = "CustomerId", include = "Amount", where = "[Amount] > 0"))]
pub struct Purchase {
    #[sql(primary_key, identity)]
    pub purchase_id: i64,
    #[sql(references = "dbo.Customer(CustomerId)", on_delete = "cascade")]
    pub customer_id: i32,
    #[sql(type = "DECIMAL(12, 2)", check = "[Amount] >= 0")]
    pub amount: Decimal,
    pub embedding: Option<Vector<1998>>,
    #[sql(computed = "[Amount] * 2", type = "DECIMAL(15, 2)")]
    pub doubled: Option<Decimal>,
}

/// Purchases of one customer.
#[sql_procedure(name = "sp_Purchases", body = r#"SELECT [PurchaseId] FROM [dbo].[Purchase] WHERE [CustomerId] = @customerid;"#)]
pub fn purchases(customerid: i32) -> Vec<PurchaseId>;

#[derive(SqlRow)]
pub struct PurchaseId {
    pub purchase_id: i64,
}
"##;

fn model(source: &str) -> Model {
    let generation = generate_with(
        "src/lib.rs",
        |p| {
            (p == "src/lib.rs")
                .then(|| source.to_string())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
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

const COLLATION: &str = "SQL_Latin1_General_CP1_CI_AS";

fn column(table: &str, name: &str, type_name: &str, max_length: i32) -> ColumnRow {
    ColumnRow {
        schema: "dbo".into(),
        table: table.into(),
        column: name.into(),
        type_name: type_name.into(),
        max_length,
        ..ColumnRow::default()
    }
}

/// What SQL Server's catalog returns once the source's scripts have run.
fn deployed(model: &Model) -> CatalogRows {
    let procedure = emit_object_scripts(model, &EmitOptions::default())
        .unwrap()
        .into_iter()
        .find(|(k, _)| matches!(k, ObjectKey::Routine(..)))
        .expect("the procedure's script")
        .1
        .contents;
    CatalogRows {
        last_deployment: None,
        default_collation: COLLATION.into(),
        columns: vec![
            ColumnRow {
                identity: Some((1, 1)),
                ..column("Customer", "CustomerId", "int", 4)
            },
            ColumnRow {
                collation: Some(COLLATION.into()),
                ..column("Customer", "Name", "nvarchar", 200)
            },
            ColumnRow {
                default: Some(("DF_Customer_IsActive".into(), "((1))".into())),
                ..column("Customer", "IsActive", "bit", 1)
            },
            ColumnRow {
                identity: Some((1, 1)),
                ..column("Purchase", "PurchaseId", "bigint", 8)
            },
            column("Purchase", "CustomerId", "int", 4),
            ColumnRow {
                precision: 12,
                scale: 2,
                ..column("Purchase", "Amount", "decimal", 9)
            },
            ColumnRow {
                nullable: true,
                vector_dimensions: Some(1998),
                ..column("Purchase", "Embedding", "vector", 8000)
            },
            ColumnRow {
                nullable: true,
                precision: 15,
                scale: 2,
                computed: Some("([Amount]*(2))".into()),
                ..column("Purchase", "Doubled", "decimal", 9)
            },
        ],
        keys: vec![
            KeyRow {
                schema: "dbo".into(),
                table: "Customer".into(),
                name: "PK_Customer".into(),
                kind: "PK".into(),
                clustered: true,
                column: "CustomerId".into(),
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Customer".into(),
                name: "UQ_Customer_Name".into(),
                kind: "UQ".into(),
                clustered: false,
                column: "Name".into(),
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Purchase".into(),
                name: "PK_Purchase".into(),
                kind: "PK".into(),
                clustered: true,
                column: "PurchaseId".into(),
            },
        ],
        foreign_keys: vec![ForeignKeyRow {
            schema: "dbo".into(),
            table: "Purchase".into(),
            name: "FK_Purchase_CustomerId".into(),
            column: "CustomerId".into(),
            referenced_schema: "dbo".into(),
            referenced_table: "Customer".into(),
            referenced_column: "CustomerId".into(),
            on_delete: "CASCADE".into(),
            on_update: "NO_ACTION".into(),
        }],
        checks: vec![CheckRow {
            schema: "dbo".into(),
            table: "Purchase".into(),
            name: "CK_Purchase_Amount".into(),
            definition: "([Amount]>=(0))".into(),
        }],
        indexes: ["CustomerId", "Amount"]
            .iter()
            .enumerate()
            .map(|(i, c)| IndexRow {
                schema: "dbo".into(),
                table: "Purchase".into(),
                name: "IX_Purchase_CustomerId".into(),
                unique: false,
                type_desc: "NONCLUSTERED".into(),
                filter: Some("([Amount]>(0))".into()),
                column: Some(c.to_string()),
                descending: false,
                included: i == 1,
            })
            .collect(),
        temporal: Vec::new(),
        modules: vec![ModuleRow {
            schema: "dbo".into(),
            name: "sp_Purchases".into(),
            object_type: "P ".into(),
            definition: procedure,
        }],
    }
}

/// The plan from a database described by `rows` to the source.
fn plan_from(rows: &CatalogRows, desired: &Model) -> Plan {
    let live = build_live(rows).unwrap();
    plan_changes(&live, desired, &Allowances::none(), &EmitOptions::default()).unwrap()
}

#[test]
fn a_database_that_matches_the_source_plans_nothing() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    // codegen's own deployment history is not an extra table.
    rows.columns.push(ColumnRow {
        schema: "hartonomous".into(),
        ..column("DeploymentHistory", "DeploymentId", "int", 4)
    });
    rows.keys.push(KeyRow {
        schema: "hartonomous".into(),
        table: "DeploymentHistory".into(),
        name: "PK_DeploymentHistory".into(),
        kind: "PK".into(),
        clustered: true,
        column: "DeploymentId".into(),
    });
    let plan = plan_from(&rows, &desired);
    assert!(plan.is_empty() && plan.extra.is_empty(), "{plan}");
    assert_eq!(
        plan.to_string(),
        "nothing to do: the database matches the source\n"
    );
}

#[test]
fn differences_in_the_catalog_are_planned() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    // The database's Name is shorter, its check differs, a column is
    // missing, an index is extra and the procedure was changed by hand.
    rows.columns[1].max_length = 100;
    rows.checks[0].definition = "([Amount]>(0))".into();
    rows.columns.retain(|c| c.column != "IsActive");
    rows.indexes.push(IndexRow {
        schema: "dbo".into(),
        table: "Customer".into(),
        name: "IX_Manual".into(),
        type_desc: "NONCLUSTERED".into(),
        column: Some("Name".into()),
        ..IndexRow::default()
    });
    rows.modules[0].definition = rows.modules[0]
        .definition
        .replace("WHERE", "WITH (NOLOCK) WHERE");
    let text = plan_from(&rows, &desired).to_string();
    for expected in [
        "drop index [IX_Manual]",
        "add column [IsActive]",
        "widen column [Name] NVARCHAR(50) NOT NULL → NVARCHAR(100) NOT NULL",
        "drop constraint [CK_Purchase_Amount]",
        "add constraint [CK_Purchase_Amount]",
        "alter procedure dbo.sp_Purchases: definition changed",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn types_the_model_cannot_hold_are_named() {
    let mut rows = deployed(&model(SOURCE));
    rows.columns[0].type_name = "sql_variant".into();
    let e = build_live(&rows).unwrap_err();
    assert_eq!(
        e.to_string(),
        "reading the catalog: dbo.Customer.CustomerId: type `sql_variant` is not one codegen models"
    );
    let mut rows = deployed(&model(SOURCE));
    rows.columns[6].vector_dimensions = None;
    assert!(build_live(&rows).unwrap_err().message.contains("VECTOR"));
}
