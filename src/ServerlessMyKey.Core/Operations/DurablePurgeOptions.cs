namespace ServerlessMyKey.Core.Operations;

/// <summary>
/// Settings of the purge of finished Durable orchestrations (<c>Durable:*</c>): the task hub keeps every
/// instance's inputs, outputs and events until it is purged.
/// </summary>
public sealed record DurablePurgeOptions
{
    public const string SectionName = "Durable";

    /// <summary>
    /// <c>Durable:PurgeAfterDays</c>: how long a completed, failed or terminated instance is kept after
    /// it finished (its status is readable until then, e.g. <c>GET /api/delegations/transmissions/{id}</c>).
    /// </summary>
    public int PurgeAfterDays { get; init; } = 30;

    /// <summary><c>Durable:PurgeBatchSize</c>: instances purged at most per run (the rest go in the next run).</summary>
    public int PurgeBatchSize { get; init; } = 1000;

    public TimeSpan Retention => TimeSpan.FromDays(PurgeAfterDays);

    /// <summary>Problems with these settings, each naming its key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PurgeAfterDays is < 1 or > 3650)
        {
            problems.Add("Durable:PurgeAfterDays must be between 1 and 3650.");
        }

        if (PurgeBatchSize is < 1 or > 10_000)
        {
            problems.Add("Durable:PurgeBatchSize must be between 1 and 10000.");
        }

        return problems;
    }
}
