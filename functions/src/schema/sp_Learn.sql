-- Activation of [dbo].[ActQueue], the loop's last stage: each Action message
-- is taken (one per transaction) and its dialog ended; new observations come
-- from applications, so nothing is sent on from here. A failure rolls the
-- message back onto the queue.
SET NOCOUNT ON;
DECLARE @handle UNIQUEIDENTIFIER, @type SYSNAME, @body VARBINARY(MAX);
WHILE 1 = 1
BEGIN
    BEGIN TRY
        BEGIN TRANSACTION;
        WAITFOR (
            RECEIVE TOP (1)
                @handle = conversation_handle,
                @type = message_type_name,
                @body = message_body
            FROM [dbo].[ActQueue]
        ), TIMEOUT 5000;
        IF @@ROWCOUNT = 0
        BEGIN
            ROLLBACK TRANSACTION;
            BREAK;
        END;
        IF @type IN (
            N'//Hartonomous/Ooda/Action',
            N'http://schemas.microsoft.com/SQL/ServiceBroker/EndDialog',
            N'http://schemas.microsoft.com/SQL/ServiceBroker/Error')
        BEGIN
            END CONVERSATION @handle;
        END;
        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF XACT_STATE() <> 0
            ROLLBACK TRANSACTION;
        THROW;
    END CATCH;
END;
