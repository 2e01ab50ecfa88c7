use runtime::prelude::*;

#[sql_function]
fn nothing(x: i32) {
    let _ = x;
}

fn main() {}
