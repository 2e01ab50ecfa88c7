use runtime::prelude::*;

#[derive(SqlRow)]
pub struct Row {
    pub id: i32,
}

// `dynamic` is for T-SQL procedures without declared result sets.
#[sql_procedure(dynamic)]
pub fn native_dynamic() {}

#[sql_procedure(file = "../pass/top_items.sql", dynamic)]
pub fn declared_and_dynamic() -> Vec<Row>;

fn main() {}
