use runtime::prelude::*;

pub struct Point {
    pub x: i32,
}

#[sql_function]
fn points(n: i32) -> Vec<Point> {
    (0..n).map(|x| Point { x }).collect()
}

fn main() {}
