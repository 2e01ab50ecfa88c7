use runtime::prelude::*;

#[sql_function]
fn first(v: Vector<1999>) -> Option<f32> {
    v.first().copied()
}

fn main() {}
