use runtime::prelude::*;

#[derive(SqlTable)]
pub struct Tag {
    #[sql(primary_key, identity)]
    pub tag: String,
}

fn main() {}
