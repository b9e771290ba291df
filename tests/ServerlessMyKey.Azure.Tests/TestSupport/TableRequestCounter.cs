using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessMyKey.Azure.Tests.TestSupport;

/// <summary>
/// Counts the requests a Table Storage client sends, by the table its path names (an entity-group transaction is
/// <c>$batch</c>): install with <c>new TableClientOptions().AddPolicy(counter, HttpPipelinePosition.PerCall)</c>.
/// </summary>
public sealed class TableRequestCounter : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<string> _paths = new();

    /// <summary>Requests whose path names a table whose name ends with <paramref name="tableSuffix"/> (reads and single-row writes).</summary>
    public int To(string tableSuffix) => _paths.Count(path => path.Split('(')[0].EndsWith(tableSuffix, StringComparison.Ordinal));

    public void Reset() => _paths.Clear();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        _paths.Enqueue(message.Request.Uri.Path);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        _paths.Enqueue(message.Request.Uri.Path);
        return ProcessNextAsync(message, pipeline);
    }
}
