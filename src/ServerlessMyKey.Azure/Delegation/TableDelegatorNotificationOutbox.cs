using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Azure.Delegation;

/// <summary>
/// <c>DelegatorNotifications</c>: one partition (<c>accepted</c>), row = delegation id, with the time it
/// was recorded. Rows live seconds normally; acceptances are far below a partition's ~2,000 writes/s.
/// </summary>
internal sealed class TableDelegatorNotificationOutbox(LazyTable table) : IDelegatorNotificationOutbox
{
    private const string Partition = "accepted";

    public async Task AddAsync(string delegationId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        await client.UpsertEntityAsync(new TableEntity(Partition, delegationId) { ["ExpectedAt"] = at }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RemoveAsync(string delegationId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        try
        {
            await client.DeleteEntityAsync(Partition, delegationId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already removed (by the sweep or a repeated acceptance).
        }
    }

    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var due = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and ExpectedAt lt {before}");
        await foreach (var row in client.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            due.Add(row.RowKey);
        }

        return due;
    }
}
