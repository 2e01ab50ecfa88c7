use runtime::prelude::*;

// An indexed view must be schema-bound and start with a unique clustered
// index; a view needs its SELECT.
#[sql_view(file = "../pass/top_items.sql", index(columns = "Id"))]
#[derive(SqlRow)]
pub struct Unbound {
    pub id: i32,
}

#[sql_view]
#[derive(SqlRow)]
pub struct Bodiless {
    pub id: i32,
}

fn main() {}
