//! The atom graph: SQL graph node and edge tables for MATCH queries.

use runtime::prelude::*;

/// One node per atom.
#[derive(SqlTable)]
#[sql(schema = "graph", node)]
pub struct AtomGraphNodes {
    #[sql(primary_key)]
    pub atom_id: i64,
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(200)")]
    pub label: Option<String>,
}

/// Edges between atom nodes; deleting a node deletes its edges.
#[derive(SqlTable)]
#[sql(
    schema = "graph",
    edge(
        connect = "graph.AtomGraphNodes TO graph.AtomGraphNodes",
        on_delete = "cascade"
    )
)]
pub struct AtomGraphEdges {
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(50)")]
    pub relation_type: String,
    pub weight: f32,
}
