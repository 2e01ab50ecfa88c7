use runtime::prelude::*;

#[sql_function]
pub fn takes_json(#[sql(type = "JSON")] document: String) -> i32 {
    document.len() as i32
}

#[sql_function]
pub fn takes_shape(#[sql(type = "GEOMETRY")] shape: Vec<u8>) -> i32 {
    shape.len() as i32
}

fn main() {}
