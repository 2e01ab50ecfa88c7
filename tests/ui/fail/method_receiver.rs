use runtime::prelude::*;

struct Scorer;

impl Scorer {
    #[sql_function]
    fn score(&self, x: i32) -> i32 {
        x
    }
}

fn main() {}
