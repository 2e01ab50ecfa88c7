//! A steadier figure than criterion's median on a shared 2-core VM: the
//! fastest of 40 rounds of 500 calls, for parsing SQL Server's form, parsing
//! the printer's form, and printing, 1998 elements each.
//! Run: `cargo run --release -p runtime --example json_vector_timing`
//! (`-- parse` or `-- print` for one direction only, e.g. under `perf`).

use runtime::json::{parse_vector, print_vector};
use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/shared/json_data.rs"]
mod json_data;
use json_data::{embedding, sql_server_form};

fn best_of(rounds: usize, calls: usize, mut f: impl FnMut()) -> f64 {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            start.elapsed().as_secs_f64() / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let only = std::env::args().nth(1);
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let values = embedding();
    let sql = sql_server_form(&values);
    let printed = print_vector(&values).expect("finite");
    assert_eq!(parse_vector(sql.as_bytes()).expect("valid").len(), 1998);
    assert_eq!(parse_vector(printed.as_bytes()).expect("valid"), values);
    let micros = |s: f64| s * 1e6;
    if wanted("parse") {
        let t = best_of(40, 500, || {
            black_box(parse_vector(black_box(sql.as_bytes())).expect("valid"));
        });
        println!("parse_vector, SQL Server's form:  {:6.2} µs", micros(t));
        let t = best_of(40, 500, || {
            black_box(parse_vector(black_box(printed.as_bytes())).expect("valid"));
        });
        println!("parse_vector, the printer's form: {:6.2} µs", micros(t));
    }
    if wanted("print") {
        let t = best_of(40, 500, || {
            black_box(print_vector(black_box(&values)).expect("finite"));
        });
        println!("print_vector:                     {:6.2} µs", micros(t));
    }
}
