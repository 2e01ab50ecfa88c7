use runtime::prelude::*;

#[sql_function(name = 5)]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
