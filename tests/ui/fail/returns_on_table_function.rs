use runtime::prelude::*;

#[derive(SqlRow)]
pub struct Item {
    pub id: i32,
}

#[sql_function(returns = "INT")]
fn items(n: i32) -> Vec<Item> {
    (0..n).map(|id| Item { id }).collect()
}

fn main() {}
