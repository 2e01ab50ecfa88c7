-- Exact k-nearest search by cosine distance (SQL Server 2025 VECTOR_DISTANCE),
-- within the tenant; atoms without an embedding follow, nearest spatial key
-- first, when a point to search near is given.
SET NOCOUNT ON;
SELECT TOP (@topK) hits.AtomId, hits.CanonicalText, hits.Distance
FROM (
    SELECT a.AtomId, a.CanonicalText,
           CAST(VECTOR_DISTANCE('cosine', e.Embedding, @query) AS FLOAT) AS Distance,
           0 AS Tier
    FROM dbo.Atom AS a
    JOIN dbo.AtomEmbedding AS e ON e.AtomId = a.AtomId
    WHERE a.TenantId = @tenantId
    UNION ALL
    SELECT a.AtomId, a.CanonicalText,
           a.SpatialKey.STDistance(@near) AS Distance,
           1 AS Tier
    FROM dbo.Atom AS a
    WHERE a.TenantId = @tenantId
      AND @near IS NOT NULL
      AND a.SpatialKey IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM dbo.AtomEmbedding AS x WHERE x.AtomId = a.AtomId)
) AS hits
ORDER BY hits.Tier, hits.Distance;
