use runtime::prelude::*;

#[sql_function]
fn add(model_id: i32, #[sql(name = "MODELID")] other: i32) -> i32 {
    model_id + other
}

fn main() {}
