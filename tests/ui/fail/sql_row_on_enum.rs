use runtime::prelude::*;

#[derive(SqlRow)]
enum Shape {
    Circle,
}

fn main() {}
