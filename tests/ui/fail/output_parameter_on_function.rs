use runtime::prelude::*;

#[sql_function]
fn bump(counter: &mut i32) -> i32 {
    *counter += 1;
    *counter
}

fn main() {}
