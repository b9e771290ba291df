using Azure.Data.Tables;
using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>A table created on first use (once per process); a failed creation is tried again on the next use.</summary>
internal sealed class LazyTable(TableServiceClient service, string name)
{
    private readonly CreatedOnFirstUse<TableClient> _client = new(async cancellationToken =>
    {
        var client = service.GetTableClient(name);
        await client.CreateIfNotExistsAsync(cancellationToken);
        return client;
    });

    public string Name => name;

    public ValueTask<TableClient> GetAsync(CancellationToken cancellationToken = default) => _client.GetAsync(cancellationToken);
}
