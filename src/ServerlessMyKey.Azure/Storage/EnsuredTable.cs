using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>A table that is created on first use (once per process), then handed out.</summary>
public sealed class EnsuredTable(TableServiceClient service, string tableName)
{
    private readonly Lazy<Task<TableClient>> _table = new(async () =>
    {
        var client = service.GetTableClient(tableName);
        await client.CreateIfNotExistsAsync();
        return client;
    });

    public string Name => tableName;

    public Task<TableClient> GetAsync() => _table.Value;
}
