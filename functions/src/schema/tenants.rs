//! Tenants: every other row belongs to one.

use runtime::prelude::*;

/// A customer of the platform.
#[derive(SqlTable)]
pub struct Tenant {
    #[sql(primary_key, identity)]
    pub tenant_id: i32,
    #[sql(type = "NVARCHAR(200)", unique)]
    pub name: String,
    #[sql(default = "SYSUTCDATETIME()")]
    pub created_at: NaiveDateTime,
}

/// The external GUID of each tenant, read before a session knows its tenant
/// (so it is not tenant-scoped).
#[derive(SqlTable)]
#[sql(tenant = false)]
pub struct TenantGuidMapping {
    #[sql(
        primary_key,
        references = "dbo.Tenant(TenantId)",
        on_delete = "cascade"
    )]
    pub tenant_id: i32,
    #[sql(unique)]
    pub tenant_guid: Uuid,
    #[sql(default = "SYSUTCDATETIME()")]
    pub mapped_at: NaiveDateTime,
}
