use runtime::prelude::*;

/// Not a SqlAggregate: the bridge cannot create, merge or save it.
pub struct Total {
    sum: f64,
}

#[sql_aggregate]
impl Total {
    pub fn accumulate(&mut self, value: f64) {
        self.sum += value;
    }

    pub fn terminate(&self) -> f64 {
        self.sum
    }
}

fn main() {}
