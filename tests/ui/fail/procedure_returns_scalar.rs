use runtime::prelude::*;

#[sql_procedure]
fn answer() -> i32 {
    42
}

fn main() {}
