//! Tables with every kind of column option compile.
use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(schema = "app", name = "Owner")]
pub struct Owner {
    #[sql(primary_key, identity = "100, 10")]
    pub owner_id: i64,
    #[sql(type = "NVARCHAR(100)", unique)]
    pub name: String,
}

#[derive(SqlTable)]
#[sql(
    temporal(history = "ThingHistory", retention = "6 MONTHS"),
    nonclustered_primary_key,
    index(columns = "OwnerId, Score DESC", clustered),
    index(name = "IX_Thing_Label", columns = "Label", include = "Score", where = "[Label] IS NOT NULL")
)]
pub struct Thing {
    #[sql(primary_key)]
    pub thing_id: Uuid,
    #[sql(references = "app.Owner(OwnerId)", on_delete = "cascade", on_update = "no_action")]
    pub owner_id: i64,
    #[sql(type = "NVARCHAR(50)")]
    pub label: Option<String>,
    #[sql(check = "[Score] >= 0", default = "0")]
    pub score: f64,
    #[sql(type = "DECIMAL(18, 4)")]
    pub price: Option<Decimal>,
    pub embedding: Option<Vector<3>>,
    #[sql(period_start, hidden)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end, hidden)]
    pub valid_to: NaiveDateTime,
}

fn main() {
    let _ = Owner { owner_id: 1, name: String::new() };
}
