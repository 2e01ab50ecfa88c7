use runtime::prelude::*;

#[sql_function]
fn double(#[sql(name = "the value")] x: i32) -> i32 {
    x * 2
}

fn main() {}
