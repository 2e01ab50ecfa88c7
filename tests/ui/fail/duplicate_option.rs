use runtime::prelude::*;

#[sql_function(name = "fn_A", name = "fn_B")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
