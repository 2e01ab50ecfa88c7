use runtime::prelude::*;
use std::collections::HashMap;

#[sql_function]
fn count(map: HashMap<String, i32>) -> i32 {
    map.len() as i32
}

fn main() {}
