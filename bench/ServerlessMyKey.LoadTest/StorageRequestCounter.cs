using System.Diagnostics.Metrics;

namespace ServerlessMyKey.LoadTest;

/// <summary>
/// Counts the HTTP requests this process sends to Azurite, by service (the port), from the runtime's own
/// <c>System.Net.Http</c> metric: every Table, Queue and Blob call of the app's Azure SDK clients, its
/// background workers (queue pollers, the Durable sidecar) included, and of the load program's raw inserts.
/// </summary>
internal sealed class StorageRequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _blobPort;
    private readonly int _queuePort;
    private readonly int _tablePort;
    private long _blob;
    private long _queue;
    private long _table;

    public StorageRequestCounter(int blobPort, int queuePort, int tablePort)
    {
        (_blobPort, _queuePort, _tablePort) = (blobPort, queuePort, tablePort);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && tag.Value is int port)
                {
                    Count(port);
                    return;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Requests so far to each service.</summary>
    public StorageRequests Snapshot() => new(Interlocked.Read(ref _table), Interlocked.Read(ref _queue), Interlocked.Read(ref _blob));

    public void Dispose() => _listener.Dispose();

    private void Count(int port)
    {
        if (port == _tablePort)
        {
            Interlocked.Increment(ref _table);
        }
        else if (port == _queuePort)
        {
            Interlocked.Increment(ref _queue);
        }
        else if (port == _blobPort)
        {
            Interlocked.Increment(ref _blob);
        }
    }
}

/// <summary>Requests to Azurite's Table, Queue and Blob services.</summary>
internal readonly record struct StorageRequests(long Table, long Queue, long Blob)
{
    public static StorageRequests operator -(StorageRequests after, StorageRequests before) =>
        new(after.Table - before.Table, after.Queue - before.Queue, after.Blob - before.Blob);
}
