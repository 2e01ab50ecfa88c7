use runtime::prelude::*;

#[sql_function]
fn double(#[sql(type = "NVARCHAR(10)")] x: i32) -> i32 {
    x * 2
}

fn main() {}
