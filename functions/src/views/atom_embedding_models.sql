SELECT a.AtomId, a.TenantId, md.ModelName
FROM dbo.Atom AS a
LEFT JOIN dbo.AtomEmbedding AS e ON e.AtomId = a.AtomId
LEFT JOIN dbo.Model AS md ON md.ModelId = e.ModelId;
