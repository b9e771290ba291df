using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// A table created on first use (once per process); a failed creation is tried again on the next use.
/// <paramref name="whenCreated"/>, when given, runs once right after this process created the table (not when it
/// existed already), before the table is handed out.
/// </summary>
internal sealed class LazyTable(TableServiceClient service, string name, Func<TableClient, CancellationToken, Task>? whenCreated = null)
{
    private readonly CreatedOnFirstUse<TableClient> _client = new(async cancellationToken =>
    {
        var client = service.GetTableClient(name);
        if (whenCreated is null)
        {
            await client.CreateIfNotExistsAsync(cancellationToken);
            return client;
        }

        try
        {
            await client.CreateAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return client;
        }

        await whenCreated(client, cancellationToken);
        return client;
    });

    public string Name => name;

    public ValueTask<TableClient> GetAsync(CancellationToken cancellationToken = default) => _client.GetAsync(cancellationToken);
}
