//! Reference data: the rows compile as the table's struct, and the function
//! still returns them.
use runtime::prelude::*;

#[derive(SqlTable)]
#[sql(temporal(retention = "30 DAYS"))]
pub struct Priority {
    #[sql(primary_key)]
    pub priority_id: i32,
    #[sql(type = "NVARCHAR(50)")]
    pub name: String,
    pub weight: Option<f64>,
    #[sql(period_start)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end)]
    pub valid_to: NaiveDateTime,
}

/// The priorities requests can have.
#[sql_data(key = "Name", delete_missing)]
pub fn priorities() -> Vec<Priority> {
    vec![
        Priority {
            priority_id: 1,
            name: "low".into(),
            weight: Some(0.5),
            valid_from: NaiveDateTime::MIN,
            valid_to: NaiveDateTime::MAX,
        },
        Priority {
            priority_id: 2,
            name: String::from("high"),
            weight: None,
            valid_from: NaiveDateTime::MIN,
            valid_to: NaiveDateTime::MAX,
        },
    ]
}

fn main() {
    let rows = priorities();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].name, "high");
}
