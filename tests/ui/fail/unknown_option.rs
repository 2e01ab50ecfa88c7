use runtime::prelude::*;

#[sql_function(nme = "fn_Double")]
fn double(x: i32) -> i32 {
    x * 2
}

fn main() {}
