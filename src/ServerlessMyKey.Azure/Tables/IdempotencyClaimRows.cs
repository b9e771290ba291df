using Azure.Data.Tables;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// The rows of the <c>IdempotencyClaims</c> table (docs/operations.md, "Idempotency claims"). A claim is
/// <c>PartitionKey</c> = <c>RowKey</c> = the key hash. The first layout used the RowKey <c>claim</c> for every
/// claim, which Azurite (it finds a row through its RowKey index first) made a scan of all claims on each insert;
/// such legacy rows are read until <see cref="LayoutRow"/> says they were all migrated.
/// </summary>
internal static class IdempotencyClaimRows
{
    public const string TableName = "IdempotencyClaims";

    /// <summary>The RowKey of every claim of the first layout.</summary>
    public const string LegacyRowKey = "claim";

    /// <summary>PartitionKey and RowKey of the row recording the migration of legacy claims (never a key hash: hashes are 64 hex digits).</summary>
    public const string LayoutRow = "layout";

    public const string MigratedAtProperty = "LegacyClaimsMigratedAt";
    public const string CursorProperty = "LegacyClaimsCursor";

    /// <summary>The claims table; a table this process creates has no legacy claim, and is recorded as migrated at once.</summary>
    public static LazyTable Table(TableServiceClient service, string tablePrefix, TimeProvider time) =>
        new(service, tablePrefix + TableName, (client, cancellationToken) => RecordMigratedAsync(client, time.GetUtcNow(), cancellationToken));

    public static Task RecordMigratedAsync(TableClient table, DateTimeOffset at, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(LayoutRow, LayoutRow) { [MigratedAtProperty] = at }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>The claims table's layout row, or <c>null</c> when there is none yet.</summary>
    public static Task<TableEntity?> FindLayoutAsync(TableClient table, CancellationToken cancellationToken) =>
        TableRows.FindAsync(table, LayoutRow, LayoutRow, cancellationToken);

    /// <summary>True when the layout row records the migration of legacy claims.</summary>
    public static bool RecordsMigration(TableEntity? layout) => layout?.GetDateTimeOffset(MigratedAtProperty) is not null;

    /// <summary>True when the claims table's layout row records the migration of legacy claims.</summary>
    public static async Task<bool> MigratedAsync(TableClient table, CancellationToken cancellationToken) =>
        RecordsMigration(await FindLayoutAsync(table, cancellationToken));

    public static TableEntity New(string keyHash, string requestHash, DateTimeOffset claimedAt) =>
        new(keyHash, keyHash) { ["RequestHash"] = requestHash, ["ClaimedAt"] = claimedAt };

    /// <summary>A claim found under the key (either layout): its time, or 422 <c>idempotency_key_reused</c> when it was made for another request.</summary>
    public static IdempotencyClaim Existing(TableEntity existing, IdempotentRequest request, DateTimeOffset now)
    {
        if (!string.Equals(existing.GetString("RequestHash"), request.RequestHash, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.IdempotencyKeyReused);
        }

        return new IdempotencyClaim(existing.GetDateTimeOffset("ClaimedAt") ?? existing.Timestamp ?? now, false);
    }
}
