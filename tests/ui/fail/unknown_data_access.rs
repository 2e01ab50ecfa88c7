use runtime::prelude::*;

#[sql_function(data_access = "write")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
