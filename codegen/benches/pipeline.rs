//! Codegen on a synthetic crate of 300 objects (the seed system's size) and of
//! 10,000: read with syn, validate, emit every file. Goals: < 100 ms and < 1 s.
//! Run: `cargo bench -p codegen --bench pipeline`; results in docs/benchmarks.md.

use codegen::emit::EmitOptions;
use codegen::emit::emit_sql;
use codegen::output::generate_with;
use codegen::reader::read_crate_with;
use codegen::rules::validate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::fmt::Write;
use std::hint::black_box;

const PER_FILE: usize = 100;

/// A crate with `objects` annotated items: per ten, six scalar functions,
/// two table-valued functions, one procedure and one row struct.
fn synthetic_crate(objects: usize) -> HashMap<String, String> {
    let mut files = HashMap::new();
    let mut lib = String::new();
    let modules = objects.div_ceil(PER_FILE);
    for m in 0..modules {
        writeln!(lib, "pub mod m{m};").unwrap();
        let mut text = String::from("use runtime::prelude::*;\n\n");
        for i in (m * PER_FILE)..((m + 1) * PER_FILE).min(objects) {
            match i % 10 {
                0..=5 => write!(
                    text,
                    "/// Scalar number {i}.\n#[sql_function(name = \"fn_Scalar{i}\", deterministic)]\npub fn scalar_{i}(a: &[f32], b: Option<i32>, #[sql(type = \"NVARCHAR(100)\")] label: &str) -> Result<Option<f64>, String> {{\n    let _ = (b, label);\n    Ok(a.first().map(|x| *x as f64))\n}}\n\n"
                ),
                6 | 7 => write!(
                    text,
                    "#[sql_function(name = \"fn_Table{i}\")]\npub fn table_{i}(n: i32) -> impl Iterator<Item = Row{}> {{\n    (0..n).map(|_| todo!())\n}}\n\n",
                    i - i % 10 + 9
                ),
                8 => write!(
                    text,
                    "#[sql_procedure(name = \"sp_Proc{i}\", schema = \"s{m}\")]\npub fn proc_{i}(id: i64, total: &mut Option<i32>) -> Vec<Row{}> {{\n    let _ = (id, total);\n    vec![]\n}}\n\n",
                    i + 1
                ),
                _ => write!(
                    text,
                    "#[derive(SqlRow)]\npub struct Row{i} {{\n    pub id: i64,\n    #[sql(type = \"NVARCHAR(200)\")]\n    pub name: Option<String>,\n    pub score: f64,\n    pub embedding: Vector<1998>,\n}}\n\n"
                ),
            }
            .unwrap();
        }
        files.insert(format!("functions/src/m{m}.rs"), text);
    }
    files.insert("functions/src/lib.rs".into(), lib);
    files
}

fn pipeline(c: &mut Criterion) {
    let options = EmitOptions::default();
    let mut group = c.benchmark_group("parse_validate_emit");
    for objects in [300usize, 10_000] {
        let files = synthetic_crate(objects);
        let load = |p: &str| {
            files
                .get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
        };
        let check = generate_with("functions/src/lib.rs", load, &options);
        assert!(
            check.diagnostics.is_empty(),
            "{:?}",
            &check.diagnostics[..1]
        );
        let items = check.model.routines.len() + check.model.rows.len();
        assert_eq!(items, objects, "the synthetic crate has the intended size");
        if objects > 1000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::from_parameter(objects), &objects, |b, _| {
            b.iter(|| {
                let generation = generate_with("functions/src/lib.rs", load, &options);
                black_box(generation.files.len())
            })
        });
    }
    group.finish();
}

/// The three phases on their own, at 10,000 objects, to see where time goes.
fn phases(c: &mut Criterion) {
    let options = EmitOptions::default();
    let files = synthetic_crate(10_000);
    let load = |p: &str| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.to_string()))
    };
    let source = read_crate_with("functions/src/lib.rs", load);
    let mut group = c.benchmark_group("phase_10000");
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| {
            black_box(
                read_crate_with("functions/src/lib.rs", load)
                    .model
                    .routines
                    .len(),
            )
        })
    });
    group.bench_function("validate", |b| {
        b.iter(|| black_box(validate(&source.model).len()))
    });
    group.bench_function("emit", |b| {
        b.iter(|| black_box(emit_sql(&source.model, &options).unwrap().len()))
    });
    group.finish();
}

criterion_group!(benches, pipeline, phases);
criterion_main!(benches);
