//! T-SQL body checks, case by case: each broken body gives its code at the
//! place of a marker in the `.sql` file, and the scanner's hard cases (names
//! in literals and comments, CTEs, temp tables, table variables, aliases,
//! other databases) give nothing.

use codegen::emit::EmitOptions;
use codegen::output::{Generation, generate_with};

const LIB: &str = r#"use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(temporal(history = "RequestHistory"))]
pub struct Request {
    #[sql(primary_key, identity)]
    pub request_id: i64,
    pub tenant_id: i32,
    pub completion_timestamp: Option<NaiveDateTime>,
    #[sql(computed = "[TenantId] * 2", persisted)]
    pub doubled: i32,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}

#[sql_function(deterministic, precise)]
pub fn twice(x: i32) -> i32 { x * 2 }

#[sql_procedure]
pub fn sp_native() {}

#[sql_sequence]
pub struct Batches;

#[sql_message_type(name = "//T/Ping")]
pub struct Ping;

#[sql_contract(name = "//T/Contract", any = "//T/Ping")]
pub struct PingContract;

#[sql_queue(service = "//T/Service", contracts = "//T/Contract")]
pub struct Pings;

#[sql_procedure(file = "body.sql")]
pub fn sp_body(x: i32);

#[derive(SqlRow)]
pub struct Hit {
    pub request_id: i64,
    pub tenant_id: i32,
}

#[sql_procedure(file = "rows.sql")]
pub fn sp_rows() -> Vec<Hit>;
"#;

const ROWS: &str = "SELECT RequestId, TenantId FROM dbo.Request;";

/// What codegen makes of a crate held in memory: `(path, text)` pairs with
/// the entry at `src/lib.rs`.
fn generate_from(files: &[(&str, &str)]) -> Generation {
    generate_with(
        "src/lib.rs",
        |p| {
            files
                .iter()
                .find(|(path, _)| *path == p)
                .map(|(_, text)| text.to_string())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
        },
        &EmitOptions::default(),
    )
}

/// The findings for `body`: (code, line, column) each, notes included.
fn findings(body: &str) -> Vec<(String, u32, u32)> {
    findings_in(body, ROWS, "src/body.sql")
}

/// The findings in `file` when sp_body's body is `body` and sp_rows's `rows`.
fn findings_in(body: &str, rows: &str, file: &str) -> Vec<(String, u32, u32)> {
    let files: Vec<(&str, &str)> = vec![
        ("src/lib.rs", LIB),
        ("src/body.sql", body),
        ("src/rows.sql", rows),
    ];
    let generation = generate_from(&files);
    generation
        .diagnostics
        .iter()
        .chain(&generation.notes)
        .map(|d| {
            let at = d.primary.as_ref().expect("placed");
            assert_eq!(&*at.file, file, "{d}");
            (
                d.code.as_str().to_string(),
                at.start.line,
                at.start.column + 1,
            )
        })
        .collect()
}

/// Line and 1-based column of `marker` in `body`.
fn at(body: &str, marker: &str) -> (u32, u32) {
    let offset = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in {body:?}"));
    let before = &body[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count() as u32
        + 1;
    (line, column)
}

#[test]
fn each_broken_body_gives_its_code_at_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        // (body, code, marker where the caret goes)
        ("SELECT 1 FROM Missing;", "HS0701", "Missing"),
        (
            "SELECT 1 FROM [dbo].[Missing] AS m;",
            "HS0701",
            "[dbo].[Missing]",
        ),
        (
            "SELECT 1 FROM dbo.Request r\n  JOIN dbo.Nope n ON n.Id = r.RequestId;",
            "HS0701",
            "dbo.Nope",
        ),
        ("UPDATE dbo.Missing SET X = 1;", "HS0701", "dbo.Missing"),
        (
            "DELETE FROM dbo.Missing WHERE 1 = 0;",
            "HS0701",
            "dbo.Missing",
        ),
        (
            "INSERT INTO dbo.Missing (A) VALUES (1);",
            "HS0701",
            "dbo.Missing",
        ),
        (
            "MERGE INTO dbo.Missing AS t USING dbo.Request AS s ON 1 = 0\nWHEN NOT MATCHED THEN INSERT (A) VALUES (1);",
            "HS0701",
            "dbo.Missing",
        ),
        (
            "SELECT r.CompletedTimestamp FROM dbo.Request AS r;",
            "HS0702",
            "CompletedTimestamp",
        ),
        (
            "SELECT [dbo].[Request].[Nope] FROM dbo.Request;",
            "HS0702",
            "[Nope]",
        ),
        (
            "INSERT INTO dbo.Request (TenantId, Tenant) VALUES (1, 2);",
            "HS0702",
            "Tenant)",
        ),
        (
            "UPDATE dbo.Request SET TenantID = 1, Completion = NULL;",
            "HS0702",
            "Completion",
        ),
        (
            "MERGE dbo.Request AS t USING dbo.Request AS s ON t.RequestId = s.RequestId\nWHEN MATCHED THEN UPDATE SET Tennant = 1;",
            "HS0702",
            "Tennant",
        ),
        (
            "MERGE dbo.Request AS t USING dbo.Request AS s ON t.RequestId = s.RequestId\nWHEN NOT MATCHED THEN INSERT (TenantIdx) VALUES (1);",
            "HS0702",
            "TenantIdx",
        ),
        ("SELECT dbo.twice(1, 2);", "HS0703", "dbo.twice"),
        ("SELECT [dbo].[twice]();", "HS0703", "[dbo].[twice]"),
        ("SELECT dbo.thrice(1);", "HS0701", "dbo.thrice"),
        ("EXEC dbo.sp_missing @x = 1;", "HS0701", "dbo.sp_missing"),
        ("EXEC dbo.sp_body;", "HS0703", "dbo.sp_body"),
        ("EXEC dbo.sp_body 1, 2;", "HS0703", "dbo.sp_body"),
        ("EXEC dbo.sp_body @y = 1;", "HS0703", "dbo.sp_body"),
        (
            "SELECT NEXT VALUE FOR dbo.Missing;",
            "HS0704",
            "dbo.Missing",
        ),
        (
            "WAITFOR (RECEIVE TOP (1) * FROM dbo.NoQueue), TIMEOUT 10;",
            "HS0704",
            "dbo.NoQueue",
        ),
        (
            "DECLARE @h UNIQUEIDENTIFIER;\nBEGIN DIALOG @h FROM SERVICE [//T/Nope] TO SERVICE N'//T/Service' ON CONTRACT [//T/Contract];",
            "HS0704",
            "[//T/Nope]",
        ),
        (
            "DECLARE @h UNIQUEIDENTIFIER;\nBEGIN DIALOG @h FROM SERVICE [//T/Service] TO SERVICE N'//T/Elsewhere' ON CONTRACT [//T/Contract];",
            "HS0704",
            "N'//T/Elsewhere'",
        ),
        (
            "DECLARE @h UNIQUEIDENTIFIER;\nBEGIN DIALOG @h FROM SERVICE [//T/Service] TO SERVICE N'//T/Service' ON CONTRACT [//T/Other];",
            "HS0704",
            "[//T/Other]",
        ),
        (
            "DECLARE @h UNIQUEIDENTIFIER;\nSEND ON CONVERSATION @h MESSAGE TYPE [//T/Pong];",
            "HS0704",
            "[//T/Pong]",
        ),
        (
            "INSERT INTO dbo.Request (RequestId, TenantId) VALUES (1, 1);",
            "HS0705",
            "RequestId,",
        ),
        ("UPDATE dbo.Request SET Doubled = 2;", "HS0705", "Doubled"),
        (
            "UPDATE r SET ValidFrom = SYSUTCDATETIME() FROM dbo.Request AS r;",
            "HS0705",
            "ValidFrom",
        ),
        ("CREATE TABLE dbo.Scratch (x INT);", "HS0706", "dbo.Scratch"),
        (
            "ALTER TABLE dbo.Request ADD Extra INT;",
            "HS0706",
            "dbo.Request",
        ),
        (
            "SELECT RequestId INTO dbo.Copy FROM dbo.Request;",
            "HS0706",
            "dbo.Copy",
        ),
        (
            "DECLARE @sql NVARCHAR(MAX) = N'SELECT 1';\nEXEC (@sql);",
            "HS0707",
            "EXEC (@sql)",
        ),
        (
            "EXEC sys.sp_executesql N'SELECT 1';",
            "HS0707",
            "sys.sp_executesql",
        ),
    ];
    let mut failures = Vec::new();
    for (body, code, marker) in cases {
        let (line, column) = at(body, marker);
        let found = findings(body);
        let expected = (code.to_string(), line, column);
        if found != vec![expected.clone()] {
            failures.push(format!(
                "{body:?}\n  expected {expected:?}\n  found    {found:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_scanners_hard_cases_are_not_findings() {
    let clean = [
        "SELECT N'FROM dbo.Missing', 'it''s FROM Nope' FROM dbo.Request;",
        "-- FROM dbo.Missing\n/* FROM dbo.Missing /* nested FROM dbo.Nope */ still */ SELECT 1 FROM dbo.Request;",
        "WITH Missing AS (SELECT RequestId FROM dbo.Request) SELECT m.RequestId FROM Missing AS m;",
        "WITH recent (Id) AS (SELECT RequestId FROM dbo.Request), older AS (SELECT 1 AS Id)\nSELECT Id FROM recent UNION ALL SELECT Id FROM older;",
        "CREATE TABLE #scratch (x INT); INSERT INTO #scratch (x) VALUES (1); SELECT x FROM #scratch; DROP TABLE #scratch;",
        "DECLARE @t TABLE (Id BIGINT); INSERT INTO @t (Id) SELECT RequestId FROM dbo.Request; SELECT Id FROM @t;",
        "DECLARE @ids TABLE (Id BIGINT);\nUPDATE dbo.Request SET TenantId = 1 OUTPUT inserted.RequestId INTO @ids (Id) WHERE 1 = 0;",
        "UPDATE r SET TenantId = 2 FROM [dbo].[Request] AS r WHERE r.RequestId = @x;",
        "SELECT name FROM sys.objects; SELECT 1 FROM OtherDb.dbo.Anything;",
        "SELECT dbo.twice(@x), NEXT VALUE FOR [dbo].[Batches];",
        "SELECT h.TenantId FROM dbo.RequestHistory AS h;",
        "DECLARE @h UNIQUEIDENTIFIER;\nBEGIN DIALOG @h FROM SERVICE [//T/Service] TO SERVICE N'//T/Service' ON CONTRACT [//T/Contract];\nSEND ON CONVERSATION @h MESSAGE TYPE [//T/Ping];\nEND CONVERSATION @h;",
        "WAITFOR (RECEIVE TOP (1) message_body FROM dbo.Pings), TIMEOUT 10;",
        "EXEC dbo.sp_native; EXEC sp_who;",
        "EXEC dbo.sp_body 1; EXEC dbo.sp_body @x = @x;\nEXEC [dbo].[sp_body] @X = 2\nSELECT 1;",
    ];
    for body in clean {
        assert_eq!(findings(body), vec![], "{body:?}");
    }
}

#[test]
fn a_declared_result_set_must_match_the_final_select() {
    // (body of sp_rows, the markers where each HS0708 points)
    let cases: &[(&str, &[&str])] = &[
        ("SELECT RequestId FROM dbo.Request;", &["SELECT"]),
        (
            "SELECT RequestId, TenantId, Doubled FROM dbo.Request;",
            &["SELECT"],
        ),
        (
            "SELECT TenantId, RequestId FROM dbo.Request;",
            &["TenantId,", "RequestId FROM"],
        ),
        (
            "SELECT RequestId, TenantId + 1 FROM dbo.Request;",
            &["TenantId + 1"],
        ),
        ("UPDATE dbo.Request SET TenantId = 1;", &["UPDATE"]),
        ("SELECT * FROM dbo.Request;", &["*"]),
    ];
    for (rows, markers) in cases {
        let expected: Vec<(String, u32, u32)> = markers
            .iter()
            .map(|m| {
                let (line, column) = at(rows, m);
                ("HS0708".to_string(), line, column)
            })
            .collect();
        let found = findings_in("SELECT 1;", rows, "src/rows.sql");
        assert_eq!(found, expected, "{rows:?}");
    }
    for rows in [
        ROWS,
        "SET NOCOUNT ON;\nDECLARE @x INT;\nSELECT @x = 1;\nSELECT r.RequestId, TenantId = r.TenantId FROM dbo.Request AS r\nUNION ALL SELECT 1, 2;",
        "WITH c AS (SELECT RequestId FROM dbo.Request) SELECT c.RequestId, CAST(1 AS INT) AS TenantId FROM c;",
    ] {
        assert_eq!(
            findings_in("SELECT 1;", rows, "src/rows.sql"),
            vec![],
            "{rows:?}"
        );
    }
}

#[test]
fn views_are_checked_like_bodies_and_indexed_views_avoid_tenant_tables() {
    let lib = r#"use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(tenant)]
pub struct Scoped {
    #[sql(primary_key)]
    pub id: i32,
    pub tenant_id: i32,
}

#[sql_view(file = "v.sql", schemabinding, index(columns = "Id", unique, clustered))]
#[derive(SqlRow)]
pub struct ScopedIds {
    pub id: i32,
}
"#;
    let run = |view: &str| {
        let files: Vec<(&str, &str)> = vec![("src/lib.rs", lib), ("src/v.sql", view)];
        generate_from(&files)
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect::<Vec<_>>()
    };
    let found = run("SELECT s.Id FROM dbo.Scoped AS s;");
    assert_eq!(
        found,
        vec![
            "HS0513: indexed view `dbo.ScopedIds` reads tenant-scoped table `dbo.Scoped`"
                .to_string()
        ]
    );
    let found = run("SELECT s.Ident FROM dbo.Scoped AS s;");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("HS0702: `dbo.ScopedIds` refers to column `Ident`")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.starts_with(
            "HS0708: `dbo.ScopedIds` returns column `Ident` where `ScopedIds` declares column `Id`"
        )),
        "{found:?}"
    );
}

#[test]
fn variables_must_be_parameters_or_declared() {
    let body = "DECLARE @a INT = 1, @t TABLE (Id INT);\nSELECT @a + @x + @X FROM @t;\nSELECT @y, @@ROWCOUNT;\nSELECT @y;";
    assert_eq!(
        findings(body),
        vec![("HS0709".to_string(), 3, 8)],
        "one finding per unknown variable, at its first use"
    );
    let (line, column) = at(body, "@y");
    assert_eq!((line, column), (3, 8));
}

#[test]
fn several_result_sets_are_checked_in_order() {
    let lib = format!(
        "{LIB}\n#[derive(SqlRow)]\npub struct Count {{\n    pub total: i32,\n}}\n\n#[sql_procedure(file = \"two.sql\")]\npub fn sp_two() -> (Vec<Hit>, Vec<Count>);\n\n#[sql_procedure(file = \"dyn.sql\", dynamic)]\npub fn sp_dynamic();\n"
    );
    let run = |two: &str| {
        let files: Vec<(&str, &str)> = vec![
            ("src/lib.rs", lib.as_str()),
            ("src/body.sql", "SELECT 1;"),
            ("src/rows.sql", ROWS),
            ("src/two.sql", two),
            ("src/dyn.sql", "SELECT 1 AS Anything;"),
        ];
        generate_from(&files)
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(
            "SELECT RequestId, TenantId FROM dbo.Request;\nSELECT COUNT(*) AS Total FROM dbo.Request;"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        run("SELECT COUNT(*) AS Total FROM dbo.Request;"),
        vec!["HS0708: `dbo.sp_two` declares 2 result sets (Hit, Count) but its body has 1 SELECT returning rows".to_string()]
    );
    assert_eq!(
        run(
            "SELECT RequestId, TenantId FROM dbo.Request;\nSELECT COUNT(*) AS Totals FROM dbo.Request;"
        ),
        vec![
            "HS0708: `dbo.sp_two` returns column `Totals` where `Count` declares column `Total`"
                .to_string()
        ]
    );
}

#[test]
fn inline_bodies_are_checked_with_places_in_the_rust_file() {
    let lib = "use runtime::prelude::*;\n\n#[derive(SqlTable)]\npub struct T {\n    #[sql(primary_key)]\n    pub id: i32,\n}\n\n#[sql_procedure(body = r#\"SELECT t.Id\nFROM dbo.Missing AS m, dbo.T AS t WHERE t.Idx = 1;\"#)]\npub fn sp_inline();\n\n#[sql_procedure(body = \"SELECT t.Nope FROM dbo.T AS t;\")]\npub fn sp_plain();\n";
    let generation = generate_from(&[("src/lib.rs", lib)]);
    let found: Vec<(String, String, u32, u32)> = generation
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.primary.as_ref().unwrap();
            (
                d.code.as_str().to_string(),
                at.file.to_string(),
                at.start.line,
                at.start.column + 1,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            // line 10: `FROM dbo.Missing ...` inside the raw string
            ("HS0701".to_string(), "src/lib.rs".to_string(), 10, 6),
            ("HS0702".to_string(), "src/lib.rs".to_string(), 10, 43),
            // line 13, after `body = "`: column of `Nope`
            ("HS0702".to_string(), "src/lib.rs".to_string(), 13, 34),
        ]
    );
}

#[test]
fn result_column_types_are_compared_where_known() {
    let lib = format!(
        "{LIB}\n#[derive(SqlRow)]\npub struct Narrow {{\n    pub request_id: i32,\n    pub tenant_id: i32,\n}}\n\n#[sql_procedure(file = \"narrow.sql\")]\npub fn sp_narrow() -> Vec<Narrow>;\n"
    );
    let files: Vec<(&str, &str)> = vec![
        ("src/lib.rs", lib.as_str()),
        ("src/body.sql", "SELECT 1;"),
        ("src/rows.sql", ROWS),
        (
            "src/narrow.sql",
            "SELECT r.RequestId, r.TenantId FROM dbo.Request AS r;",
        ),
    ];
    let found: Vec<String> = generate_from(&files)
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert_eq!(
        found,
        vec!["HS0708: `dbo.sp_narrow` returns `RequestId` as BIGINT where `Narrow` declares INT for `RequestId`".to_string()]
    );
}

#[test]
fn procedures_calling_procedures_are_ordered_callee_first_and_may_recurse() {
    let lib = "use runtime::prelude::*;\n\n#[sql_procedure(body = \"EXEC dbo.sp_z;\")]\npub fn sp_a();\n\n#[sql_procedure(body = \"SELECT 1 AS One;\")]\npub fn sp_z();\n\n#[sql_procedure(body = \"EXEC dbo.sp_n;\")]\npub fn sp_m();\n\n#[sql_procedure(body = \"EXEC dbo.sp_m;\")]\npub fn sp_n();\n";
    let generation = generate_from(&[("src/lib.rs", lib)]);
    assert!(
        generation.diagnostics.is_empty(),
        "{:#?}",
        generation.diagnostics
    );
    let order: Vec<String> = codegen::model::deploy_order(&generation.model)
        .expect("mutual recursion is not a cycle error")
        .iter()
        .map(|k| k.to_string())
        .collect();
    let at = |name: &str| {
        order
            .iter()
            .position(|k| k == name)
            .unwrap_or_else(|| panic!("{name} in {order:?}"))
    };
    assert!(
        at("procedure dbo.sp_z") < at("procedure dbo.sp_a"),
        "{order:?}"
    );
}
