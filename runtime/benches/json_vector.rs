//! Parsing a `VECTOR(1998)` value's JSON text, the form it reaches native code
//! in: ours against a naive split-and-`str::parse`. Goal: under 10 µs.
//! Run: `cargo bench -p runtime --bench json_vector`; results in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use runtime::json::{parse_vector, print_vector};
use std::hint::black_box;

#[path = "shared/json_data.rs"]
mod json_data;
use json_data::{embedding, sql_server_form};

fn naive(text: &str) -> Vec<f32> {
    text.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().parse::<f32>().unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let values = embedding();
    let sql_server = sql_server_form(&values);
    let shortest = format!(
        "[{}]",
        values
            .iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert_eq!(
        parse_vector(sql_server.as_bytes()).unwrap(),
        naive(&sql_server)
    );
    assert_eq!(parse_vector(shortest.as_bytes()).unwrap(), values);

    let mut group = c.benchmark_group("json_vector_1998");
    group.bench_function("ours/sql_server_form", |b| {
        b.iter(|| parse_vector(black_box(sql_server.as_bytes())).unwrap())
    });
    group.bench_function("ours/shortest_form", |b| {
        b.iter(|| parse_vector(black_box(shortest.as_bytes())).unwrap())
    });
    group.bench_function("naive_std/sql_server_form", |b| {
        b.iter(|| naive(black_box(&sql_server)))
    });
    group.finish();

    // The other direction: packed f32 → JSON text (nine digits, exact round
    // trip), against the standard library's shortest form joined by commas.
    let printed = print_vector(&values).unwrap();
    assert_eq!(parse_vector(printed.as_bytes()).unwrap(), values);
    let mut group = c.benchmark_group("json_vector_print_1998");
    group.bench_function("ours/print", |b| {
        b.iter(|| print_vector(black_box(&values)).unwrap())
    });
    group.bench_function("ours/parse_printed", |b| {
        b.iter(|| parse_vector(black_box(printed.as_bytes())).unwrap())
    });
    group.bench_function("naive_std/print", |b| {
        b.iter(|| {
            let parts: Vec<String> = black_box(&values)
                .iter()
                .map(|x| format!("{x:?}"))
                .collect();
            format!("[{}]", parts.join(","))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
