-- Merges atoms given as JSON into dbo.Atom: an atom with the same text in
-- the tenant is updated (its grid cell), a new one inserted.
SET NOCOUNT ON;
SET XACT_ABORT ON;
DECLARE @changes TABLE ([Action] NVARCHAR(10) NOT NULL);
BEGIN TRY
    BEGIN TRANSACTION;
    WITH incoming AS (
        SELECT j.[text] AS CanonicalText, j.x AS GridX, j.y AS GridY, j.z AS GridZ
        FROM OPENJSON(@atoms)
            WITH ([text] NVARCHAR(200) '$.text', x INT '$.x', y INT '$.y', z INT '$.z') AS j
    )
    MERGE dbo.Atom AS target
    USING incoming AS source
        ON target.TenantId = @tenantId AND target.CanonicalText = source.CanonicalText
    WHEN MATCHED THEN
        UPDATE SET GridX = source.GridX, GridY = source.GridY, GridZ = source.GridZ
    WHEN NOT MATCHED THEN
        INSERT (TenantId, CanonicalText, GridX, GridY, GridZ)
        VALUES (@tenantId, source.CanonicalText, source.GridX, source.GridY, source.GridZ)
    OUTPUT $action INTO @changes ([Action]);
    COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF XACT_STATE() <> 0
        ROLLBACK TRANSACTION;
    THROW;
END CATCH;
SELECT @inserted = COUNT(CASE WHEN [Action] = N'INSERT' THEN 1 END),
       @updated = COUNT(CASE WHEN [Action] = N'UPDATE' THEN 1 END)
FROM @changes;
