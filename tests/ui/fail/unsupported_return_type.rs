use runtime::prelude::*;

#[sql_function]
fn pair(x: i32) -> (i32, i32) {
    (x, x)
}

fn main() {}
