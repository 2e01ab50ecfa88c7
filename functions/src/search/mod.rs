//! T-SQL procedures and functions over atoms and inference: semantic search,
//! atom ingestion from JSON, inference job status, and small helpers. Their
//! bodies are the `.sql` files next to this one, checked against the schema
//! by codegen.

use runtime::prelude::*;

/// One search hit: an atom and its cosine distance to the query.
#[derive(SqlRow)]
pub struct SearchHit {
    pub atom_id: i64,
    #[sql(type = "NVARCHAR(200)")]
    pub canonical_text: Option<String>,
    pub distance: f64,
}

/// The `top_k` atoms of the tenant nearest to `query` by cosine distance;
/// atoms without an embedding follow, ranked by their spatial key's distance
/// to `near` (a GEOMETRY point, as its serialized bytes) when one is given.
#[sql_procedure(name = "sp_SemanticSearch", file = "semantic_search.sql")]
pub fn semantic_search(
    query: Vector<1998>,
    tenant_id: i32,
    #[sql(default = "10")] top_k: i32,
    #[sql(type = "GEOMETRY", default = "NULL")] near: Option<Vec<u8>>,
) -> Vec<SearchHit>;

/// Adds or updates atoms from a JSON array of
/// `{"text": .., "x": .., "y": .., "z": ..}`, returning how many were
/// inserted and updated.
#[sql_procedure(name = "sp_IngestAtoms", file = "ingest_atoms.sql")]
pub fn ingest_atoms(
    tenant_id: i32,
    #[sql(type = "NVARCHAR(MAX)")] atoms: &str,
    inserted: &mut Option<i32>,
    updated: &mut Option<i32>,
);

/// The state of an inference request: its complexity, SLA and whether it
/// completed, with its feedback count.
#[sql_procedure(name = "sp_InferenceJobStatus", file = "job_status.sql")]
pub fn inference_job_status(
    inference_request_id: i64,
    complexity: &mut Option<i32>,
    #[sql(type = "NVARCHAR(20)")] sla: &mut Option<String>,
    completed: &mut Option<bool>,
    feedback_count: &mut Option<i32>,
);

/// Mean rating of an inference request's feedback, NULL without any.
#[sql_function(name = "fn_MeanRating", file = "mean_rating.sql")]
pub fn mean_rating(inference_request_id: i64) -> Option<f64>;

/// The atoms of a tenant in a Hilbert key range, for range scans.
#[sql_function(name = "fn_AtomsInHilbertRange", file = "atoms_in_range.sql")]
pub fn atoms_in_hilbert_range(tenant_id: i32, low: i64, high: i64) -> Vec<AtomKey>;

/// An atom's key and Hilbert value.
#[derive(SqlRow)]
pub struct AtomKey {
    pub atom_id: i64,
    pub hilbert_value: i64,
}

/// A model of a tenant, for the overview.
#[derive(SqlRow)]
pub struct TenantModel {
    pub model_id: i32,
    #[sql(type = "NVARCHAR(256)")]
    pub model_name: String,
    pub is_active: bool,
}

/// A tenant's atom counts, for the overview.
#[derive(SqlRow)]
pub struct TenantAtomStats {
    pub atom_count: i32,
    pub embedded_count: i32,
}

/// A tenant at a glance: its models, then its atom counts (two result sets).
#[sql_procedure(name = "sp_TenantOverview", file = "tenant_overview.sql")]
pub fn tenant_overview(tenant_id: i32) -> (Vec<TenantModel>, Vec<TenantAtomStats>);
