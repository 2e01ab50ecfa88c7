use runtime::prelude::*;

#[sql_function]
fn identity<T: Copy>(x: T) -> T {
    x
}

fn main() {}
