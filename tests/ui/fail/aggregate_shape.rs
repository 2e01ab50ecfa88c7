use runtime::prelude::*;

pub struct Stats {
    n: u64,
}

// Every problem at once: a parameter type SQL has no counterpart for, an
// accumulate that only reads, a result that is not a value, and no terminate
// on the second.
#[sql_aggregate]
impl Stats {
    pub fn accumulate(&self, value: u64, names: std::collections::HashMap<String, i32>) {
        let _ = (value, names, self.n);
    }

    pub fn terminate(&self) -> Vec<std::path::PathBuf> {
        Vec::new()
    }
}

pub struct Half;

#[sql_aggregate]
impl Half {
    pub fn accumulate(&mut self) -> i32 {
        0
    }
}

fn main() {}
