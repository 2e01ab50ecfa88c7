use runtime::prelude::*;

#[sql_procedure(deterministic)]
fn touch() {}

fn main() {}
