using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Facilities;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Facilities;

/// <summary>
/// Facilities, links and check-ins (docs/points-tables.md). Registry: one partition
/// <c>facilities</c>. Links: partition = facility id, rows <c>link|&lt;MyKey ID&gt;</c> and
/// <c>user|&lt;user number&gt;</c> (the unique index, written in the same transaction). Check-ins:
/// partition = facility id, insert-only rows <c>c|&lt;inverted ticks&gt;-&lt;random&gt;</c>, newest first.
/// </summary>
internal sealed class TableFacilityStore(LazyTable registry, LazyTable links, LazyTable checkins) : IFacilityStore
{
    private const string RegistryPartition = "facilities";
    private const string FacilityPrefix = "facility|";
    private const string LinkPrefix = "link|";
    private const string UserPrefix = "user|";
    private const string CheckinPrefix = "c|";
    private const string CheckinsEnd = "c}";

    public async Task<Facility?> FindFacilityAsync(string facilityId, CancellationToken cancellationToken = default)
    {
        var client = await registry.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(RegistryPartition, FacilityPrefix + facilityId, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var entity = row.Value!;
        return new Facility(facilityId, entity.GetString("Name"), entity.GetString("MunicipalityCode"), entity.GetString("Kind"),
            (entity.GetString("TerminalClientIds") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries), entity.GetString("RegisteredBy"));
    }

    public async Task<StoredResponse?> FindRegistrationResponseAsync(string idempotencyKeyHash, CancellationToken cancellationToken = default) =>
        await IdempotencyRows.FindAsync(await registry.GetAsync(cancellationToken), RegistryPartition, idempotencyKeyHash, cancellationToken);

    public async Task<bool> TryAddFacilityAsync(Facility facility, IdempotentWrite? response = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(facility);
        var row = new TableEntity(RegistryPartition, FacilityPrefix + facility.FacilityId)
        {
            ["Name"] = facility.Name,
            ["MunicipalityCode"] = facility.MunicipalityCode,
            ["Kind"] = facility.Kind,
            ["TerminalClientIds"] = string.Join(',', facility.TerminalClientIds),
            ["RegisteredBy"] = facility.RegisteredBy,
        };
        return await TableTransactions.TrySubmitAsync(await registry.GetAsync(cancellationToken), WithResponse(RegistryPartition, [new(TableTransactionActionType.Add, row)], response), cancellationToken);
    }

    public async Task<FacilityLink?> FindLinkAsync(string facilityId, string myKeyId, CancellationToken cancellationToken = default)
    {
        var client = await links.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityId, LinkPrefix + myKeyId, cancellationToken: cancellationToken);
        return row.HasValue ? ReadLink(row.Value!) : null;
    }

    public async Task<FacilityLinkSnapshot> ReadLinkAsync(string facilityId, string myKeyId, string userNumber, string? idempotencyKeyHash, CancellationToken cancellationToken = default)
    {
        var client = await links.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {facilityId} and (RowKey eq {LinkPrefix + myKeyId} or RowKey eq {UserPrefix + userNumber} or RowKey eq {IdempotencyRows.RowKey(idempotencyKeyHash ?? "-")})");
        FacilityLink? current = null;
        string? token = null, owner = null;
        StoredResponse? stored = null;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal))
            {
                (current, token) = (ReadLink(row), row.ETag.ToString());
            }
            else if (row.RowKey.StartsWith(UserPrefix, StringComparison.Ordinal))
            {
                owner = row.GetString("MyKeyId");
            }
            else
            {
                stored = IdempotencyRows.Read(row);
            }
        }

        return new FacilityLinkSnapshot(current, token, owner, stored);
    }

    public async Task<bool> TryWriteLinkAsync(FacilityLinkSnapshot snapshot, FacilityLink link, IdempotentWrite? response = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(link);
        var actions = new List<TableTransactionAction>();
        if (snapshot.Current?.UserNumber != link.UserNumber)
        {
            var linkRow = new TableEntity(link.FacilityId, LinkPrefix + link.MyKeyId) { ["UserNumber"] = link.UserNumber, ["LinkedAt"] = link.LinkedAt };
            if (snapshot.Current is { } old)
            {
                // The link row's ETag guards the whole change, so the old index row can go unconditionally.
                actions.Add(new(TableTransactionActionType.UpdateReplace, linkRow, new ETag(snapshot.CurrentToken!)));
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(link.FacilityId, UserPrefix + old.UserNumber), ETag.All));
            }
            else
            {
                actions.Add(new(TableTransactionActionType.Add, linkRow));
            }

            // Insert-only: a user number someone else took meanwhile makes the transaction fail.
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(link.FacilityId, UserPrefix + link.UserNumber) { ["MyKeyId"] = link.MyKeyId }));
        }

        actions = WithResponse(link.FacilityId, actions, response);
        return actions.Count == 0 || await TableTransactions.TrySubmitAsync(await links.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<StoredResponse?> FindCheckinResponseAsync(string facilityId, string idempotencyKeyHash, CancellationToken cancellationToken = default) =>
        await IdempotencyRows.FindAsync(await checkins.GetAsync(cancellationToken), facilityId, idempotencyKeyHash, cancellationToken);

    public async Task<bool> TryAppendCheckinAsync(FacilityCheckin checkin, IdempotentWrite? response = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkin);
        var row = new TableEntity(checkin.FacilityId, CheckinPrefix + checkin.CheckinId)
        {
            ["MyKeyId"] = checkin.MyKeyId,
            ["UserNumber"] = checkin.UserNumber,
            ["TerminalClientId"] = checkin.TerminalClientId,
            ["At"] = checkin.At,
        };
        return await TableTransactions.TrySubmitAsync(await checkins.GetAsync(cancellationToken), WithResponse(checkin.FacilityId, [new(TableTransactionActionType.Add, row)], response), cancellationToken);
    }

    public async Task<IReadOnlyList<FacilityCheckin>> ListCheckinsAsync(string facilityId, int limit, string? after = null, CancellationToken cancellationToken = default)
    {
        var client = await checkins.GetAsync(cancellationToken);
        var from = CheckinPrefix + (after ?? string.Empty);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {facilityId} and RowKey gt {from} and RowKey lt {CheckinsEnd}");
        var result = new List<FacilityCheckin>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            result.Add(new FacilityCheckin(row.RowKey[CheckinPrefix.Length..], facilityId, row.GetString("MyKeyId"), row.GetString("UserNumber"),
                row.GetString("TerminalClientId"), row.GetDateTimeOffset("At") ?? default));
            if (result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }

    private static FacilityLink ReadLink(TableEntity row) =>
        new(row.PartitionKey, row.RowKey[LinkPrefix.Length..], row.GetString("UserNumber"), row.GetDateTimeOffset("LinkedAt") ?? default);

    private static List<TableTransactionAction> WithResponse(string partitionKey, List<TableTransactionAction> actions, IdempotentWrite? response)
    {
        if (response is not null)
        {
            actions.Add(IdempotencyRows.Insert(partitionKey, response));
        }

        return actions;
    }
}
