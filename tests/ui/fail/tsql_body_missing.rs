use runtime::prelude::*;

// A bodiless fn names its T-SQL body; a native one has no `file`.
#[sql_procedure]
pub fn sp_nothing(x: i32);

#[sql_procedure(file = "body.sql")]
pub fn sp_both(x: i32) {
    let _ = x;
}

fn main() {}
