-- Items of one tenant, best score first.
SELECT TOP (@limit) [Id], [Code]
FROM [app].[Item]
WHERE [Score] >= @minimum
ORDER BY [Score] DESC;
