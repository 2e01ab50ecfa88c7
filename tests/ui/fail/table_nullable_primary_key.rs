use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Tag {
    #[sql(primary_key)]
    pub tag_id: Option<i32>,
}

fn main() {}
