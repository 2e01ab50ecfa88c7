BEGIN
    INSERT INTO @result ([Id], [Code])
    SELECT [Id], [Code] FROM [app].[Item] WHERE [Score] >= @minimum;
    RETURN;
END
