BEGIN
    RETURN (
        SELECT AVG(CAST(f.Rating AS FLOAT))
        FROM dbo.InferenceFeedback AS f
        WHERE f.InferenceRequestId = @inferenceRequestId
    );
END
