use runtime::prelude::*;

#[derive(SqlRow)]
struct Row {
    id: u64,
    #[sql(type = "VARCHAR(9000)")]
    name: String,
}

fn main() {}
