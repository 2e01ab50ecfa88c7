//! Lineage: where atoms came from and which paths reached them.

use runtime::prelude::*;

/// The schema that holds lineage tables.
#[sql_schema(name = "provenance", authorization = "dbo")]
pub struct Provenance;

/// Cached semantic paths between atoms, with the hash of the path.
#[derive(SqlTable)]
#[sql(schema = "provenance", index(columns = "TenantId, TargetAtomId"))]
pub struct SemanticPathCache {
    #[sql(primary_key, identity)]
    pub semantic_path_cache_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Atom(AtomId)", on_delete = "cascade")]
    pub source_atom_id: i64,
    #[sql(references = "dbo.Atom(AtomId)")]
    pub target_atom_id: i64,
    #[sql(check = "[HopCount] > 0")]
    pub hop_count: i32,
    #[sql(type = "BINARY(32)")]
    pub path_hash: Vec<u8>,
    #[sql(default = "SYSUTCDATETIME()")]
    pub computed_at: NaiveDateTime,
}
