//! Views over the schema: their columns are `#[derive(SqlRow)]` structs,
//! their SELECTs the `.sql` files next to this one.

use runtime::prelude::*;

/// Tenants by their external GUID, materialized: the lookup every session
/// makes before it knows its tenant. (Indexed views cannot read
/// tenant-scoped tables; TenantGuidMapping is shared.)
#[sql_view(
    name = "vw_TenantByGuid",
    file = "tenant_by_guid.sql",
    schemabinding,
    index(columns = "TenantGuid", unique, clustered)
)]
#[derive(SqlRow)]
pub struct TenantByGuid {
    pub tenant_guid: Uuid,
    pub tenant_id: i32,
}

/// Each atom with its embedding's model, if it has one.
#[sql_view(
    name = "vw_AtomEmbeddingModels",
    file = "atom_embedding_models.sql",
    schemabinding
)]
#[derive(SqlRow)]
pub struct AtomEmbeddingModel {
    pub atom_id: i64,
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(256)")]
    pub model_name: Option<String>,
}
