//! The core tables of the system: tenants, models, atoms and their
//! embeddings (the seed's `VECTOR(1998)`), and inference requests. Every
//! table is tenant-scoped through its `TenantId` (functions/Cargo.toml).

use runtime::prelude::*;

/// A customer of the platform; every other row belongs to one.
#[derive(SqlTable)]
pub struct Tenant {
    #[sql(primary_key, identity)]
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(200)", unique)]
    pub name: String,
    #[sql(default = "SYSUTCDATETIME()")]
    pub created_at: NaiveDateTime,
}

/// A model that can serve inference requests.
#[derive(SqlTable)]
#[sql(index(columns = "TenantId, ModelName", unique))]
pub struct Model {
    #[sql(primary_key, identity)]
    pub model_id: i32,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(256)")]
    pub model_name: String,
    #[sql(default = "1")]
    pub is_active: bool,
}

/// A unit of knowledge: a piece of text with its place in space. Versioned:
/// every change is kept in AtomHistory for 90 days.
#[derive(SqlTable)]
#[sql(
    temporal(history = "AtomHistory", retention = "90 DAYS"),
    index(columns = "TenantId, HilbertKey", include = "CanonicalText")
)]
pub struct Atom {
    #[sql(primary_key, identity)]
    pub atom_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(200)")]
    pub canonical_text: Option<String>,
    /// 3-D Hilbert key of the atom's grid cell (fn_HilbertEncode3D).
    #[sql(check = "[HilbertKey] >= 0")]
    pub hilbert_key: Option<i64>,
    #[sql(default = "SYSUTCDATETIME()")]
    pub created_at: NaiveDateTime,
    #[sql(period_start, hidden)]
    pub valid_from: NaiveDateTime,
    #[sql(period_end, hidden)]
    pub valid_to: NaiveDateTime,
}

/// An atom's embedding.
#[derive(SqlTable)]
#[sql(index(
    name = "IX_AtomEmbedding_Model",
    columns = "ModelId",
    where = "[ModelId] IS NOT NULL"
))]
pub struct AtomEmbedding {
    #[sql(primary_key, references = "dbo.Atom(AtomId)", on_delete = "cascade")]
    pub atom_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Model(ModelId)")]
    pub model_id: Option<i32>,
    pub embedding: Vector<1998>,
}

/// A request to run a model.
#[derive(SqlTable)]
#[sql(index(columns = "TenantId, RequestedAt DESC"))]
pub struct InferenceRequest {
    #[sql(primary_key, identity)]
    pub inference_request_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Model(ModelId)")]
    pub model_id: i32,
    #[sql(check = "[InputTokenCount] >= 0")]
    pub input_token_count: i32,
    #[sql(check = "[Complexity] BETWEEN 1 AND 10")]
    pub complexity: Option<i32>,
    #[sql(type = "NVARCHAR(20)")]
    pub sla: Option<String>,
    #[sql(default = "SYSUTCDATETIME()")]
    pub requested_at: NaiveDateTime,
    #[sql(type = "DATETIME2(3)")]
    pub completion_timestamp: Option<NaiveDateTime>,
}
