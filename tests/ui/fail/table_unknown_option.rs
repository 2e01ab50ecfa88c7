use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(shema = "app")]
pub struct Tag {
    #[sql(primary_key, refrences = "dbo.Other(Id)")]
    pub tag_id: i32,
}

fn main() {}
