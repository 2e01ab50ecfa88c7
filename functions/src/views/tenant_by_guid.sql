SELECT m.TenantGuid, m.TenantId
FROM dbo.TenantGuidMapping AS m;
