use runtime::prelude::*;

const DIM: usize = 3;

#[sql_function]
fn first(v: Vector<DIM>) -> Option<f32> {
    v.first().copied()
}

fn main() {}
