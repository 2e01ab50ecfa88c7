-- Activation of [dbo].[ObserveQueue]: each Observation message is passed on to the
-- next stage as Analysis, one message per transaction, until the queue
-- stays empty for five seconds. A failure rolls the message back onto the
-- queue (after five rollbacks Service Broker disables the queue).
SET NOCOUNT ON;
DECLARE @handle UNIQUEIDENTIFIER, @type SYSNAME, @body VARBINARY(MAX), @next UNIQUEIDENTIFIER;
WHILE 1 = 1
BEGIN
    BEGIN TRY
        BEGIN TRANSACTION;
        WAITFOR (
            RECEIVE TOP (1)
                @handle = conversation_handle,
                @type = message_type_name,
                @body = message_body
            FROM [dbo].[ObserveQueue]
        ), TIMEOUT 5000;
        IF @@ROWCOUNT = 0
        BEGIN
            ROLLBACK TRANSACTION;
            BREAK;
        END;
        IF @type = N'//Hartonomous/Ooda/Observation'
        BEGIN
            BEGIN DIALOG CONVERSATION @next
                FROM SERVICE [//Hartonomous/Ooda/ObserveService]
                TO SERVICE N'//Hartonomous/Ooda/AnalyzeService'
                ON CONTRACT [//Hartonomous/Ooda/Contract]
                WITH ENCRYPTION = OFF;
            SEND ON CONVERSATION @next MESSAGE TYPE [//Hartonomous/Ooda/Analysis] (@body);
            -- Done with the incoming dialog; the sender ends its side on EndDialog.
            END CONVERSATION @handle;
        END
        ELSE IF @type IN (
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
