//! Identifiers are quoted correctly everywhere: a property test generates
//! names with `]`, `[`, quotes, dots, commas, spaces, comment markers and
//! non-ASCII letters for every kind of object, declares a crate using them,
//! runs codegen over it, checks each name appears quoted, and parses every
//! emitted batch with ScriptDom.

use codegen::emit::{EmitOptions, GeneratedFile};
use codegen::output::generate;
use codegen::quote_sql::{identifier, string_literal};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use workspace_tests::tsql_parser::{Parsed, parse_files};
use workspace_tests::workspace_root;

/// A name SQL Server accepts: 1 to 40 of these characters, not starting with
/// `#` or `@` or a space (leading spaces are trimmed by our option parser).
fn name() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'a', 'Z', '0', '_', ' ', ']', '[', '\'', '"', '.', ',', '-', '(', ')', '/', '*', 'é', 'ß',
        '名', 'Ω',
    ]);
    ("[a-zA-Zé名]", prop::collection::vec(chars, 0..12)).prop_map(|(first, rest)| {
        let mut s = first;
        s.extend(rest);
        s.trim_end().to_string()
    })
}

/// Names for every kind of object in one generated crate.
#[derive(Debug, Clone)]
struct Names {
    schema: String,
    table: String,
    column: String,
    other_column: String,
    index: String,
    sequence: String,
    message: String,
    contract: String,
    queue: String,
    service: String,
    role: String,
    node: String,
    function: String,
    procedure: String,
    view: String,
}

fn names() -> impl Strategy<Value = Names> {
    prop::collection::vec(name(), 15).prop_filter_map("names must differ", |n| {
        // Objects sharing a namespace must differ case-insensitively.
        let lower: Vec<String> = n.iter().map(|s| s.to_lowercase()).collect();
        let mut unique = lower.clone();
        unique.sort();
        unique.dedup();
        (unique.len() == lower.len()).then(|| Names {
            schema: n[0].clone(),
            table: n[1].clone(),
            column: n[2].clone(),
            other_column: n[3].clone(),
            index: n[4].clone(),
            sequence: n[5].clone(),
            message: n[6].clone(),
            contract: n[7].clone(),
            queue: n[8].clone(),
            service: n[9].clone(),
            role: n[10].clone(),
            node: n[11].clone(),
            function: n[12].clone(),
            procedure: n[13].clone(),
            view: n[14].clone(),
        })
    })
}

/// `name` as written inside an option's text: bracketed, `]` doubled.
fn br(name: &str) -> String {
    format!("[{}]", name.replace(']', "]]"))
}

/// A Rust string literal holding `text`.
fn lit(text: &str) -> String {
    format!("{text:?}")
}

fn crate_source(n: &Names) -> String {
    let s = &n.schema;
    let qualified = |name: &str| format!("{}.{}", br(s), br(name));
    format!(
        r#"use runtime::prelude::*;

#[sql_function(name = {function}, schema = {schema}, deterministic, precise)]
pub fn f(#[sql(name = "@größe")] x: i32) -> i32 {{ x }}

#[sql_procedure(name = {procedure}, schema = {schema})]
pub fn p() {{}}

#[sql_schema(name = {schema}, authorization = "dbo")]
pub struct S;

#[sql_sequence(name = {sequence}, schema = {schema})]
pub struct Seq;

#[derive(SqlTable)]
#[sql(name = {node}, schema = {schema}, node, tenant = false)]
pub struct Node {{
    #[sql(primary_key, name = {column})]
    pub id: i32,
}}

#[derive(SqlTable)]
#[sql(
    name = {table},
    schema = {schema},
    tenant = false,
    temporal(retention = "1 YEAR"),
    index(name = {index}, columns = {index_columns}, include = {include}, where = {filter})
)]
pub struct T {{
    #[sql(primary_key, identity, name = {column})]
    pub id: i32,
    #[sql(name = {other_column}, references = {reference}, on_delete = "cascade", check = {check}, default = {default})]
    pub other: i32,
    #[sql(name = "Computed", computed = {computed}, persisted)]
    pub computed: i32,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}}

#[derive(SqlTable)]
#[sql(schema = {schema}, tenant = false, edge(connect = {connection}))]
pub struct E {{
    pub weight: f32,
}}

#[sql_message_type(name = {message})]
pub struct M;

#[sql_contract(name = {contract}, initiator = {message_ref})]
pub struct C;

#[sql_queue(name = {queue}, schema = {schema}, activation = {procedure_ref}, service = {service}, contracts = {contract_ref})]
pub struct Q;

#[sql_role(name = {role}, grant = {grant_table}, grant = {grant_schema}, grant = {grant_function}, grant = {grant_view})]
pub struct R;

#[sql_view(name = {view}, schema = {schema}, file = "view.sql", schemabinding, index(columns = {view_key}, unique, clustered))]
#[derive(SqlRow)]
pub struct V {{
    #[sql(name = {column})]
    pub id: i32,
}}
"#,
        function = lit(&n.function),
        procedure = lit(&n.procedure),
        schema = lit(s),
        sequence = lit(&n.sequence),
        column = lit(&n.column),
        table = lit(&n.table),
        index = lit(&n.index),
        index_columns = lit(&format!("{} DESC, {}", br(&n.other_column), br(&n.column))),
        include = lit(&br("Computed")),
        filter = lit(&format!("{} > 0", identifier(&n.other_column))),
        other_column = lit(&n.other_column),
        node = lit(&n.node),
        reference = lit(&format!("{}({})", qualified(&n.node), br(&n.column))),
        check = lit(&format!("{} >= 0", identifier(&n.other_column))),
        default = lit(&format!("NEXT VALUE FOR {}", qualified(&n.sequence))),
        computed = lit(&format!(
            "{}({})",
            qualified(&n.function),
            identifier(&n.other_column)
        )),
        connection = lit(&format!("{} TO {}", qualified(&n.node), qualified(&n.node))),
        message = lit(&n.message),
        message_ref = lit(&br(&n.message)),
        contract = lit(&n.contract),
        contract_ref = lit(&br(&n.contract)),
        queue = lit(&n.queue),
        procedure_ref = lit(&qualified(&n.procedure)),
        service = lit(&n.service),
        role = lit(&n.role),
        grant_table = lit(&format!("SELECT, INSERT ON {}", qualified(&n.table))),
        grant_schema = lit(&format!("EXECUTE ON SCHEMA::{}", br(s))),
        grant_function = lit(&format!("EXECUTE ON {}", qualified(&n.function))),
        grant_view = lit(&format!("SELECT ON {}", qualified(&n.view))),
        view = lit(&n.view),
        view_key = lit(&br(&n.column)),
    )
}

/// The view's SELECT: the node table's key, under the awkward names.
fn view_body(n: &Names) -> String {
    format!(
        "SELECT n.{} FROM {}.{} AS n;",
        identifier(&n.column),
        identifier(&n.schema),
        identifier(&n.node)
    )
}

#[test]
fn names_of_every_kind_are_quoted_and_parse() {
    // A fixed seed: the same names every run, so a failure reproduces.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let root = workspace_root();
    let base = root.join("target/quoted-names");
    let _ = std::fs::remove_dir_all(&base);
    let mut all_files: Vec<GeneratedFile> = Vec::new();
    const CASES: usize = 24;
    for case in 0..CASES {
        let n = names().new_tree(&mut runner).expect("names").current();
        let dir = base.join(format!("case{case}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), crate_source(&n)).unwrap();
        std::fs::write(dir.join("src/view.sql"), view_body(&n)).unwrap();
        let generation = generate(&dir, "src/lib.rs", &EmitOptions::default());
        assert!(
            generation.diagnostics.is_empty(),
            "case {case} {n:#?}:\n{:#?}",
            generation.diagnostics
        );
        let text: String = generation
            .files
            .iter()
            .map(|f| f.contents.as_str())
            .collect();
        for (kind, name) in [
            ("schema", &n.schema),
            ("table", &n.table),
            ("node table", &n.node),
            ("column", &n.column),
            ("column", &n.other_column),
            ("index", &n.index),
            ("sequence", &n.sequence),
            ("message type", &n.message),
            ("contract", &n.contract),
            ("queue", &n.queue),
            ("service", &n.service),
            ("role", &n.role),
            ("function", &n.function),
            ("procedure", &n.procedure),
            ("view", &n.view),
        ] {
            assert!(
                text.contains(&identifier(name)),
                "case {case}: {kind} {name:?} never appears as {}",
                identifier(name)
            );
        }
        // The schema is created through dynamic SQL: its name sits inside a
        // literal inside a literal.
        assert!(
            text.contains(&string_literal(&format!(
                "CREATE SCHEMA {} AUTHORIZATION [dbo]",
                identifier(&n.schema)
            ))),
            "case {case}: schema creation for {:?}",
            n.schema
        );
        for mut file in generation.files {
            file.path = format!("case{case}/{}", file.path);
            all_files.push(file);
        }
    }

    let sql: Vec<&GeneratedFile> = all_files
        .iter()
        .filter(|f| f.path.ends_with(".sql"))
        .collect();
    let dir = base.join("parse");
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<std::path::PathBuf> = sql
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let path = dir.join(format!("{i}.sql"));
            std::fs::write(&path, &f.contents).unwrap();
            path
        })
        .collect();
    let results = parse_files(&root, &paths).unwrap_or_else(|e| panic!("{e}"));
    let failures: Vec<String> = results
        .iter()
        .zip(&sql)
        .filter_map(|((_, parsed), file)| match parsed {
            Parsed::Ok { .. } => None,
            Parsed::Errors(errors) => Some(format!(
                "{}:\n  {}\n{}",
                file.path,
                errors.join("\n  "),
                file.contents
            )),
        })
        .collect();
    println!(
        "ScriptDom parsed {} files generated from {CASES} sets of awkward names; {} failed",
        results.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
