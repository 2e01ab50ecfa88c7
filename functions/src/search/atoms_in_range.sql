SELECT a.AtomId, a.HilbertValue
FROM dbo.Atom AS a
WHERE a.TenantId = @tenantId
  AND a.HilbertValue BETWEEN @low AND @high
