namespace ServerlessMyKey.Core.Operations;

/// <summary>Settings of the clean-up timer (<c>Cleanup:*</c>).</summary>
public sealed record CleanupOptions
{
    public const string SectionName = "Cleanup";

    /// <summary>
    /// <c>Cleanup:IdempotencyWindowHours</c>: how long a stored response to an <c>Idempotency-Key</c>
    /// is kept, so that a replay inside the window gets the first response again. After it the same key
    /// with the same request starts a new request (the key's claim is kept, so another request is refused).
    /// </summary>
    public int IdempotencyWindowHours { get; init; } = 24;

    /// <summary><c>Cleanup:BatchSize</c>: rows deleted at most per table and run, so one run stays short.</summary>
    public int BatchSize { get; init; } = 5000;

    public TimeSpan IdempotencyWindow => TimeSpan.FromHours(IdempotencyWindowHours);

    /// <summary>Problems with these settings, each naming its key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (IdempotencyWindowHours is < 1 or > 8760)
        {
            problems.Add("Cleanup:IdempotencyWindowHours must be between 1 and 8760.");
        }

        if (BatchSize is < 100 or > 100_000)
        {
            problems.Add("Cleanup:BatchSize must be between 100 and 100000.");
        }

        return problems;
    }
}
