BEGIN
    RETURN (SELECT COUNT(*) FROM [app].[Item] WHERE [Score] >= @minimum);
END
