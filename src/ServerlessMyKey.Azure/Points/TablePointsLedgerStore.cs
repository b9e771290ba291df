using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Azure.Points;

/// <summary>
/// Points accounts in Table Storage, one partition per MyKey ID (docs/points-tables.md): the
/// <c>summary</c> row (state, replaced under its ETag), <c>entry|&lt;inverted sequence&gt;</c> rows
/// (insert-only, newest first) and <c>idem|&lt;key hash&gt;</c> rows (responses for replay). One
/// operation is one entity-group transaction of all three.
/// </summary>
internal sealed class TablePointsLedgerStore(LazyTable table) : IPointsLedgerStore
{
    private const string SummaryRow = "summary";
    private const string EntryPrefix = "entry|";

    // '}' follows '|', so every entry row sorts between EntryPrefix and EntriesEnd.
    private const string EntriesEnd = "entry}";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <remarks>
    /// Point reads, not a query: <c>PartitionKey eq … and (RowKey eq summary or RowKey eq idem|…)</c> scans the
    /// partition in Azure (the account's every entry) and the whole table in Azurite; the stored response is
    /// read beside the summary, in parallel, only when asked for.
    /// </remarks>
    public async Task<PointsLedgerSnapshot> ReadAsync(string myKeyId, string? idempotencyKeyHash = null, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var storedRead = idempotencyKeyHash is null ? Task.FromResult<StoredResponse?>(null) : IdempotencyRows.FindAsync(client, myKeyId, idempotencyKeyHash, cancellationToken);
        var summaryRead = client.GetEntityIfExistsAsync<TableEntity>(myKeyId, SummaryRow, cancellationToken: cancellationToken);
        await Task.WhenAll(storedRead, summaryRead);
        var (summary, stored) = (await summaryRead, await storedRead);
        return summary.HasValue
            ? new PointsLedgerSnapshot(ReadAccount(myKeyId, summary.Value!), summary.Value!.ETag.ToString(), stored)
            : new PointsLedgerSnapshot(PointsAccount.Open(myKeyId), null, stored);
    }

    public async Task<bool> TryCommitAsync(PointsLedgerSnapshot snapshot, PointsChange change, IdempotentWrite? response = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(change);
        if (!ReferenceEquals(snapshot.Account, change.Before))
        {
            throw new ArgumentException("The change must be made on the snapshot's account.", nameof(change));
        }

        var myKeyId = change.After.MyKeyId;
        var actions = change.Entries.Select(e => new TableTransactionAction(TableTransactionActionType.Add, EntryRow(myKeyId, e))).ToList();
        var summary = SummaryRowOf(change.After);
        actions.Add(snapshot.ConcurrencyToken is null
            ? new TableTransactionAction(TableTransactionActionType.Add, summary)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, summary, new global::Azure.ETag(snapshot.ConcurrencyToken)));
        if (response is not null)
        {
            actions.Add(IdempotencyRows.Insert(myKeyId, response));
        }

        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<PointsEntryPage> ReadEntriesAsync(string myKeyId, long? beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var client = await table.GetAsync(cancellationToken);
        var after = beforeSequence is { } before ? EntryRowKey(before) : EntryPrefix;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId} and RowKey gt {after} and RowKey lt {EntriesEnd}");
        var entries = new List<PointsEntry>(limit + 1);
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken))
        {
            entries.Add(JsonSerializer.Deserialize<PointsEntry>(ChunkedProperty.Read(row, "Data"), Json)!);
            if (entries.Count > limit)
            {
                break;
            }
        }

        var hasMore = entries.Count > limit;
        return new PointsEntryPage(hasMore ? entries[..limit] : entries, hasMore);
    }

    /// <summary>Newest first: the row key holds <c>long.MaxValue - sequence</c>, zero-padded so text order is number order.</summary>
    internal static string EntryRowKey(long sequence) =>
        EntryPrefix + (long.MaxValue - sequence).ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity EntryRow(string myKeyId, PointsEntry entry)
    {
        // The whole entry is the Data property; the plain columns are for people reading the table.
        var row = new TableEntity(myKeyId, EntryRowKey(entry.Sequence))
        {
            ["Sequence"] = entry.Sequence,
            ["Kind"] = entry.Kind.ToString(),
            ["At"] = entry.At,
            ["Amount"] = entry.Amount,
            ["HoldingDelta"] = entry.HoldingDelta,
            ["MunicipalityCode"] = entry.MunicipalityCode,
            ["MunicipalityDelta"] = entry.MunicipalityDelta,
        };
        ChunkedProperty.Write(row, "Data", JsonSerializer.SerializeToUtf8Bytes(entry, Json));
        return row;
    }

    private static TableEntity SummaryRowOf(PointsAccount account)
    {
        var row = new TableEntity(account.MyKeyId, SummaryRow)
        {
            ["Sequence"] = account.Sequence,
            ["Holding"] = account.HoldingBalance,
            ["DefaultMunicipalityCode"] = account.DefaultMunicipalityCode,
        };
        ChunkedProperty.Write(row, "State", JsonSerializer.SerializeToUtf8Bytes(new AccountState([.. account.Holding], [.. account.Lots]), Json));
        return row;
    }

    private static PointsAccount ReadAccount(string myKeyId, TableEntity summary)
    {
        var state = JsonSerializer.Deserialize<AccountState>(ChunkedProperty.Read(summary, "State"), Json)
            ?? throw new InvalidDataException($"The points summary of {myKeyId} has no state.");
        return PointsAccount.Restore(myKeyId, summary.GetInt64("Sequence") ?? 0, summary.GetString("DefaultMunicipalityCode"), state.Holding, state.Lots);
    }

    private sealed record AccountState(List<HoldingLot> Holding, List<MunicipalLot> Lots);
}
