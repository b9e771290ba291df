using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// Watching alerts: partition <c>&lt;municipality&gt;</c>, row <c>w|&lt;inverted raise ticks&gt;|&lt;id&gt;</c>
/// (newest first) and the once-per-episode row <c>id|&lt;watchAlertId&gt;</c> pointing at it, inserted
/// together in one transaction.
/// </summary>
internal sealed class TableWatchAlertStore(LazyTable table) : IWatchAlertStore
{
    public async Task<WatchAlert> AddOrGetAsync(WatchAlert alert, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var rowKey = "w|" + Inverted(alert.RaisedAt) + "|" + alert.WatchAlertId;
        if (await TableTransactions.TrySubmitAsync(client,
            [
                new(TableTransactionActionType.Add, Row(alert, rowKey)),
                new(TableTransactionActionType.Add, new TableEntity(alert.MunicipalityCode, "id|" + alert.WatchAlertId) { ["RowKey2"] = rowKey }),
            ], cancellationToken))
        {
            return alert;
        }

        var index = await client.GetEntityAsync<TableEntity>(alert.MunicipalityCode, "id|" + alert.WatchAlertId, cancellationToken: cancellationToken);
        var row = await client.GetEntityAsync<TableEntity>(alert.MunicipalityCode, index.Value.GetString("RowKey2"), cancellationToken: cancellationToken);
        return Read(row.Value);
    }

    public async Task MarkNotifiedAsync(WatchAlert alert, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var index = await client.GetEntityAsync<TableEntity>(alert.MunicipalityCode, "id|" + alert.WatchAlertId, cancellationToken: cancellationToken);
        await client.UpdateEntityAsync(new TableEntity(alert.MunicipalityCode, index.Value.GetString("RowKey2")) { ["NotifiedAt"] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<IReadOnlyList<WatchAlert>> ListAsync(string municipalityCode, int limit, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var result = new List<WatchAlert>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {municipalityCode} and RowKey ge {"w|"} and RowKey lt {"w}"}"), maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            result.Add(Read(row));
            if (result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }

    private static TableEntity Row(WatchAlert alert, string rowKey) => new(alert.MunicipalityCode, rowKey)
    {
        ["WatchAlertId"] = alert.WatchAlertId,
        ["ResidentId"] = alert.ResidentId,
        ["TvKey"] = alert.Tv.ToString(),
        ["Kind"] = alert.Kind,
        ["Since"] = alert.Since,
        ["RaisedAt"] = alert.RaisedAt,
    };

    private static WatchAlert Read(TableEntity row) =>
        new(row.PartitionKey, row.GetString("WatchAlertId"), row.GetString("ResidentId"), TvKey.Parse(row.GetString("TvKey")), row.GetString("Kind"),
            row.GetDateTimeOffset("Since") ?? default, row.GetDateTimeOffset("RaisedAt") ?? default, row.GetDateTimeOffset("NotifiedAt"));

    /// <summary>Newest first: the ticks left to <see cref="DateTimeOffset.MaxValue"/>, 19 digits.</summary>
    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
}
