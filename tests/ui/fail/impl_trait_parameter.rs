use runtime::prelude::*;

#[sql_function]
fn length(text: impl AsRef<str>) -> i32 {
    text.as_ref().len() as i32
}

fn main() {}
