using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ServerlessMyKey.Core.Health;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>Probes that each storage service answers an authenticated request (not just a TCP connect).</summary>
internal static class StorageHealthProbes
{
    public static IHealthProbe Tables(TableServiceClient client) =>
        new DelegateProbe("tables", ct => client.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages().GetAsyncEnumerator(ct).MoveNextAsync().AsTask());

    public static IHealthProbe Blobs(BlobServiceClient client) =>
        new DelegateProbe("blobs", ct => client.GetBlobContainersAsync(cancellationToken: ct).AsPages(pageSizeHint: 1).GetAsyncEnumerator(ct).MoveNextAsync().AsTask());

    public static IHealthProbe Queues(QueueServiceClient client) =>
        new DelegateProbe("queues", ct => client.GetQueuesAsync(cancellationToken: ct).AsPages(pageSizeHint: 1).GetAsyncEnumerator(ct).MoveNextAsync().AsTask());

    private sealed class DelegateProbe(string name, Func<CancellationToken, Task<bool>> probe) : IHealthProbe
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

        public string Name => name;

        public async Task<HealthProbeResult> CheckAsync(CancellationToken cancellationToken = default)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(Timeout);
            try
            {
                await probe(cts.Token).ConfigureAwait(false);
                return new HealthProbeResult(name, true);
            }
            catch (RequestFailedException ex)
            {
                return new HealthProbeResult(name, false, $"status {ex.Status} {ex.ErrorCode}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthProbeResult(name, false, "timeout");
            }
            catch (Exception ex) when (ex is System.Net.Http.HttpRequestException or AggregateException or IOException or InvalidOperationException)
            {
                return new HealthProbeResult(name, false, ex.GetType().Name);
            }
        }
    }
}
