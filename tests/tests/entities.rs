//! The generated entity crate against a TDS responder on loopback: tiberius
//! logs in, sends the statements the entities build, and decodes canned
//! rows through the entities' checked conversions.

use hartonomous_entities::calls::planning;
use hartonomous_entities::{EntityError, Field, Model, NewModel, Tenant};
use tiberius::time::chrono::NaiveDate;
use workspace_tests::tds::{Cell, ResultSet, TdsType, datetime2, exchange};

fn tenant_columns() -> Vec<(&'static str, TdsType)> {
    vec![
        ("TenantId", TdsType::Int),
        ("Name", TdsType::NVarChar(200)),
        ("CreatedAt", TdsType::DateTime2),
    ]
}

#[test]
fn rows_become_entities_with_every_value_checked() {
    let rows = ResultSet::new(
        &tenant_columns(),
        vec![
            vec![
                Cell::I32(1),
                Cell::Text("Contoso".into()),
                datetime2(2026, 11, 25, 3600),
            ],
            vec![
                Cell::I32(2),
                Cell::Text("Ünïcødé ]]".into()),
                datetime2(2000, 2, 29, 0),
            ],
        ],
    );
    let requests = exchange(vec![vec![rows]], |mut client| async move {
        let tenants = Tenant::select_all(&mut client)
            .await
            .expect("tenants decode");
        assert_eq!(tenants.len(), 2);
        assert_eq!(tenants[0].tenant_id, 1);
        assert_eq!(tenants[0].name, "Contoso");
        assert_eq!(
            tenants[0].created_at,
            NaiveDate::from_ymd_opt(2026, 11, 25)
                .unwrap()
                .and_hms_opt(1, 0, 0)
                .unwrap()
        );
        assert_eq!(tenants[1].name, "Ünïcødé ]]");
        assert_eq!(
            tenants[1].created_at.date(),
            NaiveDate::from_ymd_opt(2000, 2, 29).unwrap()
        );
    });
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].kind, 0x01, "SELECT goes as a SQL batch");
    assert!(requests[0].contains_text(Tenant::SELECT));
}

#[test]
fn a_wrong_column_name_type_or_null_is_a_clear_error() {
    let renamed = ResultSet::new(
        &[
            ("TenantId", TdsType::Int),
            ("TenantName", TdsType::NVarChar(200)),
            ("CreatedAt", TdsType::DateTime2),
        ],
        vec![vec![
            Cell::I32(1),
            Cell::Text("x".into()),
            datetime2(2026, 1, 1, 0),
        ]],
    );
    let retyped = ResultSet::new(
        &[
            ("TenantId", TdsType::NVarChar(10)),
            ("Name", TdsType::NVarChar(200)),
            ("CreatedAt", TdsType::DateTime2),
        ],
        vec![vec![
            Cell::Text("one".into()),
            Cell::Text("x".into()),
            datetime2(2026, 1, 1, 0),
        ]],
    );
    let null = ResultSet::new(
        &tenant_columns(),
        vec![vec![Cell::I32(1), Cell::Null, datetime2(2026, 1, 1, 0)]],
    );
    exchange(
        vec![vec![renamed], vec![retyped], vec![null]],
        |mut client| async move {
            let e = Tenant::select_all(&mut client).await.unwrap_err();
            assert!(matches!(e, EntityError::Columns { .. }), "{e:?}");
            assert_eq!(
                e.to_string(),
                "dbo.Tenant: the row's columns are [TenantId, TenantName, CreatedAt], expected [TenantId, Name, CreatedAt]; select the entity's columns in its order (its SELECT constant does)"
            );

            let e = Tenant::select_all(&mut client).await.unwrap_err();
            match &e {
                EntityError::Type {
                    entity,
                    column,
                    expected,
                    found,
                    ..
                } => {
                    assert_eq!(
                        (*entity, *column, *expected),
                        ("dbo.Tenant", "TenantId", "INT")
                    );
                    assert!(found.contains("NVarchar"), "{found}");
                }
                other => panic!("expected a type error, got {other:?}"),
            }
            assert!(
                e.to_string()
                    .starts_with("dbo.Tenant.TenantId: expected INT, the row has NVarchar"),
                "{e}"
            );

            let e = Tenant::select_all(&mut client).await.unwrap_err();
            assert_eq!(
                e.to_string(),
                "dbo.Tenant.Name: NULL in a column declared NOT NULL"
            );
        },
    );
}

fn model_columns() -> Vec<(&'static str, TdsType)> {
    vec![
        ("ModelId", TdsType::Int),
        ("TenantId", TdsType::Int),
        ("ModelName", TdsType::NVarChar(256)),
        ("IsActive", TdsType::Bit),
    ]
}

#[test]
fn inserts_leave_out_identity_and_unset_defaults_and_return_the_stored_row() {
    let stored = |active: bool| {
        vec![ResultSet::new(
            &model_columns(),
            vec![vec![
                Cell::I32(7),
                Cell::I32(1),
                Cell::Text("gpt-x".into()),
                Cell::Bool(active),
            ]],
        )]
    };
    let requests = exchange(vec![stored(true), stored(false)], |mut client| async move {
        let new = NewModel {
            tenant_id: 1,
            model_name: "gpt-x".into(),
            is_active: Field::Unset,
        };
        let model: Model = new.insert(&mut client).await.expect("insert");
        assert_eq!((model.model_id, model.is_active), (7, true));

        let new = NewModel {
            is_active: Field::Set(false),
            ..new
        };
        let model = new
            .insert(&mut client)
            .await
            .expect("insert with the default overridden");
        assert!(!model.is_active);
    });
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].kind, 0x03, "parameterized statements go as RPC");
    assert!(requests[0].contains_text(
        "INSERT INTO [dbo].[Model] ([TenantId], [ModelName]) OUTPUT INSERTED.[ModelId], INSERTED.[TenantId], INSERTED.[ModelName], INSERTED.[IsActive] VALUES (@P1, @P2)"
    ));
    assert!(
        requests[0].contains_text("gpt-x"),
        "the parameter value travels"
    );
    assert!(
        requests[1].contains_text(
            "INSERT INTO [dbo].[Model] ([TenantId], [ModelName], [IsActive]) OUTPUT"
        )
    );
    assert!(requests[1].contains_text("VALUES (@P1, @P2, @P3)"));
}

#[test]
fn call_helpers_send_typed_calls_and_decode_results_and_outputs() {
    let scalar = vec![ResultSet::new(
        &[("Value", TdsType::Int)],
        vec![vec![Cell::I32(3)]],
    )];
    let procedure = vec![
        ResultSet::new(
            &[
                ("Capability", TdsType::NVarChar(100)),
                ("Confidence", TdsType::Float),
            ],
            vec![
                vec![Cell::Text("vision".into()), Cell::F64(0.9)],
                vec![Cell::Text("chat".into()), Cell::F64(0.5)],
            ],
        ),
        ResultSet::new(
            &[("complexity", TdsType::Int), ("sla", TdsType::NVarChar(20))],
            vec![vec![Cell::I32(7), Cell::Text("express".into())]],
        ),
    ];
    let requests = exchange(vec![scalar, procedure], |mut client| async move {
        let complexity =
            planning::calculate_complexity(&mut client, Some(2500), Some(false), Some(true))
                .await
                .expect("scalar call");
        assert_eq!(complexity, Some(3));

        let plan = planning::plan_inference(
            &mut client,
            "gpt-4-vision",
            Some(9000),
            Some(true),
            Some("high"),
        )
        .await
        .expect("procedure call");
        assert_eq!(plan.rows.len(), 2);
        assert_eq!(plan.rows[0].capability, "vision");
        assert_eq!(plan.rows[1].confidence, 0.5);
        assert_eq!(plan.complexity, Some(7));
        assert_eq!(plan.sla.as_deref(), Some("express"));
    });
    assert!(
        requests[0]
            .contains_text("SELECT [dbo].[fn_CalculateComplexity](@P1, @P2, @P3) AS [Value]")
    );
    assert!(requests[1].contains_text("EXEC [dbo].[sp_PlanInference] @modelName = @P1"));
    assert!(requests[1].contains_text("@complexity = @o4 OUTPUT"));
    assert!(requests[1].contains_text("gpt-4-vision"));
}

#[test]
fn updates_set_only_what_is_set_and_find_the_row_by_key() {
    use hartonomous_entities::ModelUpdate;
    let stored = vec![ResultSet::new(
        &model_columns(),
        vec![vec![
            Cell::I32(7),
            Cell::I32(1),
            Cell::Text("renamed".into()),
            Cell::Bool(true),
        ]],
    )];
    let requests = exchange(vec![stored.clone(), stored], |mut client| async move {
        let change = ModelUpdate {
            model_id: 7,
            tenant_id: Field::Unset,
            model_name: Field::Set("renamed".into()),
            is_active: Field::Unset,
        };
        let model = change.update(&mut client).await.expect("update");
        assert_eq!(model.model_name, "renamed");
        let nothing = ModelUpdate {
            model_name: Field::Unset,
            ..change
        };
        nothing
            .update(&mut client)
            .await
            .expect("an empty update reads the row");
    });
    assert!(requests[0].contains_text("UPDATE [dbo].[Model] SET [ModelName] = @P1 OUTPUT"));
    assert!(requests[0].contains_text("WHERE [ModelId] = @P2"));
    assert!(requests[1].contains_text(&format!("{} WHERE [ModelId] = @P1", Model::SELECT)));
}

#[test]
fn vectors_travel_as_exact_json_text() {
    use hartonomous_entities::support::{vector_from_text, vector_to_text};
    let values = [0.1f32, -2.5e-3, 1e-40, f32::MAX, 0.0, -0.0];
    let text = vector_to_text(&values);
    let back = vector_from_text(&text, values.len(), "dbo.AtomEmbedding", "Embedding").unwrap();
    assert_eq!(
        back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    let e = vector_from_text("[1,2]", 3, "dbo.AtomEmbedding", "Embedding").unwrap_err();
    assert_eq!(
        e.to_string(),
        "dbo.AtomEmbedding.Embedding: 2 elements, the column holds 3"
    );
    let e = vector_from_text("1,2,3", 3, "dbo.AtomEmbedding", "Embedding").unwrap_err();
    assert!(e.to_string().contains("is not a JSON array"), "{e}");
}

#[test]
fn tsql_procedure_helpers_pass_vectors_as_text_and_read_outputs() {
    use hartonomous_entities::calls::search;
    let hits = vec![ResultSet::new(
        &[
            ("AtomId", TdsType::BigInt),
            ("CanonicalText", TdsType::NVarChar(200)),
            ("Distance", TdsType::Float),
        ],
        vec![
            vec![
                Cell::I64(42),
                Cell::Text("the answer".into()),
                Cell::F64(0.125),
            ],
            vec![Cell::I64(7), Cell::Null, Cell::F64(0.5)],
        ],
    )];
    let status = vec![ResultSet::new(
        &[
            ("complexity", TdsType::Int),
            ("sla", TdsType::NVarChar(20)),
            ("completed", TdsType::Bit),
            ("feedbackCount", TdsType::Int),
        ],
        vec![vec![
            Cell::I32(4),
            Cell::Text("standard".into()),
            Cell::Bool(true),
            Cell::I32(2),
        ]],
    )];
    let query = vec![0.25f32; 1998];
    let requests = exchange(vec![hits, status], |mut client| async move {
        let found = search::semantic_search(&mut client, &query, 1, 10, None)
            .await
            .expect("search");
        assert_eq!(found.rows.len(), 2);
        assert_eq!(found.rows[0].atom_id, 42);
        assert_eq!(found.rows[1].canonical_text, None);
        let status = search::inference_job_status(&mut client, 42)
            .await
            .expect("status");
        assert_eq!(status.complexity, Some(4));
        assert_eq!(status.sla.as_deref(), Some("standard"));
        assert_eq!(status.completed, Some(true));
        assert_eq!(status.feedback_count, Some(2));
    });
    assert!(requests[0].contains_text("EXEC [dbo].[sp_SemanticSearch] @query = @P1"));
    assert!(
        requests[0].contains_text("[0.25,0.25,"),
        "the vector travels as JSON text for a T-SQL VECTOR parameter"
    );
    assert!(requests[1].contains_text("@feedbackCount = @o4 OUTPUT"));
}

#[test]
fn several_result_sets_decode_into_their_own_fields() {
    use hartonomous_entities::calls::search;
    let sets = vec![
        ResultSet::new(
            &[
                ("ModelId", TdsType::Int),
                ("ModelName", TdsType::NVarChar(256)),
                ("IsActive", TdsType::Bit),
            ],
            vec![
                vec![Cell::I32(1), Cell::Text("a".into()), Cell::Bool(true)],
                vec![Cell::I32(2), Cell::Text("b".into()), Cell::Bool(false)],
            ],
        ),
        ResultSet::new(
            &[("AtomCount", TdsType::Int), ("EmbeddedCount", TdsType::Int)],
            vec![vec![Cell::I32(10), Cell::I32(4)]],
        ),
    ];
    exchange(vec![sets], |mut client| async move {
        let overview = search::tenant_overview(&mut client, 1)
            .await
            .expect("overview");
        assert_eq!(overview.tenant_model_rows.len(), 2);
        assert!(!overview.tenant_model_rows[1].is_active);
        assert_eq!(overview.tenant_atom_stats_rows[0].atom_count, 10);
        assert_eq!(overview.tenant_atom_stats_rows[0].embedded_count, 4);
    });
}
