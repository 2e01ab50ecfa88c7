use runtime::prelude::*;

#[sql_function(nme = "fn_X", schema = "")]
async fn broken<T>(_a: u64, _b: Vector<0>, #[sql(type = "INTEGER")] _c: i32) -> char {
    todo!()
}

fn main() {}
