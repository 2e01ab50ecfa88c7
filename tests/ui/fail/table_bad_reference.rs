use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Tag {
    #[sql(primary_key)]
    pub tag_id: i32,
    #[sql(references = "dbo.Other", on_delete = "explode")]
    pub other_id: i32,
}

fn main() {}
