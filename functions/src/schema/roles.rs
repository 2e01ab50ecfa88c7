//! The roles applications connect as.

use runtime::prelude::*;

/// Applications that read and write atoms and run inference.
#[sql_role(
    grant = "SELECT, INSERT, UPDATE ON dbo.Atom",
    grant = "SELECT, INSERT, UPDATE ON dbo.AtomEmbedding",
    grant = "SELECT, INSERT ON dbo.InferenceRequest",
    grant = "EXECUTE ON dbo.sp_PlanInference",
    grant = "EXECUTE ON dbo.fn_EmbeddingCosine",
    grant = "SELECT ON dbo.fn_ParseModelCapabilities",
    grant = "RECEIVE ON dbo.ObserveQueue",
    deny = "DELETE ON dbo.Atom"
)]
pub struct HartonomousApp;

/// Read-only access for reporting.
#[sql_role(
    grant = "SELECT ON SCHEMA::dbo",
    grant = "SELECT ON SCHEMA::provenance",
    deny = "SELECT ON dbo.TenantGuidMapping"
)]
pub struct HartonomousReader;
