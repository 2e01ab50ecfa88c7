use runtime::prelude::*;

#[sql_function]
fn double(x: u32) -> i64 {
    x as i64 * 2
}

fn main() {}
