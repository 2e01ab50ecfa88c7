//! The catalog reader's rows → the live model → a plan: a database that
//! holds exactly what the source describes (with SQL Server's stored forms
//! of expressions, its default collation on every character column) plans
//! nothing, and a difference in the rows plans the change.

use codegen::deploy::catalog::{
    AssemblyRow, CatalogRows, CheckRow, ClrColumnRow, ClrModuleRow, ClrParameterRow, ColumnRow,
    ContractRow, ForeignKeyRow, IndexRow, KeyRow, MessageTypeRow, ModuleRow, PolicyRow, QueueRow,
    RoleRow, SchemaRow, SequenceRow, ServiceRow, build_live,
};
use codegen::deploy::catalog::{EdgeConstraintRow, SpatialIndexRow, TableRow, VectorIndexRow};
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

/// A tenant's notes.
#[derive(SqlTable)]
#[sql(tenant)]
pub struct Note {
    #[sql(primary_key)]
    pub note_id: i32,
    pub tenant_id: i32,
}

#[sql_schema(name = "sales", authorization = "SalesOwner")]
pub struct Sales;

#[sql_sequence(schema = "sales", start = 10, increment = 5, cache = 50)]
pub struct OrderNumber;

#[sql_message_type(name = "//Shop/Order", validation = "well_formed_xml")]
pub struct OrderMessage;

#[sql_contract(name = "//Shop/OrderContract", initiator = "//Shop/Order")]
pub struct OrderContract;

/// Orders to fill.
#[sql_queue(activation = "dbo.sp_FillOrders", max_readers = 2, service = "//Shop/Orders", contracts = "//Shop/OrderContract")]
pub struct OrderQueue;

#[sql_procedure(name = "sp_FillOrders", body = "RETURN;")]
pub fn fill_orders();

#[sql_role(grant = "SELECT, INSERT ON dbo.Purchase", grant = "EXECUTE ON dbo.fn_Twice", deny = "DELETE ON dbo.Purchase", grant = "SELECT ON SCHEMA::sales")]
pub struct Clerk;

/// Twice the value.
#[sql_function(name = "fn_Twice", deterministic)]
pub fn twice(value: f64, label: String) -> f64 {
    let _ = label;
    value * 2.0
}

/// Purchases above an amount.
#[sql_function(name = "fn_Above")]
pub fn above(amount: Option<f64>) -> Vec<PurchaseId> {
    let _ = amount;
    Vec::new()
}

/// Adds one, reporting the result.
#[sql_procedure(name = "sp_AddOne")]
pub fn add_one(value: i32, result: &mut Option<i64>) {
    *result = Some(i64::from(value) + 1);
}

#[derive(SqlTable)]
#[sql(memory_optimized, primary_key_buckets = 1000, index(name = "IX_Session_User", columns = "UserId", bucket_count = 100))]
pub struct Session {
    #[sql(primary_key)]
    pub session_id: i64,
    pub user_id: i32,
}

#[derive(SqlTable)]
#[sql(node)]
pub struct Person {
    #[sql(primary_key)]
    pub person_id: i32,
}

#[derive(SqlTable)]
#[sql(edge(connect = "dbo.Person TO dbo.Person", on_delete = "cascade"))]
pub struct Knows {
    pub since: Option<i32>,
}

#[derive(SqlTable)]
#[sql(spatial_index(column = "Location", bounding_box = "0, 0, 100, 100"), vector_index(column = "Embedding", metric = "cosine"))]
pub struct Place {
    #[sql(primary_key)]
    pub place_id: i32,
    #[sql(type = "GEOMETRY")]
    pub location: Option<Vec<u8>>,
    pub embedding: Vector<3>,
}

pub struct Total(f64);

/// Sum of the values.
#[sql_aggregate(name = "agg_Total")]
impl Total {
    pub fn accumulate(&mut self, value: f64) {
        self.0 += value;
    }

    pub fn terminate(&self) -> f64 {
        self.0
    }
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
    // T-SQL modules keep the text they were created with.
    let modules = emit_object_scripts(model, &EmitOptions::default())
        .unwrap()
        .into_iter()
        .filter(|(_, file)| !file.contents.contains("EXTERNAL NAME"))
        .filter_map(|(key, file)| {
            let (schema, name, object_type) = match &key {
                ObjectKey::Routine(3, n) => (n.schema.clone(), n.name.clone(), "P "),
                ObjectKey::TenantPredicate => (
                    "security".to_string(),
                    "fn_TenantAccessPredicate".to_string(),
                    "IF",
                ),
                _ => return None,
            };
            Some(ModuleRow {
                schema,
                name,
                object_type: object_type.into(),
                definition: file.contents,
            })
        })
        .collect();
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
            column("Note", "NoteId", "int", 4),
            column("Note", "TenantId", "int", 4),
            column("Session", "SessionId", "bigint", 8),
            column("Session", "UserId", "int", 4),
            column("Person", "PersonId", "int", 4),
            ColumnRow {
                nullable: true,
                ..column("Knows", "Since", "int", 4)
            },
            column("Place", "PlaceId", "int", 4),
            ColumnRow {
                nullable: true,
                ..column("Place", "Location", "geometry", -1)
            },
            ColumnRow {
                vector_dimensions: Some(3),
                ..column("Place", "Embedding", "vector", 20)
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
                bucket_count: None,
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Customer".into(),
                name: "UQ_Customer_Name".into(),
                kind: "UQ".into(),
                clustered: false,
                column: "Name".into(),
                bucket_count: None,
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Purchase".into(),
                name: "PK_Purchase".into(),
                kind: "PK".into(),
                clustered: true,
                column: "PurchaseId".into(),
                bucket_count: None,
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Note".into(),
                name: "PK_Note".into(),
                kind: "PK".into(),
                clustered: true,
                column: "NoteId".into(),
                bucket_count: None,
            },
            // SQL Server keeps the bucket count rounded up to a power of two.
            KeyRow {
                schema: "dbo".into(),
                table: "Session".into(),
                name: "PK_Session".into(),
                kind: "PK".into(),
                clustered: false,
                column: "SessionId".into(),
                bucket_count: Some(1024),
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Person".into(),
                name: "PK_Person".into(),
                kind: "PK".into(),
                clustered: true,
                column: "PersonId".into(),
                bucket_count: None,
            },
            KeyRow {
                schema: "dbo".into(),
                table: "Place".into(),
                name: "PK_Place".into(),
                kind: "PK".into(),
                clustered: true,
                column: "PlaceId".into(),
                bucket_count: None,
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
                bucket_count: None,
            })
            .chain([IndexRow {
                schema: "dbo".into(),
                table: "Session".into(),
                name: "IX_Session_User".into(),
                type_desc: "NONCLUSTERED HASH".into(),
                column: Some("UserId".into()),
                bucket_count: Some(128),
                ..IndexRow::default()
            }])
            .collect(),
        temporal: Vec::new(),
        modules,
        schemas: vec![
            SchemaRow {
                name: "sales".into(),
                owner: "SalesOwner".into(),
            },
            SchemaRow {
                name: "security".into(),
                owner: "dbo".into(),
            },
        ],
        sequences: vec![SequenceRow {
            schema: "sales".into(),
            name: "OrderNumber".into(),
            type_name: "bigint".into(),
            precision: 19,
            start: "10".into(),
            increment: "5".into(),
            minimum: Some(i64::MIN.to_string()),
            maximum: Some(i64::MAX.to_string()),
            cycling: false,
            cached: true,
            cache_size: Some(50),
        }],
        message_types: vec![MessageTypeRow {
            name: "//Shop/Order".into(),
            validation: "X ".into(),
            has_schema_collection: false,
        }],
        contracts: vec![ContractRow {
            name: "//Shop/OrderContract".into(),
            message_type: "//Shop/Order".into(),
            sent_by_initiator: true,
            sent_by_target: false,
        }],
        queues: vec![QueueRow {
            schema: "dbo".into(),
            name: "OrderQueue".into(),
            activation_enabled: true,
            activation_procedure: Some("[Shop].[dbo].[sp_FillOrders]".into()),
            max_readers: 2,
            execute_as_principal_id: Some(-2),
            poison_message_handling: true,
            retention: false,
            enabled: true,
        }],
        services: vec![ServiceRow {
            name: "//Shop/Orders".into(),
            queue_schema: "dbo".into(),
            queue: "OrderQueue".into(),
            contract: Some("//Shop/OrderContract".into()),
        }],
        roles: [
            ("G", "EXECUTE", "dbo", Some("fn_Twice")),
            ("D", "DELETE", "dbo", Some("Purchase")),
            ("G", "INSERT", "dbo", Some("Purchase")),
            ("G", "SELECT", "dbo", Some("Purchase")),
            ("G", "SELECT", "sales", None),
        ]
        .into_iter()
        .map(|(state, permission, schema, name)| RoleRow {
            role: "Clerk".into(),
            state: Some(state.into()),
            permission: Some(permission.into()),
            target_schema: Some(schema.into()),
            target_name: name.map(Into::into),
        })
        .collect(),
        tenant_policy: [
            ("FILTER", None),
            ("BLOCK", Some("AFTER INSERT")),
            ("BLOCK", Some("AFTER UPDATE")),
        ]
        .into_iter()
        .map(|(kind, operation)| PolicyRow {
            enabled: true,
            schema_bound: true,
            table_schema: Some("dbo".into()),
            table: Some("Note".into()),
            predicate: Some("([security].[fn_TenantAccessPredicate]([TenantId]))".into()),
            predicate_type: Some(kind.into()),
            operation: operation.map(Into::into),
        })
        .collect(),
        assemblies: vec![AssemblyRow {
            name: "Hartonomous.Functions".into(),
            permission_set: "UNSAFE_ACCESS".into(),
            sha2_512: "00".repeat(64),
        }],
        clr_modules: clr_modules(),
        tables: vec![
            TableRow {
                schema: "dbo".into(),
                table: "Session".into(),
                memory_optimized: true,
                durability: Some("SCHEMA_AND_DATA".into()),
                ..TableRow::default()
            },
            TableRow {
                schema: "dbo".into(),
                table: "Person".into(),
                node: true,
                ..TableRow::default()
            },
            TableRow {
                schema: "dbo".into(),
                table: "Knows".into(),
                edge: true,
                ..TableRow::default()
            },
        ],
        edge_constraints: vec![EdgeConstraintRow {
            schema: "dbo".into(),
            table: "Knows".into(),
            on_delete: 1,
            from_schema: "dbo".into(),
            from_table: "Person".into(),
            to_schema: "dbo".into(),
            to_table: "Person".into(),
        }],
        spatial_indexes: vec![SpatialIndexRow {
            schema: "dbo".into(),
            table: "Place".into(),
            name: SPATIAL_INDEX.into(),
            column: "Location".into(),
            tessellation: "GEOMETRY_AUTO_GRID".into(),
            bounding_box: Some([0.0, 0.0, 100.0, 100.0]),
        }],
        vector_indexes: vec![VectorIndexRow {
            schema: "dbo".into(),
            table: "Place".into(),
            name: "VIX_Place_Embedding".into(),
            column: "Embedding".into(),
            metric: "cosine".into(),
        }],
        clr_columns: vec![ClrColumnRow {
            schema: "dbo".into(),
            name: "fn_Above".into(),
            column: "PurchaseId".into(),
            type_name: "bigint".into(),
            max_length: 8,
            precision: 19,
            scale: 0,
        }],
    }
}

/// The spatial index's generated name.
const SPATIAL_INDEX: &str = "SIX_Place_Location";

/// A parameter row as sys.parameters gives it.
fn parameter(
    id: i32,
    name: &str,
    type_name: &str,
    max_length: i32,
    output: bool,
) -> ClrParameterRow {
    ClrParameterRow {
        name: name.into(),
        id,
        type_name: type_name.into(),
        max_length,
        precision: if type_name == "float" { 53 } else { 10 },
        scale: 0,
        output,
    }
}

/// The CLR modules as sys.assembly_modules and sys.parameters list them.
fn clr_modules() -> Vec<ClrModuleRow> {
    let module = |name: &str,
                  object_type: &str,
                  method: Option<&str>,
                  parameter: Option<ClrParameterRow>| {
        ClrModuleRow {
            schema: "dbo".into(),
            name: name.into(),
            object_type: object_type.into(),
            assembly: "Hartonomous.Functions".into(),
            class: if object_type == "AF" {
                "Hartonomous.Functions.Total".into()
            } else {
                "Hartonomous.Functions.Native".into()
            },
            method: method.map(Into::into),
            null_on_null_input: name == "fn_Twice",
            parameter,
        }
    };
    vec![
        module(
            "agg_Total",
            "AF",
            None,
            Some(parameter(0, "", "float", 8, true)),
        ),
        module(
            "agg_Total",
            "AF",
            None,
            Some(parameter(1, "@value", "float", 8, false)),
        ),
        module(
            "fn_Above",
            "FT",
            Some("above"),
            Some(parameter(1, "@amount", "float", 8, false)),
        ),
        module(
            "fn_Twice",
            "FS",
            Some("twice"),
            Some(parameter(0, "", "float", 8, true)),
        ),
        module(
            "fn_Twice",
            "FS",
            Some("twice"),
            Some(parameter(1, "@value", "float", 8, false)),
        ),
        module(
            "fn_Twice",
            "FS",
            Some("twice"),
            Some(parameter(2, "@label", "nvarchar", -1, false)),
        ),
        module(
            "sp_AddOne",
            "PC",
            Some("add_one"),
            Some(parameter(1, "@value", "int", 4, false)),
        ),
        module(
            "sp_AddOne",
            "PC",
            Some("add_one"),
            Some(parameter(2, "@result", "bigint", 8, true)),
        ),
    ]
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
        bucket_count: None,
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
    let procedure = rows
        .modules
        .iter_mut()
        .find(|m| m.name == "sp_Purchases")
        .unwrap();
    procedure.definition = procedure.definition.replace("WHERE", "WITH (NOLOCK) WHERE");
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

#[test]
fn differences_in_other_objects_are_planned_in_place() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    rows.schemas[0].owner = "dbo".into();
    rows.sequences[0].increment = "1".into();
    rows.sequences[0].cache_size = None;
    rows.message_types[0].validation = "N ".into();
    rows.queues[0].max_readers = 1;
    rows.queues[0].enabled = false;
    rows.services[0].contract = None;
    // SELECT on Purchase revoked by hand; DELETE granted instead of denied;
    // UPDATE granted by hand.
    rows.roles
        .retain(|r| r.permission.as_deref() != Some("SELECT") || r.target_name.is_none());
    rows.roles[1].state = Some("G".into());
    rows.roles.push(RoleRow {
        permission: Some("UPDATE".into()),
        ..rows.roles[1].clone()
    });
    rows.tenant_policy.pop();
    // The function's text parameter was NVARCHAR(4000), and it was called
    // on NULL input.
    for m in rows.clr_modules.iter_mut().filter(|m| m.name == "fn_Twice") {
        m.null_on_null_input = false;
        if let Some(p) = m.parameter.as_mut().filter(|p| p.name == "@label") {
            p.max_length = 8000;
        }
    }
    let plan = plan_from(&rows, &desired);
    insta::assert_snapshot!(plan.to_string());
}

#[test]
fn a_changed_sequence_start_is_blocked_until_allowed() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    rows.sequences[0].start = "1".into();
    let plan = plan_from(&rows, &desired);
    assert!(plan.steps.is_empty(), "{plan}");
    assert_eq!(
        plan.to_string(),
        "blocked: sequence sales.OrderNumber: start 1 → 10: restarting a sequence hands out values it has given before (allow with `sales.OrderNumber:restart`)\n"
    );
    let live = build_live(&rows).unwrap();
    let allow = Allowances::parse(["sales.OrderNumber:restart"]).unwrap();
    let plan = plan_changes(&live, &desired, &allow, &EmitOptions::default()).unwrap();
    assert!(plan.blocked.is_empty(), "{plan}");
    assert_eq!(
        plan.steps[0].batches,
        ["ALTER SEQUENCE [sales].[OrderNumber] RESTART WITH 10;"]
    );
}

#[test]
fn objects_the_source_lacks_are_extra() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    rows.schemas.push(SchemaRow {
        name: "scratch".into(),
        owner: "dbo".into(),
    });
    rows.roles.push(RoleRow {
        role: "Auditor".into(),
        ..RoleRow::default()
    });
    let mut extra = rows.clr_modules[0].clone();
    extra.name = "agg_Old".into();
    rows.clr_modules.push(extra);
    let plan = plan_from(&rows, &desired);
    assert!(plan.is_empty(), "{plan}");
    let extra: Vec<String> = plan.extra.iter().map(ToString::to_string).collect();
    assert_eq!(
        extra,
        ["aggregate dbo.agg_Old", "schema scratch", "role Auditor"]
    );
}

#[test]
fn a_changed_tenant_predicate_drops_and_recreates_the_policy_around_it() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    let predicate = rows
        .modules
        .iter_mut()
        .find(|m| m.name == "fn_TenantAccessPredicate")
        .unwrap();
    predicate.definition = predicate.definition.replace("AS INT", "AS BIGINT");
    let plan = plan_from(&rows, &desired);
    let steps: Vec<String> = plan
        .steps
        .iter()
        .map(|s| format!("{} {}: {}", s.action.as_str(), s.object, s.summary))
        .collect();
    assert_eq!(
        steps,
        [
            "alter tenant predicate function: definition changed: the policy dropped, the function dropped and created",
            "create tenant security policy: new",
        ]
    );
    assert_eq!(
        plan.steps[0].batches[..2],
        [
            "DROP SECURITY POLICY IF EXISTS [security].[TenantIsolationPolicy];",
            "DROP FUNCTION [security].[fn_TenantAccessPredicate];"
        ]
    );
}

#[test]
fn storage_and_index_kinds_read_back_and_differences_planned() {
    let desired = model(SOURCE);
    let mut rows = deployed(&desired);
    rows.spatial_indexes[0].bounding_box = Some([0.0, 0.0, 50.0, 50.0]);
    rows.vector_indexes[0].metric = "euclidean".into();
    rows.indexes
        .iter_mut()
        .filter(|i| i.name == "IX_Session_User")
        .for_each(|i| i.bucket_count = Some(4096));
    rows.edge_constraints[0].on_delete = 0;
    let text = plan_from(&rows, &desired).to_string();
    for expected in [
        "drop index [SIX_Place_Location]",
        "CREATE SPATIAL INDEX [SIX_Place_Location] ON [dbo].[Place] ([Location]) USING GEOMETRY_AUTO_GRID WITH (BOUNDING_BOX = (0, 0, 100, 100));",
        "alter vector index VIX_Place_Embedding on dbo.Place: definition changed: dropped and created",
        "outside step 1: alter table dbo.Session: bucket count of [IX_Session_User] → 100\n",
        "ALTER TABLE [dbo].[Session] ALTER INDEX [IX_Session_User] REBUILD WITH (BUCKET_COUNT = 100);",
        "blocked: table dbo.Knows: rebuild [dbo].[Knows]: it changes to or from a graph table",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}
