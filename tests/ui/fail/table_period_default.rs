use runtime::prelude::*;

// SQL Server writes GENERATED ALWAYS period columns itself.
#[derive(SqlTable)]
#[sql(temporal(history = "ThingHistory"))]
pub struct Thing {
    #[sql(primary_key)]
    pub id: i32,
    #[sql(period_start, default = "SYSUTCDATETIME()")]
    pub valid_from: NaiveDateTime,
    #[sql(period_end, computed = "SYSUTCDATETIME()", persisted)]
    pub valid_to: NaiveDateTime,
}

fn main() {}
