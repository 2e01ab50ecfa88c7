//! Inference requests, their feedback, the atoms they used, and the
//! in-memory cache of their results.

// Clippy reads equal option values in different `index(...)` groups as a
// repeated attribute (rust-clippy#13238, a known false positive); an allow
// on the item itself is not honoured, so it sits on the module.
#![allow(clippy::duplicated_attributes)]

use runtime::prelude::*;

/// Numbers the batches inference requests are submitted in.
#[sql_sequence(start = 1, increment = 1, cache = 100)]
pub struct InferenceBatchSequence;

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
    #[sql(default = "NEXT VALUE FOR [dbo].[InferenceBatchSequence]")]
    pub batch_id: i64,
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

/// A user's rating of an inference result.
#[derive(SqlTable)]
pub struct InferenceFeedback {
    #[sql(primary_key, identity)]
    pub inference_feedback_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(
        references = "dbo.InferenceRequest(InferenceRequestId)",
        on_delete = "cascade"
    )]
    pub inference_request_id: i64,
    #[sql(check = "[Rating] BETWEEN 1 AND 5")]
    pub rating: u8,
    pub comment: Option<String>,
    #[sql(default = "SYSUTCDATETIME()")]
    pub submitted_at: NaiveDateTime,
}

/// Which atoms an inference drew on, and how much.
#[derive(SqlTable)]
#[sql(index(columns = "AtomId"))]
pub struct InferenceAtomUsage {
    #[sql(
        primary_key,
        references = "dbo.InferenceRequest(InferenceRequestId)",
        on_delete = "cascade"
    )]
    pub inference_request_id: i64,
    #[sql(primary_key, references = "dbo.Atom(AtomId)")]
    pub atom_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    pub relevance: f32,
}

/// Recent inference results, looked up by key or by model and input hash.
/// Memory-optimized and durable; kept out of the tenant policy because
/// row-level security on memory-optimized tables needs a natively compiled
/// predicate (the cache key already includes the tenant).
#[derive(SqlTable)]
#[sql(
    memory_optimized,
    tenant = false,
    primary_key_buckets = 1048576,
    index(
        name = "IX_InferenceCache_Key",
        columns = "CacheKey",
        bucket_count = 1048576
    ),
    index(
        name = "IX_InferenceCache_ModelInput",
        columns = "ModelId, InputHash",
        bucket_count = 1048576
    ),
    index(name = "IX_InferenceCache_Expiry", columns = "ExpiresAt")
)]
pub struct InferenceCache {
    #[sql(primary_key, identity)]
    pub inference_cache_id: i64,
    #[sql(type = "BINARY(32)")]
    pub cache_key: Vec<u8>,
    pub model_id: i32,
    #[sql(type = "BINARY(32)")]
    pub input_hash: Vec<u8>,
    /// Model names compare by code point, as the cache's callers hash them.
    #[sql(type = "NVARCHAR(256)", collate = "Latin1_General_100_BIN2")]
    pub model_name: String,
    pub output: Vec<u8>,
    pub expires_at: NaiveDateTime,
}
