use runtime::prelude::*;

#[sql_function]
fn sum((a, b): (i32, i32)) -> i32 {
    a + b
}

fn main() {}
