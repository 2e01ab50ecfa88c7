//! Every row of the type map, as parameters and results.
use runtime::prelude::*;

#[sql_function(deterministic, precise)]
fn scalars(a: bool, b: u8, c: i16, d: i32, e: i64, f: f32, g: f64) -> Option<f64> {
    let _ = (a, b, c, d, e, f);
    Some(g)
}

#[sql_function]
fn strings(#[sql(type = "NVARCHAR(100)")] name: &str, note: Option<String>) -> String {
    format!("{name}{}", note.unwrap_or_default())
}

#[sql_function(returns = "NVARCHAR(20)")]
fn label(#[sql(type = "VARCHAR(MAX)")] code: &str) -> &'static str {
    if code.is_empty() { "empty" } else { "code" }
}

#[sql_function]
fn bytes(#[sql(type = "VARBINARY(16)")] a: &[u8], b: Option<Vec<u8>>) -> Vec<u8> {
    [a, &b.unwrap_or_default()].concat()
}

#[sql_function]
fn floats(a: &[f32], b: Vec<f32>, c: Vector<1998>, d: Option<Vector<3>>) -> Option<Vec<f32>> {
    let _ = (b, d);
    Some(a.iter().zip(c.iter()).map(|(x, y)| x + y).collect())
}

#[sql_function]
fn values(
    id: Uuid,
    day: NaiveDate,
    time: Option<NaiveTime>,
    #[sql(type = "DATETIME2(3)")] at: NaiveDateTime,
    zoned: DateTime<FixedOffset>,
    #[sql(type = "DECIMAL(18, 4)")] amount: Decimal,
) -> Option<Uuid> {
    let _ = (day, time, at, zoned, amount);
    Some(id)
}

#[sql_function(returns = "DECIMAL(10, 2)")]
fn price(#[sql(type = "NUMERIC(10,2)")] amount: Decimal) -> Result<Decimal, String> {
    Ok(amount)
}

#[derive(SqlRow)]
pub struct Pair {
    pub left: i32,
    #[sql(name = "RightValue", type = "NVARCHAR(10)")]
    pub right: Option<String>,
}

#[sql_function(name = "fn_Pairs", schema = "app")]
fn pairs(n: i32) -> impl Iterator<Item = Pair> {
    (0..n).map(|left| Pair { left, right: None })
}

#[sql_function]
fn pairs_collected(n: i32) -> Result<Vec<Pair>, std::fmt::Error> {
    Ok(pairs(n).collect())
}

#[sql_procedure(name = "sp_Count", schema = "app")]
fn count(limit: i32, total: &mut Option<i64>, #[sql(type = "NVARCHAR(50)")] label: &mut String) -> Vec<Pair> {
    *total = Some(limit as i64);
    label.push_str("done");
    pairs(limit).collect()
}

#[sql_procedure]
fn touch<'a>(_note: &'a str) -> Result<(), String> {
    Ok(())
}

fn main() {
    assert_eq!(scalars(true, 1, 2, 3, 4, 5.0, 6.0), Some(6.0));
    assert_eq!(strings("a", Some("b".into())), "ab");
    assert_eq!(label(""), "empty");
    assert_eq!(bytes(&[1], Some(vec![2])), vec![1, 2]);
    let mut total = None;
    let mut text = String::new();
    assert_eq!(count(2, &mut total, &mut text).len(), 2);
    assert_eq!(total, Some(2));
    assert!(touch("x").is_ok());
    assert_eq!(pairs_collected(1).unwrap().len(), 1);
    let _ = (floats, values, price);
}
