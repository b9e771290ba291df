using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>A table created on first use (once per process); a failed creation is tried again on the next use.</summary>
internal sealed class LazyTable(TableServiceClient service, string name)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TableClient? _client;

    public string Name => name;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _client) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_client is null)
            {
                var client = service.GetTableClient(name);
                await client.CreateIfNotExistsAsync(cancellationToken);
                Volatile.Write(ref _client, client);
            }

            return _client!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
