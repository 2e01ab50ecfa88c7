use runtime::prelude::*;

pub struct Count(i64);

// `unlimited_size` contradicts `max_size`; 9000 is beyond SQL Server's 8000.
#[sql_aggregate(max_size = 100, unlimited_size)]
impl Count {
    pub fn accumulate(&mut self, _value: i32) {
        self.0 += 1;
    }

    pub fn terminate(&self) -> i64 {
        self.0
    }
}

pub struct Big(i64);

#[sql_aggregate(max_size = 9000)]
impl Big {
    pub fn accumulate(&mut self, _value: i32) {}

    pub fn terminate(&self) -> i64 {
        self.0
    }
}

pub struct OnTrait(i64);

impl Default for OnTrait {
    fn default() -> Self {
        OnTrait(0)
    }
}

#[sql_aggregate]
impl Clone for OnTrait {
    fn clone(&self) -> Self {
        OnTrait(self.0)
    }
}

fn main() {}
