using System.Text.Json;
using ServerlessMyKey.Functions.Certificates;
using ServerlessMyKey.Functions.OpenApi;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

/// <summary>Constants the code relies on that host.json also sets: they must agree.</summary>
public sealed class HostJsonParityTests
{
    private static JsonElement Extensions()
    {
        var hostJson = Path.Combine(Path.GetDirectoryName(typeof(OpenApiDocumentFactory).Assembly.Location)!, "host.json");
        using var host = JsonDocument.Parse(File.ReadAllText(hostJson));
        return host.RootElement.GetProperty("extensions").Clone();
    }

    [Fact]
    public void The_status_chunk_function_knows_the_queue_dequeue_limit()
    {
        Assert.Equal(CertificateStatusChunkFunction.MaxDequeueCount, Extensions().GetProperty("queues").GetProperty("maxDequeueCount").GetInt64());
    }
}
