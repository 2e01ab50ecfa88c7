use runtime::prelude::*;

#[sql_function]
fn shout(#[sql(type = "NVARCHAR(5000)")] text: &str) -> String {
    text.to_uppercase()
}

fn main() {}
