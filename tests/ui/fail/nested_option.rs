use runtime::prelude::*;

#[sql_function]
fn maybe(x: Option<Option<i32>>) -> i32 {
    x.flatten().unwrap_or(0)
}

fn main() {}
