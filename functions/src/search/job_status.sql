-- One request's planning results and progress.
SET NOCOUNT ON;
SELECT @complexity = r.Complexity,
       @sla = r.Sla,
       @completed = CASE WHEN r.CompletionTimestamp IS NULL THEN 0 ELSE 1 END,
       @feedbackCount = (SELECT COUNT(*) FROM dbo.InferenceFeedback AS f
                         WHERE f.InferenceRequestId = r.InferenceRequestId)
FROM dbo.InferenceRequest AS r
WHERE r.InferenceRequestId = @inferenceRequestId;
