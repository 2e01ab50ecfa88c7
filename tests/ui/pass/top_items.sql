SELECT TOP (@limit) [Id], [Code] FROM [app].[Item] ORDER BY [Score] DESC
