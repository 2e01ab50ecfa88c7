//! The `codegen` binary end to end, on small crates written to a scratch
//! directory: what users see when they run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("cli")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("functions/src")).unwrap();
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_codegen"))
            .arg("--root")
            .arg(&self.0)
            .args(args)
            // A developer's own server must not answer these tests.
            .env_remove("HARTONOMOUS_CONNECTION_STRING")
            .env_remove("HARTONOMOUS_ACCESS_TOKEN")
            .env_remove("HARTONOMOUS_ENVIRONMENT")
            .output()
            .unwrap()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const DOUBLE: &str = "use runtime::prelude::*;\n\n/// Twice x.\n#[sql_function(name = \"fn_Double\", deterministic)]\npub fn double(x: i32) -> i32 {\n    x * 2\n}\n";

#[test]
fn annotation_errors_render_like_rustc_with_codes_and_help() {
    let s = Scratch::new("render");
    s.write(
        "functions/src/lib.rs",
        "use runtime::prelude::*;\n\n#[sql_function(nme = \"fn_X\")]\npub fn f(v: Vector<0>) -> i32 {\n    0\n}\n",
    );
    let out = s.run(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        r##"error[HS0101]: Unknown field: `nme`. Did you mean `name`?
  ┌─ functions/src/lib.rs:3:16
  │
3 │ #[sql_function(nme = "fn_X")]
  │                ^^^^^^^^^^^^
  │
  = help: valid options here: name = "..", schema = "..", deterministic, precise, data_access = "none" | "read", returns = "<SQL type>", file = "<body>.sql", body = r#"<T-SQL>"#

error[HS0303]: vector dimension 0 is out of range
  ┌─ functions/src/lib.rs:4:20
  │
4 │ pub fn f(v: Vector<0>) -> i32 {
  │                    ^
  │
  = help: SQL Server's VECTOR holds 1 to 1998 float32 elements

error: codegen found 2 problems; nothing was written
"##
    );
    assert!(
        !s.0.join("generated").exists(),
        "nothing may be written on error"
    );
}

#[test]
fn duplicate_sql_names_name_both_places() {
    let s = Scratch::new("duplicates");
    s.write("functions/src/lib.rs", "pub mod a;\npub mod b;\n")
        .write("functions/src/a.rs", DOUBLE)
        .write(
            "functions/src/b.rs",
            "use runtime::prelude::*;\n\n#[sql_function(name = \"FN_DOUBLE\")]\npub fn twice(x: i32) -> i32 {\n    x + x\n}\n",
        );
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "error[HS0501]: `dbo.FN_DOUBLE` is declared twice: by `a::double` and by `b::twice`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("functions/src/b.rs:3:23"), "{stderr}");
    assert!(stderr.contains("functions/src/a.rs:4:23"), "{stderr}");
    assert!(stderr.contains("first declared here"), "{stderr}");
}

#[test]
fn rows_must_derive_sql_row() {
    let s = Scratch::new("rows");
    s.write(
        "functions/src/lib.rs",
        "use runtime::prelude::*;\n\npub struct Point { pub x: i32 }\n\n#[sql_function]\npub fn points() -> Vec<Point> {\n    vec![]\n}\n",
    );
    let stderr = text(&s.run(&[]).stderr);
    assert!(
        stderr.contains(
            "error[HS0502]: `dbo.points` returns rows of `Point`, which has no #[derive(SqlRow)]"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("add #[derive(SqlRow)] to `struct Point`"),
        "{stderr}"
    );
}

#[test]
fn table_function_columns_must_be_unicode() {
    let s = Scratch::new("tvf-varchar");
    s.write(
        "functions/src/lib.rs",
        "use runtime::prelude::*;\n\n#[derive(SqlRow)]\npub struct Code {\n    #[sql(type = \"VARCHAR(10)\")]\n    pub code: String,\n}\n\n#[sql_function]\npub fn codes() -> Vec<Code> {\n    vec![]\n}\n",
    );
    let stderr = text(&s.run(&[]).stderr);
    assert!(stderr.contains("error[HS0305]: column `Code` of `Code` is VARCHAR(10), which a CLR table-valued function (`dbo.codes`) cannot return"), "{stderr}");
}

#[test]
fn adding_one_function_adds_one_file() {
    let s = Scratch::new("add-one");
    s.write("functions/src/lib.rs", DOUBLE);
    let first = s.run(&[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(s.run(&["check"]).status.success());

    s.write(
        "functions/src/lib.rs",
        &format!("{DOUBLE}\n/// Half of x.\n#[sql_function(name = \"fn_Half\")]\npub fn half(x: f64) -> f64 {{\n    x / 2.0\n}}\n"),
    );
    let check = s.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        text(&check.stderr)
            .starts_with("missing: csharp/dbo/functions/fn_Half.cs\nstale:   entities/src/entities.rs\nmissing: sql/dbo/functions/fn_Half.sql\nstale:   sql/manifest.json\nerror:"),
        "{}",
        text(&check.stderr)
    );

    let second = s.run(&[]);
    assert!(second.status.success());
    assert_eq!(
        text(&second.stdout).lines().take(4).collect::<Vec<_>>(),
        [
            "missing: csharp/dbo/functions/fn_Half.cs",
            "stale:   entities/src/entities.rs",
            "missing: sql/dbo/functions/fn_Half.sql",
            "stale:   sql/manifest.json",
        ]
    );
    assert!(
        text(&second.stdout).contains("(4 changed)"),
        "{}",
        text(&second.stdout)
    );
    assert!(
        s.read("generated/sql/dbo/functions/fn_Half.sql")
            .contains("-- functions/src/lib.rs:11 (Rust `half`)")
    );
    assert!(
        s.read("generated/sql/dbo/functions/fn_Double.sql")
            .contains("-- functions/src/lib.rs:5 (Rust `double`)")
    );
}

#[test]
fn generation_is_deterministic_and_independent_of_source_order() {
    let a = Scratch::new("order-a");
    a.write("functions/src/lib.rs", "pub mod x;\npub mod y;\n")
        .write("functions/src/x.rs", DOUBLE)
        .write(
            "functions/src/y.rs",
            "use runtime::prelude::*;\n\n#[sql_procedure(schema = \"ops\")]\npub fn ping() {}\n",
        );
    let b = Scratch::new("order-b");
    b.write("functions/src/lib.rs", "pub mod y;\npub mod x;\n")
        .write("functions/src/x.rs", DOUBLE)
        .write(
            "functions/src/y.rs",
            "use runtime::prelude::*;\n\n#[sql_procedure(schema = \"ops\")]\npub fn ping() {}\n",
        );
    for s in [&a, &b] {
        assert!(s.run(&[]).status.success());
    }
    let first = a.read("generated/sql/manifest.json");
    assert_eq!(first, b.read("generated/sql/manifest.json"));
    assert!(
        first.find("ops/schema.sql").unwrap() < first.find("fn_Double").unwrap(),
        "schemas come first:\n{first}"
    );
    let again = a.run(&[]);
    assert!(
        text(&again.stdout).contains("(0 changed)"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(a.read("generated/sql/manifest.json"), first);
}

#[test]
fn check_names_stale_missing_and_extra_files_and_generate_repairs_them() {
    let s = Scratch::new("drift");
    s.write("functions/src/lib.rs", DOUBLE);
    assert!(s.run(&[]).status.success());
    s.write(
        "generated/sql/dbo/functions/fn_Double.sql",
        "-- edited by hand\n",
    );
    s.write("generated/sql/dbo/functions/fn_Old.sql", "-- left over\n");
    std::fs::remove_file(s.0.join("generated/sql/manifest.json")).unwrap();
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("stale:   sql/dbo/functions/fn_Double.sql"),
        "{stderr}"
    );
    assert!(
        stderr.contains("extra:   sql/dbo/functions/fn_Old.sql"),
        "{stderr}"
    );
    assert!(stderr.contains("missing: sql/manifest.json"), "{stderr}");
    assert!(stderr.contains("(1 stale, 1 missing, 1 extra)"), "{stderr}");
    assert!(s.run(&[]).status.success());
    assert!(s.run(&["check"]).status.success());
    assert!(!s.0.join("generated/sql/dbo/functions/fn_Old.sql").exists());
}

#[test]
fn unreadable_source_is_a_clear_error() {
    let s = Scratch::new("no-source");
    let out = s.run(&["--source", "nowhere/lib.rs"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[HS0601]: cannot read nowhere/lib.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: run codegen from the workspace root, or pass --root"),
        "{stderr}"
    );
}

#[test]
fn register_writes_an_idempotent_installation_script() {
    let s = Scratch::new("register");
    s.write("functions/src/lib.rs", DOUBLE);
    s.write("build/not-an-assembly.dll", "hello");
    std::fs::write(s.0.join("build/fake.dll"), b"MZ\x90\x00fake assembly bits").unwrap();

    let rejected = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/not-an-assembly.dll").to_string_lossy(),
    ]);
    assert_eq!(rejected.status.code(), Some(1));
    assert!(
        text(&rejected.stderr).contains("is not a .NET assembly (no PE header)"),
        "{}",
        text(&rejected.stderr)
    );
    let missing = s.run(&["register", "--assembly-file", "nowhere.dll"]);
    assert!(
        text(&missing.stderr).contains("error: cannot read assembly nowhere.dll"),
        "{}",
        text(&missing.stderr)
    );

    let out = s.0.join("build/register.sql");
    let ok = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/fake.dll").to_string_lossy(),
        "--script",
        &out.to_string_lossy(),
    ]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let script = std::fs::read_to_string(&out).unwrap();
    assert!(
        script.contains(
            "FROM 0x4D5A9000666616B6520617373656D626C792062697473"
                .replace("666616B", "66616B")
                .as_str()
        ),
        "{script}"
    );
    assert!(
        script.contains("IF @old IS NULL OR @old <> @hash"),
        "unchanged bits are left alone"
    );
    assert!(
        !script.contains("EXEC sys.sp_drop_trusted_assembly"),
        "the old hash stays trusted: another database on the server may use it"
    );
    assert!(
        script.contains("CREATE OR ALTER FUNCTION [dbo].[fn_Double]"),
        "{script}"
    );
    assert!(script.starts_with(
        "-- Registers CLR assembly [Hartonomous.Functions] and the 1 objects bound to it."
    ));
    // Asked for, replacing the assembly also stops trusting the old bits.
    let untrusting = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/fake.dll").to_string_lossy(),
        "--untrust-previous",
    ]);
    assert!(untrusting.status.success(), "{}", text(&untrusting.stderr));
    let untrusting = text(&untrusting.stdout);
    let drop_assembly = untrusting.find("DROP ASSEMBLY").expect("replaces");
    let untrust = untrusting
        .find("EXEC sys.sp_drop_trusted_assembly @hash = @old;")
        .expect("untrusts the replaced bits");
    assert!(drop_assembly < untrust, "{untrusting}");
    assert!(
        untrusting.contains("IF EXISTS (SELECT 1 FROM sys.trusted_assemblies WHERE hash = @old)"),
        "only a hash that is trusted is dropped: {untrusting}"
    );
    std::fs::write(
        s.0.join("build/signer.cer"),
        [0x30u8, 0x82, 0x01, 0x00, 0xAA],
    )
    .unwrap();
    let signed = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/fake.dll").to_string_lossy(),
        "--certificate-file",
        &s.0.join("build/signer.cer").to_string_lossy(),
    ]);
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let signed = text(&signed.stdout);
    assert!(
        signed.contains("CREATE CERTIFICATE [HartonomousClr] FROM BINARY = 0x30820100AA"),
        "{signed}"
    );
    assert!(!signed.contains("sp_add_trusted_assembly"), "{signed}");
    assert!(!signed.contains("The old hash stays trusted"), "{signed}");
    let both = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/fake.dll").to_string_lossy(),
        "--certificate-file",
        &s.0.join("build/signer.cer").to_string_lossy(),
        "--untrust-previous",
    ]);
    assert_eq!(
        both.status.code(),
        Some(2),
        "a certificate adds no hash to untrust"
    );
    assert!(
        text(&both.stderr).contains("cannot be used with"),
        "{}",
        text(&both.stderr)
    );
    let not_der = s.run(&[
        "register",
        "--assembly-file",
        &s.0.join("build/fake.dll").to_string_lossy(),
        "--certificate-file",
        &s.0.join("build/not-an-assembly.dll").to_string_lossy(),
    ]);
    assert!(
        text(&not_der.stderr).contains("is not a DER certificate"),
        "{}",
        text(&not_der.stderr)
    );
    assert!(
        !s.0.join("generated/sql/register.sql").exists(),
        "the script depends on built bits: not in generated/"
    );
}

#[test]
fn vector_companions_are_generated_and_their_names_reserved() {
    let s = Scratch::new("companion");
    s.write(
        "functions/src/lib.rs",
        "use runtime::prelude::*;\n\n#[sql_function(name = \"fn_Len\")]\npub fn len(v: Vector<3>) -> i32 {\n    v.len() as i32\n}\n",
    );
    assert!(s.run(&[]).status.success());
    let companion = s.read("generated/sql/dbo/functions/fn_Len_Vector.sql");
    assert!(companion.contains("@v VECTOR(3)"), "{companion}");
    assert!(companion.contains("RETURN [dbo].[fn_Len]([dbo].[hs_VectorFromJson](CAST(CAST(@v AS VARCHAR(MAX)) AS VARBINARY(MAX))));"), "{companion}");
    assert!(
        s.read("generated/sql/dbo/functions/hs_VectorFromJson.sql")
            .contains("AS EXTERNAL NAME")
    );

    s.write(
        "functions/src/lib.rs",
        "use runtime::prelude::*;\n\n#[sql_function(name = \"fn_Len\")]\npub fn len(v: Vector<3>) -> i32 {\n    v.len() as i32\n}\n\n#[sql_function(name = \"fn_Len_Vector\")]\npub fn other(x: i32) -> i32 {\n    x\n}\n",
    );
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[HS0501]: `dbo.fn_Len_Vector`, the VECTOR companion of `dbo.fn_Len`, is also declared by `other`"), "{stderr}");
}

#[test]
fn table_rules_catch_the_classic_schema_errors() {
    let s = Scratch::new("tables");
    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Parent {
    #[sql(primary_key)]
    pub parent_id: i32,
    pub code: i64,
}

#[derive(SqlTable)]
#[sql(index(columns = "CompletedTimestamp"))]
pub struct Child {
    #[sql(primary_key, identity)]
    pub child_id: i64,
    #[sql(references = "dbo.Parent(ParentId)")]
    pub parent_id: i64,
    #[sql(references = "Parent(Code)")]
    pub code: i64,
    #[sql(references = "dbo.Missing(Id)")]
    pub missing_id: i32,
    pub completion_timestamp: NaiveDateTime,
}

#[derive(SqlTable)]
pub struct A {
    #[sql(primary_key, references = "B(Id)")]
    pub id: i32,
}

#[derive(SqlTable)]
pub struct B {
    #[sql(primary_key, references = "A(Id)")]
    pub id: i32,
}
"#,
    );
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "error[HS0507]: foreign key `FK_Child_ParentId`: `dbo.Child.ParentId` is BIGINT but `dbo.Parent.ParentId` is INT",
        "error[HS0508]: foreign key `FK_Child_Code` references dbo.Parent(Code), which is not its primary key or a unique key",
        "error[HS0505]: foreign key `FK_Child_MissingId` references table `dbo.Missing`, which is not declared",
        "error[HS0506]: index `IX_Child_CompletedTimestamp` names column `CompletedTimestamp`, which table `dbo.Child` does not have",
        "help: columns of dbo.Child: ChildId, ParentId, Code, MissingId, CompletionTimestamp",
        "error[HS0509]: objects depend on each other in a cycle: table dbo.A → table dbo.B → table dbo.A",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("codegen found 5 problems"), "{stderr}");
}

#[test]
fn temporal_tables_need_a_period_and_a_free_history_name() {
    let s = Scratch::new("temporal");
    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(temporal(retention = "90 DAYZ"))]
pub struct Doc {
    #[sql(primary_key)]
    pub doc_id: i32,
    #[sql(period_start)]
    pub valid_from: Option<NaiveDateTime>,
}

#[derive(SqlTable)]
#[sql(temporal(history = "Note"))]
pub struct Page {
    #[sql(primary_key)]
    pub page_id: i32,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}

#[derive(SqlTable)]
pub struct Note {
    #[sql(primary_key)]
    pub note_id: i32,
}
"#,
    );
    let stderr = text(&s.run(&["check"]).stderr);
    for expected in [
        "error[HS0305]: period column `ValidFrom` must be DATETIME2 NOT NULL, not DATETIME2(7) NULL",
        "error[HS0104]: a temporal table needs a period_start and a period_end column",
        "error[HS0501]: `dbo.Note` is declared twice: by the history table of `Page` and by table `Note`",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(temporal(retention = "90 DAYZ"))]
pub struct Page {
    #[sql(primary_key)]
    pub page_id: i32,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}
"#,
    );
    let stderr = text(&s.run(&["check"]).stderr);
    assert!(
        stderr.contains("error[HS0104]: `90 DAYZ` is not a retention period"),
        "{stderr}"
    );
}

#[test]
fn tenancy_is_project_wide_with_opt_outs() {
    let s = Scratch::new("tenancy");
    s.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous]\ntenant_column = \"TenantId\"\n",
    );
    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Doc {
    #[sql(primary_key)]
    pub doc_id: i32,
    pub tenant_id: i32,
}

#[derive(SqlTable)]
#[sql(tenant = false)]
pub struct Country {
    #[sql(primary_key)]
    pub code: i32,
}

#[derive(SqlTable)]
#[sql(tenant = "OwnerTenant")]
pub struct Note {
    #[sql(primary_key)]
    pub note_id: i32,
    pub owner_tenant: i32,
}
"#,
    );
    assert!(s.run(&[]).status.success());
    let policy = s.read("generated/sql/security/policies/TenantIsolationPolicy.sql");
    assert!(policy.contains("([TenantId]) ON [dbo].[Doc]"), "{policy}");
    assert!(
        policy.contains("([OwnerTenant]) ON [dbo].[Note]"),
        "{policy}"
    );
    assert!(!policy.contains("Country"), "opted out: {policy}");
    assert!(
        s.read("generated/sql/security/schema.sql")
            .contains("CREATE SCHEMA [security]")
    );

    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Doc {
    #[sql(primary_key)]
    pub doc_id: i32,
}

#[derive(SqlTable)]
pub struct Note {
    #[sql(primary_key)]
    pub note_id: i32,
    pub tenant_id: i64,
}

#[derive(SqlTable)]
pub struct Page {
    #[sql(primary_key)]
    pub page_id: i32,
    pub tenant_id: i32,
}
"#,
    );
    let stderr = text(&s.run(&["check"]).stderr);
    assert!(stderr.contains("error[HS0506]: tenant row-level security names column `TenantId`, which table `dbo.Doc` does not have"), "{stderr}");
    assert!(
        stderr.contains("or opt out with tenant = false"),
        "{stderr}"
    );
    assert!(stderr.contains("error[HS0507]: tenant column `dbo.Page.TenantId` is INT but `dbo.Note.TenantId` is BIGINT"), "{stderr}");

    s.write(
        "functions/Cargo.toml",
        "[package.metadata.hartonomous]\ntennant_column = \"x\"\n",
    );
    let stderr = text(&s.run(&["check"]).stderr);
    assert!(
        stderr.contains("error[HS0601]: cannot read functions/Cargo.toml"),
        "{stderr}"
    );
}

/// One crate breaking every whole-model rule of the schema's other parts at
/// once; `validate` must name each with its code. The same crate with each
/// problem fixed validates clean.
const SCHEMA_OBJECTS: &str = r#"use runtime::prelude::*;

#[sql_function(deterministic)]
pub fn half(x: i32) -> i32 { x / 2 }

#[sql_function(deterministic, precise)]
pub fn twice(x: i32) -> i32 { x * 2 }

#[sql_procedure]
pub fn sp_Work() {}

#[sql_sequence]
pub struct OrderNumbers;

#[derive(SqlTable)]
#[sql(
    index(columns = "Score", where = "[Doubled] > 0"),
    spatial_index(column = "Score", name = "SIX_Bad"),
    vector_index(column = "Embedding")
)]
pub struct Item {
    #[sql(primary_key)]
    pub code: String,
    pub score: i32,
    #[sql(computed = "[dbo].[BROKEN_FN]([Score])")]
    pub unknown: Option<i32>,
    #[sql(computed = "[dbo].[half]([Score])", persisted)]
    pub halved: i32,
    #[sql(computed = "[dbo].[twice]([Score])", persisted)]
    pub doubled: i32,
    #[sql(default = "NEXT VALUE FOR [dbo].[BROKEN_SEQ]")]
    pub order_number: i64,
    pub embedding: Vector<3>,
}

#[derive(SqlTable)]
pub struct Plain {
    #[sql(primary_key)]
    pub id: i32,
}

#[derive(SqlTable)]
#[sql(edge(connect = "dbo.Plain TO dbo.Plain"))]
pub struct Links {
    pub weight: f32,
}

#[derive(SqlTable)]
#[sql(memory_optimized, index(columns = "PlainId"))]
pub struct Hot {
    #[sql(primary_key)]
    pub id: i64,
    #[sql(references = "dbo.Plain(Id)")]
    pub plain_id: i32,
}

#[sql_message_type(name = "//Test/Ping")]
pub struct Ping;

#[sql_contract(name = "//Test/Contract", initiator = "//Test/Ping, //Test/BROKEN_MESSAGE")]
pub struct Contract;

#[sql_queue(activation = "dbo.BROKEN_PROC", service = "//Test/Service", contracts = "//Test/Contract")]
pub struct WorkQueue;

#[sql_role(grant = "SELECT ON dbo.BROKEN_TABLE", grant = "EXECUTE ON dbo.Plain")]
pub struct Worker;

#[sql_role(name = "worker")]
pub struct WorkerAgain;
"#;

#[test]
fn schema_object_rules_name_each_problem_and_pass_when_fixed() {
    let s = Scratch::new("objects");
    s.write("functions/src/lib.rs", SCHEMA_OBJECTS);
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "error[HS0510]: `dbo.Item.Unknown` calls `dbo.BROKEN_FN`, which is not a declared function",
        "error[HS0511]: computed column `dbo.Item.Halved` is persisted or indexed but calls `dbo.half`, which is not marked deterministic and precise",
        "error[HS0512]: the filter of index `IX_Item_Score` reads computed column `Doubled`",
        "error[HS0510]: the default of `dbo.Item.OrderNumber` reads sequence `dbo.BROKEN_SEQ`, which is not declared",
        "error[HS0514]: spatial index `SIX_Bad` is over `Score`, which is INT, not GEOMETRY or GEOGRAPHY",
        "error[HS0514]: vector index `VIX_Item_Embedding` on `dbo.Item`, whose primary key is not one clustered integer column",
        "error[HS0513]: edge `dbo.Links` connects `dbo.Plain`, which is not a node table",
        "error[HS0513]: foreign key `FK_Hot_PlainId` joins memory-optimized table `dbo.Hot` to disk-based table `dbo.Plain`",
        "error[HS0510]: contract `//Test/Contract` names message type `//Test/BROKEN_MESSAGE`, which is not declared",
        "error[HS0510]: queue `dbo.WorkQueue` activates `dbo.BROKEN_PROC`, which is not a declared procedure",
        "error[HS0510]: role `Worker` has a permission on `dbo.BROKEN_TABLE`, which is not declared",
        "error[HS0104]: role `Worker`: EXECUTE does not apply to `dbo.Plain`",
        "error[HS0501]: role `worker` is declared twice",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("codegen found 13 problems"), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");

    let fixed = SCHEMA_OBJECTS
        .replace("[dbo].[BROKEN_FN]", "[dbo].[twice]")
        .replace(
            "#[sql_function(deterministic)]",
            "#[sql_function(deterministic, precise)]",
        )
        .replace("where = \"[Doubled] > 0\"", "where = \"[Score] > 0\"")
        .replace("[dbo].[BROKEN_SEQ]", "[dbo].[OrderNumbers]")
        .replace("spatial_index(column = \"Score\", name = \"SIX_Bad\"),", "")
        .replace(
            "#[sql(primary_key)]\n    pub code: String,",
            "#[sql(primary_key)]\n    pub id: i32,",
        )
        .replace("pub struct Plain {", "#[sql(node)]\npub struct Plain {")
        .replace(
            "#[sql(references = \"dbo.Plain(Id)\")]\n    pub plain_id",
            "pub plain_id",
        )
        .replace(", //Test/BROKEN_MESSAGE", "")
        .replace("dbo.BROKEN_PROC", "dbo.sp_Work")
        .replace("SELECT ON dbo.BROKEN_TABLE", "SELECT ON dbo.Item")
        .replace("EXECUTE ON dbo.Plain", "EXECUTE ON dbo.sp_Work")
        .replace("name = \"worker\"", "name = \"Auditor\"");
    s.write("functions/src/lib.rs", &fixed);
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("no problems"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn objects_are_ordered_by_dependency_before_name() {
    let s = Scratch::new("order");
    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(edge(connect = "ZNode TO ZNode"))]
pub struct AEdge {
    pub weight: f32,
}

#[derive(SqlTable)]
#[sql(node)]
pub struct ZNode {
    #[sql(primary_key)]
    pub id: i32,
}

#[derive(SqlTable)]
pub struct Aaa {
    #[sql(primary_key, references = "Zzz(Id)")]
    pub id: i32,
}

#[derive(SqlTable)]
pub struct Zzz {
    #[sql(primary_key)]
    pub id: i32,
}

#[sql_procedure]
pub fn a_drain() {}

#[sql_queue(activation = "a_drain")]
pub struct AQueue;

#[sql_role(grant = "SELECT ON Aaa")]
pub struct AReader;
"#,
    );
    let out = s.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let manifest = s.read("generated/sql/manifest.json");
    let at = |name: &str| {
        manifest
            .find(&format!("\"name\": \"{name}\""))
            .unwrap_or_else(|| panic!("{name} not in {manifest}"))
    };
    assert!(at("ZNode") < at("AEdge"), "{manifest}");
    assert!(at("Zzz") < at("Aaa"), "{manifest}");
    assert!(at("a_drain") < at("AQueue"), "{manifest}");
    assert!(at("Aaa") < at("AReader"), "{manifest}");
}

#[test]
fn entity_type_names_must_not_collide() {
    let s = Scratch::new("entity-names");
    s.write(
        "functions/src/lib.rs",
        r#"use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Order {
    #[sql(primary_key)]
    pub id: i32,
}

#[derive(SqlRow)]
pub struct NewOrder {
    pub id: i32,
}
"#,
    );
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[HS0501]: the entity crate would declare `NewOrder` twice: for table `dbo.Order` and for row type `NewOrder`"),
        "{stderr}"
    );
}

const TSQL_CRATE: &str = r#"use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Request {
    #[sql(primary_key, identity)]
    pub request_id: i64,
    pub tenant_id: i32,
    pub completion_timestamp: Option<NaiveDateTime>,
    #[sql(computed = "[TenantId] * 2", persisted)]
    pub doubled: i32,
}

#[sql_function(deterministic, precise)]
pub fn twice(x: i32) -> i32 { x * 2 }

#[sql_sequence]
pub struct Batches;

#[sql_procedure(file = "broken.sql")]
pub fn sp_broken(tenant: i32);
"#;

#[test]
fn tsql_bodies_are_checked_with_locations_in_the_sql_file() {
    let s = Scratch::new("tsql-bodies");
    s.write("functions/src/lib.rs", TSQL_CRATE);
    s.write(
        "functions/src/broken.sql",
        "SELECT r.CompletedTimestamp\nFROM dbo.Request AS r\nJOIN dbo.Missing m ON m.Id = r.RequestId;\nINSERT INTO dbo.Request (RequestId, TenantId, Doubled) VALUES (1, dbo.twice(1, 2), 3);\nSELECT NEXT VALUE FOR dbo.NoSuchSequence;\nCREATE TABLE dbo.Scratch (x INT);\nEXEC (N'SELECT 1');\n",
    );
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    // Each finding and the place in the .sql file it points at.
    for (message, at) in [
        (
            "error[HS0702]: `dbo.sp_broken` refers to column `CompletedTimestamp` of `dbo.Request`, which has no such column",
            "broken.sql:1:10",
        ),
        (
            "error[HS0701]: `dbo.sp_broken` refers to table or view `dbo.Missing`, which the model does not declare",
            "broken.sql:3:6",
        ),
        (
            "error[HS0705]: `dbo.sp_broken` inserts into `dbo.Request.RequestId`, an identity column",
            "broken.sql:4:26",
        ),
        (
            "error[HS0705]: `dbo.sp_broken` inserts into `dbo.Request.Doubled`, a computed column",
            "broken.sql:4:47",
        ),
        (
            "error[HS0703]: `dbo.sp_broken` calls `dbo.twice` with 2 arguments, but it takes 1",
            "broken.sql:4:67",
        ),
        (
            "error[HS0704]: `dbo.sp_broken` reads sequence `dbo.NoSuchSequence`, which is not declared",
            "broken.sql:5:23",
        ),
        (
            "error[HS0706]: `dbo.sp_broken` runs CREATE TABLE on permanent table `dbo.Scratch`",
            "broken.sql:6:14",
        ),
        (
            "note[HS0707]: `dbo.sp_broken` runs dynamic SQL, which is not checked",
            "broken.sql:7:1",
        ),
    ] {
        let found = stderr
            .split_once(message)
            .unwrap_or_else(|| panic!("missing {message:?} in:\n{stderr}"))
            .1;
        let location = found.lines().nth(1).unwrap_or_default();
        assert!(
            location.ends_with(&format!("functions/src/{at}")),
            "{message} points at {location:?}, expected {at}"
        );
    }
    assert!(
        stderr.contains("help: did you mean `CompletionTimestamp`?"),
        "{stderr}"
    );
    assert!(stderr.contains("codegen found 7 problems"), "{stderr}");

    // Fixed, it validates; the dynamic SQL stays a note.
    s.write(
        "functions/src/broken.sql",
        "SELECT r.CompletionTimestamp\nFROM dbo.Request AS r;\nINSERT INTO dbo.Request (TenantId) VALUES (dbo.twice(1));\nSELECT NEXT VALUE FOR dbo.Batches;\nCREATE TABLE #scratch (x INT);\nEXEC (N'SELECT 1');\n",
    );
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("note[HS0707]"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_missing_tsql_body_file_is_named() {
    let s = Scratch::new("tsql-missing");
    s.write("functions/src/lib.rs", TSQL_CRATE);
    let out = s.run(&["validate"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[HS0603]: the T-SQL body of `dbo.sp_broken`, functions/src/broken.sql, cannot be read"),
        "{stderr}"
    );
}

const CUSTOMER_V1: &str = "use runtime::prelude::*;\n\n#[derive(SqlTable)]\npub struct Customer {\n    #[sql(primary_key, identity)]\n    pub customer_id: i32,\n    #[sql(type = \"NVARCHAR(100)\")]\n    pub name: String,\n    pub legacy: Option<i32>,\n}\n";
const CUSTOMER_V2: &str = "use runtime::prelude::*;\n\n#[derive(SqlTable)]\npub struct Customer {\n    #[sql(primary_key, identity)]\n    pub customer_id: i32,\n    #[sql(type = \"NVARCHAR(200)\")]\n    pub name: String,\n    pub email: Option<String>,\n}\n";

#[test]
fn plan_against_the_previous_release_reports_and_blocks() {
    let old = Scratch::new("plan-old");
    old.write("functions/src/lib.rs", CUSTOMER_V1);
    let new = Scratch::new("plan-new");
    new.write("functions/src/lib.rs", CUSTOMER_V2);
    let script = new.0.join("deploy.sql");
    let report = new.0.join("report.json");
    let out = new.run(&[
        "plan",
        "--from-root",
        old.0.to_str().unwrap(),
        "--script",
        script.to_str().unwrap(),
        "--report-json",
        report.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    // The dropped column is blocked: exit 2, and the way to allow it named.
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("widen column [Name] NVARCHAR(100) NOT NULL → NVARCHAR(200) NOT NULL"),
        "{stdout}"
    );
    assert!(stdout.contains("add column [Email]"), "{stdout}");
    assert!(
        stdout.contains("blocked: table dbo.Customer: drop column [Legacy]: its values are lost (allow with `--allow dbo.Customer.Legacy:drop`)"),
        "{stdout}"
    );
    assert!(stdout.contains("alter: 1 table"), "{stdout}");
    assert!(
        stdout.contains("2 steps, 1 blocked, planned in"),
        "{stdout}"
    );
    let script_text = std::fs::read_to_string(&script).unwrap();
    assert!(script_text.contains("SET XACT_ABORT ON;"), "{script_text}");
    assert!(
        script_text
            .contains("ALTER TABLE [dbo].[Customer] ALTER COLUMN [Name] NVARCHAR(200) NOT NULL;")
    );
    assert!(script_text.contains("-- blocked: table dbo.Customer: drop column [Legacy]"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["steps"], 2);
    assert_eq!(json["objects"]["alter"]["table"], 1);
    assert_eq!(json["blocked"][0]["allow_with"], "dbo.Customer.Legacy:drop");
    let hex = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|s| s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()))
    };
    assert!(
        hex(&json["source_hash"]) && hex(&json["plan_hash"]),
        "{json}"
    );
    // The script records the deployment with the same hashes.
    let source_hash = json["source_hash"].as_str().unwrap();
    assert!(
        script_text.contains("INSERT INTO [hartonomous].[DeploymentHistory]"),
        "{script_text}"
    );
    assert!(script_text.contains(source_hash), "{script_text}");

    // Allowed, the drop is planned and nothing is blocked.
    let out = new.run(&[
        "plan",
        "--from-root",
        old.0.to_str().unwrap(),
        "--allow",
        "dbo.Customer.Legacy:drop",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("drop column [Legacy] (allowed: dbo.Customer.Legacy:drop)"));

    // The same source on both sides: nothing to do, and the source hash is
    // the one the first plan recorded (it depends on the source alone).
    let same_report = new.0.join("same.json");
    let out = new.run(&[
        "plan",
        "--from-root",
        new.0.to_str().unwrap(),
        "--report-json",
        same_report.to_str().unwrap(),
    ]);
    let same: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&same_report).unwrap()).unwrap();
    assert_eq!(same["source_hash"], json["source_hash"]);
    assert_ne!(same["plan_hash"], json["plan_hash"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with("nothing to do: the database matches the source\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn plan_inputs_are_checked() {
    let s = Scratch::new("plan-inputs");
    s.write("functions/src/lib.rs", CUSTOMER_V2);
    let out = s.run(&["plan", "--from-root", ".", "--allow", "dbo.Customer.Name"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read the allowance `dbo.Customer.Name`: no `:kind`"),
        "{}",
        text(&out.stderr)
    );
    let out = s.run(&["plan"]);
    assert_eq!(out.status.code(), Some(1), "an input is required");
    assert!(
        text(&out.stderr).contains(
            "error: plan against what? give --catalog <snapshot.json>, --from-root <dir>, or --connection-string (or HARTONOMOUS_CONNECTION_STRING)"
        ),
        "{}",
        text(&out.stderr)
    );
    // An assembly file that is missing, or not an assembly, is named.
    let out = s.run(&["plan", "--from-root", ".", "--assembly-file", "none.dll"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read the assembly none.dll"),
        "{}",
        text(&out.stderr)
    );
    s.write("notes.txt", "not an assembly");
    let notes = s.0.join("notes.txt");
    let out = s.run(&[
        "plan",
        "--from-root",
        ".",
        "--assembly-file",
        notes.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("notes.txt is not a .NET assembly (no MZ header)"),
        "{}",
        text(&out.stderr)
    );
    let missing = s.0.join("missing.json");
    let out = s.run(&["plan", "--catalog", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read the catalog snapshot"),
        "{}",
        text(&out.stderr)
    );
    s.write("snapshot.json", "{\"default_collation\": \"x\"");
    let out = s.run(&[
        "plan",
        "--catalog",
        s.0.join("snapshot.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("snapshot.json"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn plan_against_a_catalog_snapshot() {
    use codegen::deploy::catalog::{CatalogRows, ColumnRow, KeyRow};
    let s = Scratch::new("plan-catalog");
    s.write("functions/src/lib.rs", CUSTOMER_V2);
    let column = |name: &str, type_name: &str, max_length: i32| ColumnRow {
        schema: "dbo".into(),
        table: "Customer".into(),
        column: name.into(),
        type_name: type_name.into(),
        max_length,
        ..ColumnRow::default()
    };
    let rows = CatalogRows {
        default_collation: "SQL_Latin1_General_CP1_CI_AS".into(),
        columns: vec![
            ColumnRow {
                identity: Some((1, 1)),
                ..column("CustomerId", "int", 4)
            },
            ColumnRow {
                collation: Some("SQL_Latin1_General_CP1_CI_AS".into()),
                ..column("Name", "nvarchar", 400)
            },
        ],
        keys: vec![KeyRow {
            schema: "dbo".into(),
            table: "Customer".into(),
            name: "PK_Customer".into(),
            kind: "PK".into(),
            clustered: true,
            column: "CustomerId".into(),
            bucket_count: None,
        }],
        ..CatalogRows::default()
    };
    s.write("snapshot.json", &serde_json::to_string(&rows).unwrap());
    let out = s.run(&[
        "plan",
        "--catalog",
        s.0.join("snapshot.json").to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("step 1: alter table dbo.Customer: add column [Email]"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("[Name]"),
        "Name matches the catalog: {stdout}"
    );

    // A role the source lacks: reported, and dropped with --drop-extra.
    let mut with_role = rows.clone();
    with_role.roles.push(codegen::deploy::catalog::RoleRow {
        role: "Auditor".into(),
        ..Default::default()
    });
    s.write("snapshot.json", &serde_json::to_string(&with_role).unwrap());
    let snapshot = s.0.join("snapshot.json");
    let out = s.run(&["plan", "--catalog", snapshot.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("extra: role Auditor is in the database but not in the source (left alone; --drop-extra drops it)"),
        "{stdout}"
    );
    let out = s.run(&[
        "plan",
        "--catalog",
        snapshot.to_str().unwrap(),
        "--drop-extra",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "step 2: drop role Auditor: not in the source (--drop-extra)\n    DROP ROLE [Auditor];"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("drop: 1 role"), "{stdout}");
}

#[test]
fn drift_is_told_from_the_deployment_history() {
    use codegen::deploy::catalog::{CatalogRows, ColumnRow, DeploymentRow, KeyRow};
    let s = Scratch::new("drift-history");
    s.write("functions/src/lib.rs", CUSTOMER_V2);
    let column = |name: &str, type_name: &str, max_length: i32, nullable: bool| ColumnRow {
        schema: "dbo".into(),
        table: "Customer".into(),
        column: name.into(),
        type_name: type_name.into(),
        max_length,
        nullable,
        ..ColumnRow::default()
    };
    // The database exactly as the source makes it.
    let matching = CatalogRows {
        default_collation: "SQL_Latin1_General_CP1_CI_AS".into(),
        columns: vec![
            ColumnRow {
                identity: Some((1, 1)),
                ..column("CustomerId", "int", 4, false)
            },
            column("Name", "nvarchar", 400, false),
            column("Email", "nvarchar", -1, true),
        ],
        keys: vec![KeyRow {
            schema: "dbo".into(),
            table: "Customer".into(),
            name: "PK_Customer".into(),
            kind: "PK".into(),
            clustered: true,
            column: "CustomerId".into(),
            bucket_count: None,
        }],
        ..CatalogRows::default()
    };
    let drift = |rows: &CatalogRows| {
        s.write("snapshot.json", &serde_json::to_string(rows).unwrap());
        let out = s.run(&[
            "drift",
            "--catalog",
            s.0.join("snapshot.json").to_str().unwrap(),
        ]);
        (out.status.code(), text(&out.stdout))
    };
    // Never deployed by codegen.
    let (code, stdout) = drift(&matching);
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("no deployment recorded"), "{stdout}");

    // The source hash, as `plan` reports it.
    s.write("snapshot.json", &serde_json::to_string(&matching).unwrap());
    let report = s.0.join("plan.json");
    s.run(&[
        "plan",
        "--catalog",
        s.0.join("snapshot.json").to_str().unwrap(),
        "--report-json",
        report.to_str().unwrap(),
    ]);
    let hash =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&report).unwrap())
            .unwrap()["source_hash"]
            .as_str()
            .unwrap()
            .to_string();
    let deployed = |source_hash: &str| DeploymentRow {
        deployed_at: "2026-11-26T03:00:00.000".into(),
        deployed_by: "deployer".into(),
        source_hash: source_hash.into(),
        plan_hash: "0".repeat(64),
        outcome: "deployed".into(),
    };

    // Deployed from this source, unchanged since: no drift.
    let clean = CatalogRows {
        last_deployment: Some(deployed(&hash)),
        ..matching.clone()
    };
    let (code, stdout) = drift(&clean);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.starts_with("no drift: the database matches the source deployed at 2026-11-26T03:00:00.000 by deployer"), "{stdout}");

    // Someone shortened Name by hand: drift, exit 3.
    let mut by_hand = clean.clone();
    by_hand.columns[1].max_length = 100;
    let (code, stdout) = drift(&by_hand);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("drift: 1 change made outside codegen"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "table dbo.Customer: widen column [Name] NVARCHAR(50) NOT NULL → NVARCHAR(200) NOT NULL"
        ),
        "{stdout}"
    );

    // Deployed from another source: said, not guessed.
    let older = CatalogRows {
        last_deployment: Some(deployed(&"f".repeat(64))),
        ..by_hand
    };
    let (code, stdout) = drift(&older);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("the source changed since the deployment"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mix changes not yet deployed with drift"),
        "{stdout}"
    );
}

#[test]
fn deployment_steps_are_read_from_the_crate_and_a_missing_one_is_named() {
    let s = Scratch::new("deploy-steps");
    s.write("functions/src/lib.rs", CUSTOMER_V2);
    s.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous.deploy]\npost = [\"deploy/seed.sql\"]\n",
    );
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot read the post-deployment step functions/deploy/seed.sql"),
        "{stderr}"
    );
    assert!(
        stderr.contains("add the file or remove the entry"),
        "{stderr}"
    );

    s.write(
        "functions/deploy/seed.sql",
        "PRINT N'seeded';\nGO\nPRINT N'twice';\n",
    );
    let out = s.run(&["plan", "--from-root", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "runs after the changes, as on every deployment: functions/deploy/seed.sql (2 batches)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "no schema changes: the database matches the source; 1 project step run as on every deployment"
        ),
        "{stdout}"
    );
}

#[test]
fn allowances_in_the_source_are_checked_and_used() {
    let old = Scratch::new("allow-source-old");
    old.write("functions/src/lib.rs", CUSTOMER_V1);
    let new = Scratch::new("allow-source-new");
    new.write("functions/src/lib.rs", CUSTOMER_V2);
    new.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous.deploy]\nallow = [\"dbo.Customer.Legacy\"]\n",
    );
    let out = new.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "functions/Cargo.toml: [package.metadata.hartonomous.deploy]: cannot read the allowance `dbo.Customer.Legacy`: no `:kind`"
        ),
        "{}",
        text(&out.stderr)
    );
    new.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous.deploy]\nallow = [\"dbo.Customer.Legacy:drop\"]\n",
    );
    let out = new.run(&["plan", "--from-root", old.0.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("drop column [Legacy] (allowed: dbo.Customer.Legacy:drop)"),
        "{}",
        text(&out.stdout)
    );
}

const AGGREGATE_CRATE: &str = r#"use runtime::prelude::*;

pub struct Total(f64);

impl SqlAggregate for Total {
    type Error = String;
    fn init() -> Self { Total(0.0) }
    fn merge(&mut self, other: Self) -> Result<(), String> { self.0 += other.0; Ok(()) }
    fn save(&self, out: &mut StateWriter) { out.f64(self.0) }
    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> { input.f64().map(Total) }
}

/// Sum of the values.
#[sql_aggregate(name = "fn_Total")]
impl Total {
    pub fn accumulate(&mut self, value: f64) { self.0 += value; }
    pub fn terminate(&self) -> f64 { self.0 }
}

#[sql_function(name = "FN_TOTAL")]
pub fn total(x: f64) -> f64 { x }

#[sql_procedure(body = "SELECT dbo.fn_Total(1.0, 2.0) AS t;")]
pub fn sp_sum();
"#;

#[test]
fn aggregates_share_names_with_functions_and_are_called_like_them() {
    let s = Scratch::new("aggregate-rules");
    s.write("functions/src/lib.rs", AGGREGATE_CRATE);
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("error[HS0501]: `dbo.fn_Total` is declared twice: by `total` and by `Total`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error[HS0703]: `dbo.sp_sum` calls `dbo.FN_TOTAL` with 2 arguments, but it takes 1"
        ),
        "{stderr}"
    );
    // Without the clash and with the right call, the aggregate is generated.
    s.write(
        "functions/src/lib.rs",
        &AGGREGATE_CRATE
            .replace("#[sql_function(name = \"FN_TOTAL\")]", "#[sql_function]")
            .replace("dbo.fn_Total(1.0, 2.0)", "dbo.fn_Total(1.0)"),
    );
    let out = s.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql =
        std::fs::read_to_string(s.0.join("generated/sql/dbo/aggregates/fn_Total.sql")).unwrap();
    assert!(sql.contains("CREATE AGGREGATE [dbo].[fn_Total]\n(\n    @value FLOAT\n)\nRETURNS FLOAT\nEXTERNAL NAME [Hartonomous.Functions].[Hartonomous.Functions.Total];"), "{sql}");
    assert!(sql.contains("-- Sum of the values."), "{sql}");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("2 routines, 1 aggregate"), "{said}");
}

#[test]
fn deploy_needs_a_connection_and_never_shows_it() {
    let s = Scratch::new("deploy-connection");
    s.write("functions/src/lib.rs", DOUBLE);
    let out = s.run(&["deploy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error: no connection string: pass --connection-string or set HARTONOMOUS_CONNECTION_STRING"),
        "{}",
        text(&out.stderr)
    );
    // A remote server's certificate is never trusted unverified; the
    // password appears nowhere in what codegen says.
    let secret = "N0t-In-Any-Output";
    let out = s.run(&[
        "deploy",
        "--trust-server-certificate",
        "--connection-string",
        &format!("Server=tcp:db.example.com,1433;User Id=deployer;Password={secret}"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("refusing to trust an unverified certificate for db.example.com"),
        "{said}"
    );
    assert!(!said.contains(secret), "{said}");
    // Nothing listens on port 1 of this machine: the connection fails, named
    // by server only.
    let out = s.run(&[
        "deploy",
        "--connection-string",
        &format!("Server=tcp:127.0.0.1,1;User Id=deployer;Password={secret}"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("error: cannot connect to 127.0.0.1:1"),
        "{said}"
    );
    assert!(!said.contains(secret), "{said}");
    let out = s.run(&["drift"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "error: drift against what? give --catalog <snapshot.json> or --connection-string"
        ),
        "{}",
        text(&out.stderr)
    );
    let help = s.run(&["deploy", "--help"]);
    assert!(text(&help.stdout).contains("[env: HARTONOMOUS_CONNECTION_STRING]"));
}

#[test]
fn environments_add_their_steps_only_where_named() {
    let s = Scratch::new("environments");
    s.write("functions/src/lib.rs", CUSTOMER_V2);
    s.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous.deploy]\npost = [\"deploy/seed.sql\"]\n\n[package.metadata.hartonomous.deploy.environments.local]\npost = [\"deploy/dev_data.sql\"]\n\n[package.metadata.hartonomous.deploy.environments.production]\nallow = [\"dbo.Customer.Legacy\"]\n",
    );
    s.write("functions/deploy/seed.sql", "PRINT N'seeded';\n");
    // Every environment's files and allowances are checked, whichever runs.
    let out = s.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot read the post-deployment step functions/deploy/dev_data.sql")
            && stderr.contains("[package.metadata.hartonomous.deploy.environments.local] post"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[package.metadata.hartonomous.deploy.environments.production]: cannot read the allowance `dbo.Customer.Legacy`"),
        "{stderr}"
    );
    s.write(
        "functions/Cargo.toml",
        "[package]\nname = \"functions\"\n\n[package.metadata.hartonomous.deploy]\npost = [\"deploy/seed.sql\"]\n\n[package.metadata.hartonomous.deploy.environments.local]\npost = [\"deploy/dev_data.sql\"]\n",
    );
    s.write("functions/deploy/dev_data.sql", "PRINT N'test rows';\n");
    let base = text(&s.run(&["plan", "--from-root", "."]).stdout);
    assert!(
        base.contains("functions/deploy/seed.sql") && !base.contains("dev_data.sql"),
        "{base}"
    );
    let out = s.run(&["plan", "--from-root", ".", "--environment", "local"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let local = text(&out.stdout);
    assert!(
        local.contains("functions/deploy/seed.sql")
            && local.contains("functions/deploy/dev_data.sql"),
        "{local}"
    );
    let out = s.run(&["plan", "--from-root", ".", "--environment", "staging"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "error: environment `staging` is not declared: functions/src/lib.rs declares local"
        ),
        "{}",
        text(&out.stderr)
    );
}
