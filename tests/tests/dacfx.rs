//! The whole generated schema loaded into Microsoft's DacFx model and
//! validated, as SSDT would; and our rules cross-checked against DacFx's own
//! codes for the same broken schemas.

use codegen::emit::{EmitOptions, emit_sql};
use codegen::output::generate;
use workspace_tests::dacfx::{prepare, validate, validate_each};
use workspace_tests::{SCHEMA_OBJECTS_FIXTURE, generate_clean, generate_workspace, workspace_root};

#[test]
fn the_generated_schema_validates_in_dacfx_with_zero_errors() {
    let root = workspace_root();
    let generation = generate_workspace();
    let prepared = prepare(&generation.model, &generation.files);
    let report = validate(&root, &root.join("target/dacfx/functions"), &prepared)
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "DacFx (SQL Server 2019 model): {} files, {} statements, {} errors, {} warnings",
        prepared.files.len(),
        report.statements,
        report.errors().len(),
        report
            .messages
            .iter()
            .filter(|(s, _, _)| s == "Warning")
            .count()
    );
    for n in &prepared.not_checked {
        println!("stood in or left out for DacFx: {n}");
    }
    for (severity, code, message) in &report.messages {
        println!("{severity} {code}: {message}");
    }
    assert!(report.statements > 0, "nothing reached DacFx");
    assert!(
        report.errors().is_empty(),
        "DacFx found errors:\n{}",
        report.errors().join("\n")
    );
    // Unresolved references in T-SQL bodies are warnings to DacFx (SQL71502):
    // the generated schema has none.
    assert!(
        report.messages.is_empty(),
        "DacFx warned: {:?}",
        report.messages
    );
}

/// A broken schema, the code our rules give it, and DacFx's code for the
/// same schema (`None` where DacFx is silent and our rule is the only guard).
struct Broken {
    name: &'static str,
    source: &'static str,
    /// A T-SQL body, written to `src/body.sql` (the source declares it).
    body: Option<&'static str>,
    /// An object both reports must name, where they name one.
    object: Option<&'static str>,
    ours: &'static str,
    dacfx: Option<&'static str>,
}

const PARENT: &str = "use runtime::prelude::*;\n\n#[derive(SqlTable)]\npub struct Parent {\n    #[sql(primary_key)]\n    pub parent_id: i32,\n    pub code: i32,\n}\n";

fn broken_cases() -> Vec<Broken> {
    vec![
        Broken {
            name: "foreign key type differs",
            source: "#[derive(SqlTable)]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(references = \"Parent(ParentId)\")]\n    pub parent_id: i64,\n}\n",
            body: None,
            object: None,
            ours: "HS0507",
            dacfx: Some("SQL71515"),
        },
        Broken {
            name: "foreign key to columns that are not a key",
            source: "#[derive(SqlTable)]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(references = \"Parent(Code)\")]\n    pub code: i32,\n}\n",
            body: None,
            object: None,
            ours: "HS0508",
            dacfx: Some("SQL71516"),
        },
        Broken {
            name: "index over a missing column",
            source: "#[derive(SqlTable)]\n#[sql(index(columns = \"CompletedTimestamp\"))]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    pub completion_timestamp: NaiveDateTime,\n}\n",
            body: None,
            object: None,
            ours: "HS0506",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "foreign key to a missing table",
            source: "#[derive(SqlTable)]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(references = \"Missing(Id)\")]\n    pub missing_id: i32,\n}\n",
            body: None,
            object: None,
            ours: "HS0505",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "names differing only in case",
            source: "#[derive(SqlTable)]\n#[sql(name = \"PARENT\")]\npub struct Shouting {\n    #[sql(primary_key)]\n    pub id: i32,\n}\n",
            body: None,
            object: None,
            ours: "HS0501",
            dacfx: Some("SQL71508"),
        },
        Broken {
            name: "computed column calling a missing function",
            source: "#[derive(SqlTable)]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(computed = \"[dbo].[fn_Missing]([Id])\")]\n    pub derived: Option<i32>,\n}\n",
            body: None,
            object: None,
            ours: "HS0510",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "permission on a missing object",
            source: "#[sql_role(grant = \"SELECT ON dbo.Missing\")]\npub struct Reader;\n",
            body: None,
            object: None,
            ours: "HS0510",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "check constraint over a missing column",
            source: "#[derive(SqlTable)]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(check = \"[CompletedTimestamp] IS NOT NULL\")]\n    pub completion_timestamp: Option<NaiveDateTime>,\n}\n",
            body: None,
            object: None,
            ours: "HS0506",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "filtered index over a computed column",
            source: "#[derive(SqlTable)]\n#[sql(index(columns = \"Id\", where = \"[Doubled] > 0\"))]\npub struct Child {\n    #[sql(primary_key)]\n    pub id: i32,\n    #[sql(computed = \"[Id] * 2\", persisted)]\n    pub doubled: i32,\n}\n",
            body: None,
            object: None,
            ours: "HS0512",
            dacfx: None,
        },
        Broken {
            name: "T-SQL body reading a missing table",
            source: "#[sql_procedure(file = \"body.sql\")]\npub fn sp_body(x: i32);\n",
            body: Some(
                "SELECT p.ParentId FROM dbo.Parent AS p JOIN dbo.Missing AS m ON m.Id = p.ParentId WHERE p.Code = @x;",
            ),
            object: Some("Missing"),
            ours: "HS0701",
            dacfx: Some("SQL71502"),
        },
        Broken {
            name: "T-SQL body reading a missing column through an alias",
            source: "#[sql_procedure(file = \"body.sql\")]\npub fn sp_body(x: i32);\n",
            body: Some("SELECT p.CompletedTimestamp FROM dbo.Parent AS p WHERE p.Code = @x;"),
            object: Some("CompletedTimestamp"),
            ours: "HS0702",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "T-SQL body inserting into a missing column",
            source: "#[sql_procedure(file = \"body.sql\")]\npub fn sp_body(x: i32);\n",
            body: Some("INSERT INTO dbo.Parent (ParentId, Kode) VALUES (@x, 1);"),
            object: Some("Kode"),
            ours: "HS0702",
            dacfx: Some("SQL71501"),
        },
        Broken {
            name: "T-SQL body reading a missing sequence",
            source: "#[sql_procedure(file = \"body.sql\")]\npub fn sp_body(x: i32);\n",
            body: Some("SELECT NEXT VALUE FOR dbo.NoSuchSequence + @x;"),
            object: Some("NoSuchSequence"),
            ours: "HS0704",
            dacfx: Some("SQL71502"),
        },
    ]
}

#[test]
fn our_rules_and_dacfx_agree_on_broken_schemas() {
    let root = workspace_root();
    let base = root.join("target/dacfx-cases");
    let mut prepared = Vec::new();
    for (i, case) in broken_cases().iter().enumerate() {
        let dir = base.join(format!("case{i}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), format!("{PARENT}\n{}", case.source)).unwrap();
        if let Some(body) = case.body {
            std::fs::write(dir.join("src/body.sql"), body).unwrap();
        }
        let generation = generate(&dir, "src/lib.rs", &EmitOptions::default());
        let codes: Vec<&str> = generation
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            codes,
            vec![case.ours],
            "{}: our rules said {codes:?}",
            case.name
        );
        // Emit what the rules refused to write, to show DacFx the same schema.
        let files = emit_sql(&generation.model, &EmitOptions::default()).unwrap();
        prepared.push(prepare(&generation.model, &files));
    }
    let reports = validate_each(&root, &root.join("target/dacfx/cases"), &prepared)
        .unwrap_or_else(|e| panic!("{e}"));
    for (case, report) in broken_cases().iter().zip(&reports) {
        let dacfx_codes: Vec<String> = report
            .messages
            .iter()
            .map(|(severity, c, _)| format!("{c} ({severity})"))
            .collect();
        println!("{}: ours {}, DacFx {:?}", case.name, case.ours, dacfx_codes);
        match case.dacfx {
            Some(code) => {
                assert!(
                    report.has_code(code),
                    "{}: DacFx should report {code}, said {:?} {:?}",
                    case.name,
                    report.messages,
                    report.blocked
                );
                if let Some(object) = case.object {
                    assert!(
                        report
                            .messages
                            .iter()
                            .any(|(_, c, m)| c == code && m.contains(object)),
                        "{}: DacFx's {code} should name {object}: {:?}",
                        case.name,
                        report.messages
                    );
                }
            }
            None => assert!(
                report.errors().is_empty(),
                "{}: DacFx was expected silent (our rule is the only guard) but said {:?}",
                case.name,
                report.errors()
            ),
        }
    }
}

#[test]
fn every_table_kind_and_schema_object_validates_in_dacfx() {
    let root = workspace_root();
    let generation = generate_clean(SCHEMA_OBJECTS_FIXTURE);
    let prepared = prepare(&generation.model, &generation.files);
    let report = validate(&root, &root.join("target/dacfx/schema-objects"), &prepared)
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "DacFx, schema objects fixture: {} statements, {} errors",
        report.statements,
        report.errors().len()
    );
    assert!(report.statements > 10, "{report:?}");
    assert!(
        report.errors().is_empty(),
        "DacFx found errors:\n{}",
        report.errors().join("\n")
    );
}

/// Annotation-level rules stop codegen before any model exists, so DacFx is
/// shown the same schema by changing a valid model the way the broken
/// annotation would.
#[test]
fn annotation_rules_agree_with_dacfx_too() {
    let root = workspace_root();
    let base = root.join("target/dacfx-annotation-cases");
    let broken = |name: &str, source: &str| {
        let dir = base.join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), source).unwrap();
        generate(&dir, "src/lib.rs", &EmitOptions::default())
    };
    let head = "use runtime::prelude::*;\n\n#[derive(SqlTable)]\npub struct Item {\n    #[sql(primary_key)]\n    pub id: i32,\n";

    // IDENTITY on a text column: ours HS0305, DacFx SQL71518.
    let ours = broken(
        "identity",
        &format!(
            "{head}    #[sql(identity, type = \"NVARCHAR(10)\")]\n    pub code: String,\n}}\n"
        ),
    );
    let codes: Vec<&str> = ours.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["HS0305"], "{:#?}", ours.diagnostics);
    let mut valid = broken(
        "identity-valid",
        &format!("{head}    #[sql(type = \"NVARCHAR(10)\")]\n    pub code: String,\n}}\n"),
    );
    assert!(valid.diagnostics.is_empty(), "{:#?}", valid.diagnostics);
    valid.model.tables[0].columns[1].identity = Some((1, 1));
    let identity = prepare(
        &valid.model,
        &emit_sql(&valid.model, &EmitOptions::default()).unwrap(),
    );

    // Two columns differing only in case: ours HS0504, DacFx SQL71508.
    let ours = broken(
        "case",
        &format!("{head}    #[sql(name = \"ID\")]\n    pub other: i32,\n}}\n"),
    );
    let codes: Vec<&str> = ours.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["HS0504"], "{:#?}", ours.diagnostics);
    let mut valid = broken("case-valid", &format!("{head}    pub other: i32,\n}}\n"));
    valid.model.tables[0].columns[1].sql_name = "ID".into();
    let case = prepare(
        &valid.model,
        &emit_sql(&valid.model, &EmitOptions::default()).unwrap(),
    );

    let reports = validate_each(
        &root,
        &root.join("target/dacfx/annotation-cases"),
        &[identity, case],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for ((what, code), report) in [
        ("IDENTITY on NVARCHAR", "SQL71518"),
        ("columns differing in case", "SQL71508"),
    ]
    .iter()
    .zip(&reports)
    {
        println!(
            "{what}: DacFx {:?}",
            report
                .messages
                .iter()
                .map(|(_, c, _)| c)
                .collect::<Vec<_>>()
        );
        assert!(
            report.has_code(code),
            "{what}: DacFx should say {code}: {:?} {:?}",
            report.messages,
            report.blocked
        );
    }
}
