using System.Text.Json;

namespace ServerlessMyKey.DevHost.Metadata;

/// <summary>The parts of <c>host.json</c> the DevHost honours, with the Functions host's defaults.</summary>
public sealed record HostSettings
{
    public string RoutePrefix { get; init; } = "api";

    public int QueueBatchSize { get; init; } = 16;

    /// <summary>
    /// The host fetches the next batch once this many messages or fewer are still running (<c>newBatchThreshold</c>;
    /// <c>null</c>: half the batch size, the host's default), so one slow message does not hold the queue up.
    /// </summary>
    public int? QueueNewBatchThreshold { get; init; }

    public int QueueMaxDequeueCount { get; init; } = 5;

    public TimeSpan QueueVisibilityTimeout { get; init; } = TimeSpan.Zero;

    public TimeSpan QueueMaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a dequeued message stays invisible before its lease is renewed (every third of it) — not
    /// a host.json setting: the host uses 10 minutes and renews at half. The DevHost's minute means a
    /// message whose dequeue answer was lost in a storage outage runs again within a minute.
    /// </summary>
    public TimeSpan QueueMessageLease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>base64</c> (the default) or <c>none</c>.</summary>
    public string QueueMessageEncoding { get; init; } = "base64";

    public string DurableHubName { get; init; } = "TestHubName";

    public int DurablePartitionCount { get; init; } = 4;

    public static HostSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            return new HostSettings();
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var settings = new HostSettings();
        if (!document.RootElement.TryGetProperty("extensions", out var extensions))
        {
            return settings;
        }

        if (extensions.TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out var prefix))
        {
            settings = settings with { RoutePrefix = prefix.GetString()?.Trim('/') ?? string.Empty };
        }

        if (extensions.TryGetProperty("queues", out var queues))
        {
            settings = settings with
            {
                QueueBatchSize = Int(queues, "batchSize") ?? settings.QueueBatchSize,
                QueueNewBatchThreshold = Int(queues, "newBatchThreshold") ?? settings.QueueNewBatchThreshold,
                QueueMaxDequeueCount = Int(queues, "maxDequeueCount") ?? settings.QueueMaxDequeueCount,
                QueueVisibilityTimeout = Time(queues, "visibilityTimeout") ?? settings.QueueVisibilityTimeout,
                QueueMaxPollingInterval = Time(queues, "maxPollingInterval") ?? settings.QueueMaxPollingInterval,
                QueueMessageEncoding = Str(queues, "messageEncoding")?.ToLowerInvariant() ?? settings.QueueMessageEncoding,
            };
        }

        if (extensions.TryGetProperty("durableTask", out var durable))
        {
            settings = settings with { DurableHubName = Str(durable, "hubName") ?? settings.DurableHubName };
            if (durable.TryGetProperty("storageProvider", out var provider))
            {
                settings = settings with { DurablePartitionCount = Int(provider, "partitionCount") ?? settings.DurablePartitionCount };
            }
        }

        return settings;
    }

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : null;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static TimeSpan? Time(JsonElement e, string name) =>
        Str(e, name) is { } s ? TimeSpan.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;
}
