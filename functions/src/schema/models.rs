//! Models and their layers.

use runtime::prelude::*;

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

/// One layer of a model, in order; its configuration is JSON.
#[derive(SqlTable)]
#[sql(index(columns = "ModelId, LayerIndex", unique))]
pub struct ModelLayer {
    #[sql(primary_key, identity)]
    pub model_layer_id: i64,
    #[sql(references = "dbo.Tenant(TenantId)")]
    pub tenant_id: i32,
    #[sql(references = "dbo.Model(ModelId)", on_delete = "cascade")]
    pub model_id: i32,
    #[sql(check = "[LayerIndex] >= 0")]
    pub layer_index: i32,
    #[sql(type = "NVARCHAR(50)")]
    pub layer_type: String,
    #[sql(type = "JSON")]
    pub configuration: Option<String>,
}
