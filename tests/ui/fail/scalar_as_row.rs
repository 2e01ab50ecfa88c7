use runtime::prelude::*;

#[sql_function]
fn numbers(n: i32) -> Vec<i32> {
    (0..n).collect()
}

fn main() {}
