use runtime::prelude::*;

#[sql_function(deterministic = "yes")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
