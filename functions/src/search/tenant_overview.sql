SET NOCOUNT ON;
SELECT m.ModelId, m.ModelName, m.IsActive
FROM dbo.Model AS m
WHERE m.TenantId = @tenantId
ORDER BY m.ModelName;

SELECT COUNT(*) AS AtomCount,
       COUNT(e.AtomId) AS EmbeddedCount
FROM dbo.Atom AS a
LEFT JOIN dbo.AtomEmbedding AS e ON e.AtomId = a.AtomId
WHERE a.TenantId = @tenantId;
