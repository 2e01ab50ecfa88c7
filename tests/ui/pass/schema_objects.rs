// Every schema object attribute and table kind compiles, and the structs
// stay usable as ordinary Rust types.
#![allow(clippy::duplicated_attributes)]

use runtime::prelude::*;

#[sql_function(deterministic, precise)]
pub fn twice(x: i32) -> i32 {
    x * 2
}

#[sql_procedure]
pub fn sp_drain() {}

#[sql_schema(name = "app", authorization = "dbo")]
pub struct App;

#[sql_sequence(schema = "app", type = "INT", start = 10, increment = 5, min = 10, max = 1000, cycle, no_cache)]
pub struct Tickets;

#[derive(SqlTable)]
#[sql(
    schema = "app",
    index(columns = "Score", where = "[Score] > 0"),
    index(name = "NCCI_Item", columns = "Score, Code", columnstore),
    spatial_index(column = "Shape", bounding_box = "0, 0, 100, 100"),
    vector_index(column = "Embedding", metric = "euclidean")
)]
pub struct Item {
    #[sql(primary_key, identity)]
    pub id: i32,
    #[sql(type = "NVARCHAR(10)", collate = "Latin1_General_100_BIN2")]
    pub code: String,
    pub score: i32,
    #[sql(computed = "[dbo].[twice]([Score])", persisted)]
    pub doubled: i32,
    #[sql(computed = "[Score] + 1")]
    pub next: Option<i32>,
    #[sql(default = "NEXT VALUE FOR [app].[Tickets]")]
    pub ticket: i32,
    #[sql(type = "GEOMETRY")]
    pub shape: Option<Vec<u8>>,
    #[sql(type = "HIERARCHYID")]
    pub path: Option<Vec<u8>>,
    #[sql(type = "JSON")]
    pub details: Option<String>,
    pub embedding: Vector<3>,
}

#[derive(SqlTable)]
#[sql(schema = "app", node)]
pub struct Place {
    #[sql(primary_key)]
    pub id: i32,
}

#[derive(SqlTable)]
#[sql(schema = "app", edge(connect = "app.Place TO app.Place", on_delete = "cascade"))]
pub struct Road {
    pub length: f64,
}

#[derive(SqlTable)]
#[sql(
    schema = "app",
    memory_optimized = "schema_only",
    primary_key_buckets = 1024,
    index(columns = "Key", bucket_count = 1024),
    index(columns = "Seen")
)]
pub struct Session {
    #[sql(primary_key)]
    pub id: i64,
    #[sql(type = "BINARY(16)")]
    pub key: Vec<u8>,
    pub seen: NaiveDateTime,
}

#[sql_message_type(name = "//App/Ping", validation = "empty")]
pub struct Ping;

#[sql_contract(name = "//App/Contract", initiator = "//App/Ping", target = "DEFAULT")]
pub struct PingContract;

#[sql_queue(
    schema = "app",
    activation = "dbo.sp_drain",
    max_readers = 4,
    execute_as_self,
    poison_message_handling = false,
    service = "//App/Service",
    contracts = "//App/Contract"
)]
pub struct Pings;

#[sql_role(
    grant = "SELECT, INSERT ON app.Item",
    grant = "EXECUTE ON SCHEMA::dbo",
    deny = "DELETE ON OBJECT::app.Item"
)]
pub struct Operator;

/// A row of items.
#[derive(SqlRow)]
pub struct ItemCode {
    pub id: i32,
    #[sql(type = "NVARCHAR(10)")]
    pub code: String,
}

/// A T-SQL procedure with defaults and a result set.
#[sql_procedure(schema = "app", file = "items_by_tenant.sql")]
pub fn items_by_tenant(
    #[sql(default = "10")] limit: i32,
    #[sql(default = "0")] minimum: i32,
) -> Vec<ItemCode>;

/// A T-SQL scalar function.
#[sql_function(schema = "app", file = "item_count.sql")]
pub fn item_count(minimum: i32) -> Option<i32>;

/// A T-SQL inline table-valued function.
#[sql_function(schema = "app", file = "top_items.sql")]
pub fn top_items(limit: i32) -> Vec<ItemCode>;

/// A multi-statement T-SQL table-valued function.
#[sql_function(schema = "app", file = "scores_by_band.sql")]
pub fn scores_by_band(minimum: i32) -> Vec<ItemCode>;

/// A T-SQL procedure written inline.
#[sql_procedure(schema = "app", body = r#"SELECT [Id], [Code] FROM [app].[Item] WHERE [Score] > @minimum;"#)]
pub fn items_above(minimum: i32) -> Vec<ItemCode>;

fn main() {
    let _ = (App, Tickets, Ping, PingContract, Pings, Operator);
    let road = Road { length: 1.5 };
    assert_eq!(road.length, 1.5);
    assert_eq!(twice(2), 4);
}
