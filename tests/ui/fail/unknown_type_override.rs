use runtime::prelude::*;

#[sql_function]
fn shout(#[sql(type = "NVARCHR(10)")] text: &str) -> String {
    text.to_uppercase()
}

fn main() {}
