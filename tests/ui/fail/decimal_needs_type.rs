use runtime::prelude::*;

#[sql_function]
fn price(amount: Decimal) -> Decimal {
    amount
}

fn main() {}
