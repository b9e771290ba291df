using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Medical;

namespace ServerlessMyKey.Azure.Medical;

/// <summary><c>MedicalAccessLog</c>: partition = MyKey ID, insert-only rows keyed by inverted time (newest first).</summary>
internal sealed class TableMedicalAccessLog(LazyTable log) : IMedicalAccessLogStore
{
    private const string End = "~";

    public async Task AppendAsync(string myKeyId, string entryId, AccessLogEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var row = new TableEntity(myKeyId, entryId)
        {
            ["At"] = entry.At,
            ["FacilityCode"] = entry.FacilityCode,
            ["Kind"] = entry.Kind,
            ["Category"] = entry.Category,
            ["Allowed"] = entry.Allowed,
            ["Code"] = entry.Code,
        };
        TableLimits.EnsureEntity(row);
        await (await log.GetAsync(cancellationToken)).AddEntityAsync(row, cancellationToken);
    }

    public async Task<IReadOnlyList<(string EntryId, AccessLogEntry Entry)>> ListAsync(string myKeyId, int limit, string? after, CancellationToken cancellationToken = default)
    {
        var client = await log.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId} and RowKey gt {after ?? string.Empty} and RowKey lt {End}");
        var result = new List<(string, AccessLogEntry)>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            result.Add((row.RowKey, new AccessLogEntry(
                row.GetDateTimeOffset("At") ?? default, row.GetString("FacilityCode"), row.GetString("Kind"), row.GetString("Category"), row.GetBoolean("Allowed") ?? false, row.GetString("Code"))));
            if (result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }
}
