use runtime::prelude::*;

#[sql_function(schema = "")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
