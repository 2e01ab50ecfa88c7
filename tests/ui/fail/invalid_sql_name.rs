use runtime::prelude::*;

#[sql_function(name = "#temp_fn")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
