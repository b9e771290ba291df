using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Azure.Delegation;

/// <summary>
/// <c>DelegatorNotifications</c>: one partition (<c>accepted</c>), row = delegation id, with the time it
/// was recorded, its <c>State</c> and, for a dead letter, the attempts and last code. Rows live until the
/// delivery (seconds normally, hours while the receiver is down; dead letters until re-driven);
/// acceptances are far below a partition's ~2,000 writes/s.
/// </summary>
internal sealed class TableDelegatorNotificationOutbox(LazyTable table) : IDelegatorNotificationOutbox
{
    private const string Partition = "accepted";

    public async Task AddAsync(string delegationId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        await client.UpsertEntityAsync(
            new TableEntity(Partition, delegationId) { ["ExpectedAt"] = at, ["State"] = DelegatorNotificationRow.Expected, ["Redrives"] = 0 },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<DelegatorNotificationRow?> FindAsync(string delegationId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(Partition, delegationId, cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    public async Task MarkScheduledAsync(string delegationId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(delegationId, cancellationToken) is { State: DelegatorNotificationRow.Expected } row)
        {
            // Under the ETag: a delivery that ended meanwhile (row gone or dead-lettered) is left as it is.
            await TryUpdateAsync(row, new TableEntity(Partition, delegationId) { ["State"] = DelegatorNotificationRow.Scheduled }, cancellationToken);
        }
    }

    public async Task MarkDeadLetteredAsync(string delegationId, int attempts, string? code, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        await client.UpsertEntityAsync(
            new TableEntity(Partition, delegationId) { ["State"] = DelegatorNotificationRow.DeadLettered, ["Attempts"] = attempts, ["Code"] = code, ["DeadLetteredAt"] = at },
            TableUpdateMode.Merge,
            cancellationToken);
    }

    public Task<bool> TryRedriveAsync(DelegatorNotificationRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return TryUpdateAsync(row, new TableEntity(Partition, row.DelegationId) { ["State"] = DelegatorNotificationRow.Scheduled, ["Redrives"] = row.Redrives + 1 }, cancellationToken);
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
            // Already removed (by the sweep or a repeated delivery).
        }
    }

    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var due = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and State eq {DelegatorNotificationRow.Expected} and ExpectedAt lt {before}");
        await foreach (var row in client.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            due.Add(row.RowKey);
        }

        return due;
    }

    private async Task<bool> TryUpdateAsync(DelegatorNotificationRow row, TableEntity changes, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        try
        {
            await client.UpdateEntityAsync(changes, new ETag(row.ETag), TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    private static DelegatorNotificationRow Read(TableEntity row) => new(
        row.RowKey,
        row.GetString("State") ?? DelegatorNotificationRow.Expected,
        row.GetInt32("Redrives") ?? 0,
        row.GetInt32("Attempts"),
        row.GetString("Code"),
        row.GetDateTimeOffset("DeadLetteredAt"),
        row.ETag.ToString());
}
