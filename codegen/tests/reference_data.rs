//! Reference data (`#[sql_data]`): the MERGE written for each table, and
//! the rules that check the rows against it.

use codegen::deploy::{Allowances, Live, plan_changes, render_script};
use codegen::diagnostics::Diagnostic;
use codegen::emit::{EmitOptions, emit_data_scripts};
use codegen::model::Model;
use codegen::output::generate_with;

fn generate(source: &str) -> (Model, Vec<Diagnostic>) {
    let generation = generate_with(
        "src/lib.rs",
        |p| {
            (p == "src/lib.rs")
                .then(|| source.to_string())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
        },
        &EmitOptions::default(),
    );
    (generation.model, generation.diagnostics)
}

const TABLES: &str = r#"
#[derive(SqlTable)]
pub struct Region {
    #[sql(primary_key, identity)]
    pub region_id: i32,
    #[sql(type = "NVARCHAR(50)", unique)]
    pub code: String,
    pub active: bool,
}

#[derive(SqlTable)]
#[sql(temporal(retention = "30 DAYS"))]
pub struct Rate {
    #[sql(primary_key)]
    pub region_id: i32,
    #[sql(primary_key)]
    pub tier: i16,
    #[sql(type = "DECIMAL(9, 4)")]
    pub rate: Decimal,
    #[sql(computed = "[Tier] * 10")]
    pub tier_weight: Option<i32>,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}
"#;

#[test]
fn the_merge_matches_by_key_casts_every_value_and_skips_generated_columns() {
    let source = format!(
        "{TABLES}{}",
        r#"
/// Regions we sell in.
#[sql_data(key = "Code")]
pub fn regions() -> Vec<Region> {
    vec![
        Region { region_id: 1, code: "eu".into(), active: true },
        Region { region_id: 2, code: "us".into(), active: false },
    ]
}
"#
    );
    let (model, diagnostics) = generate(&source);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let scripts = emit_data_scripts(&model).unwrap();
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0].1.path, "sql/dbo/data/Region.sql");
    insta::assert_snapshot!(scripts[0].1.contents);
}

#[test]
fn composite_keys_decimals_and_versioned_tables() {
    // Rates are decimals: written as numbers, cast to DECIMAL(9, 4). The
    // computed and period columns are not written.
    let source = TABLES
        .replace("pub rate: Decimal,", "pub rate: f64,")
        .replace(
            "#[sql(type = \"DECIMAL(9, 4)\")]",
            "#[sql(type = \"FLOAT\")]",
        )
        + r#"
#[sql_data(delete_missing)]
pub fn rates() -> Vec<Rate> {
    vec![
        Rate { region_id: 1, tier: 1, rate: 0.25, tier_weight: None, valid_from: NaiveDateTime::MIN, valid_to: NaiveDateTime::MAX },
        Rate { region_id: 1, tier: -2, rate: 1e-3, tier_weight: None, valid_from: NaiveDateTime::MIN, valid_to: NaiveDateTime::MAX },
    ]
}
"#;
    let (model, diagnostics) = generate(&source);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let scripts = emit_data_scripts(&model).unwrap();
    let text = &scripts[0].1.contents;
    assert!(
        text.contains(
            "ON [target].[RegionId] = [source].[RegionId] AND [target].[Tier] = [source].[Tier]"
        ),
        "{text}"
    );
    assert!(
        text.contains("(CAST(1 AS INT), CAST(-2 AS SMALLINT), CAST(1e-3 AS FLOAT))"),
        "{text}"
    );
    assert!(
        text.contains("UPDATE SET [Rate] = [source].[Rate]"),
        "{text}"
    );
    assert!(
        text.contains("WHEN NOT MATCHED BY SOURCE THEN\n    DELETE"),
        "{text}"
    );
    assert!(
        !text.contains("[TierWeight]") && !text.contains("[ValidFrom]"),
        "{text}"
    );
    assert!(!text.contains("IDENTITY_INSERT"), "{text}");
}

#[test]
fn rows_are_checked_against_their_table() {
    let source = format!(
        "{TABLES}{}",
        r#"
#[sql_data(key = "Code")]
pub fn regions() -> Vec<Region> {
    vec![
        Region { region_id: 1, code: "eu".into(), active: true },
        Region { region_id: 2, code: "EU".into(), active: true },
    ]
}

#[sql_data(key = "Name")]
pub fn more_regions() -> Vec<Region> {
    vec![Region { region_id: 3, code: "ap".into(), active: true }]
}

#[sql_data]
pub fn rates() -> Vec<Rate> {
    vec![Rate { region_id: 1, tier: 1, rate: rate_of(1), tier_weight: None, valid_from: NaiveDateTime::MIN, valid_to: NaiveDateTime::MAX }]
}

#[derive(SqlRow)]
pub struct NotATable {
    pub x: i32,
}

#[sql_data]
pub fn nothing() -> Vec<NotATable> {
    vec![NotATable { x: 1 }]
}
"#
    );
    let (_, diagnostics) = generate(&source);
    let found: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert_eq!(
        found,
        [
            "HS0515: two rows of `regions` have the same key ('eu')",
            "HS0506: reference data `more_regions`: key column `Name` is not a column of dbo.Region",
            "HS0515: table dbo.Region has reference data twice: `regions` and `more_regions`",
            "HS0212: the value of `rate` in `rates` is `rate_of (1)`, not a literal the deployment can write",
            "HS0505: reference data `nothing` is rows of `NotATable`, which is not a #[derive(SqlTable)] struct",
        ]
    );
}

#[test]
fn the_deployment_script_merges_after_the_changes_and_before_the_post_steps() {
    let source = format!(
        "{TABLES}{}",
        r#"
#[sql_data(key = "Code")]
pub fn regions() -> Vec<Region> {
    vec![Region { region_id: 1, code: "eu".into(), active: true }]
}
"#
    );
    let (model, diagnostics) = generate(&source);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let plan = plan_changes(
        &Live::default(),
        &model,
        &Allowances::none(),
        &EmitOptions::default(),
    )
    .unwrap();
    let script = render_script(&plan).unwrap();
    let create = script.find("CREATE TABLE [dbo].[Region]").unwrap();
    let merge = script.find("MERGE INTO [dbo].[Region]").unwrap();
    let history = script
        .find("INSERT INTO [hartonomous].[DeploymentHistory]")
        .unwrap();
    assert!(create < merge && merge < history, "{script}");
    assert!(
        script.contains("IDENTITY_INSERT [dbo].[Region] ON"),
        "the identity column is written: {script}"
    );
}
