//! Annotations reached by path, doc comments, raw identifiers, modules.
mod inner {
    use runtime::prelude::*;

    /// Doubles a number.
    ///
    /// Second paragraph.
    #[runtime::sql_function(name = "fn Double ]odd", data_access = "none")]
    pub fn double(r#type: i32) -> i32 {
        r#type * 2
    }

    #[derive(Debug, runtime::SqlRow)]
    pub struct Row {
        pub r#type: i32,
    }

    #[sql_function(data_access = "read")]
    pub fn rows() -> Vec<Row> {
        vec![Row { r#type: 1 }]
    }
}

fn main() {
    assert_eq!(inner::double(2), 4);
    assert_eq!(inner::rows().len(), 1);
}
