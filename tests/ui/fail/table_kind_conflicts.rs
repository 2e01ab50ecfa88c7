use runtime::prelude::*;

// Each option combination SQL Server refuses, reported together.
#[derive(SqlTable)]
#[sql(
    index(columns = "Code", bucket_count = 64),
    spatial_index(column = "Shape", bounding_box = "10, 0, 5, 5"),
    vector_index(column = "Embedding", metric = "manhattan"),
    node,
    edge
)]
pub struct Disk {
    #[sql(primary_key)]
    pub id: i32,
    #[sql(type = "NVARCHAR(10)")]
    pub code: String,
    #[sql(computed = "[Id] * 2")]
    pub doubled: i32,
    pub halved: i32,
    #[sql(persisted)]
    pub plain: i32,
    #[sql(collate = "Latin1_General_100_BIN2")]
    pub count: i32,
    #[sql(type = "GEOMETRY")]
    pub shape: Option<Vec<u8>>,
    pub embedding: Vector<3>,
}

#[derive(SqlTable)]
#[sql(
    memory_optimized,
    index(columns = "Code", clustered),
    index(columns = "Code", where = "[Code] > 0")
)]
pub struct Hot {
    pub code: i32,
}

fn main() {}
