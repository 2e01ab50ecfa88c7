//! Reference data must be a `Vec` of the table's struct literals, each
//! given whole; options are checked too.
use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Priority {
    #[sql(primary_key)]
    pub priority_id: i32,
    pub name: String,
}

#[sql_data(keys = "Name")]
pub fn misspelled_option() -> Vec<Priority> {
    vec![Priority { priority_id: 1, name: "low".into() }]
}

#[sql_data]
pub fn not_a_vec() -> Priority {
    Priority { priority_id: 1, name: "low".into() }
}

#[sql_data]
pub fn not_a_literal_list() -> Vec<Priority> {
    let rows = vec![Priority { priority_id: 1, name: "low".into() }];
    rows
}

#[sql_data]
pub fn hidden_fields() -> Vec<Priority> {
    vec![Priority { priority_id: 1, ..base() }]
}

fn base() -> Priority {
    Priority { priority_id: 0, name: String::new() }
}

fn main() {}
