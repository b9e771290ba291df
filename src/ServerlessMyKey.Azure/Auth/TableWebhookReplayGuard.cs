using Azure.Data.Tables;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Azure.Auth;

/// <summary>
/// Seen webhook signatures in Table Storage: RowKey = the signature id (hex SHA-256), PartitionKey
/// its first two characters (256 partitions); inserted with <c>Add</c>, so of two deliveries of one
/// request exactly one is recorded.
/// </summary>
public sealed class TableWebhookReplayGuard(TableServiceClient service) : IWebhookReplayGuard
{
    public const string TableName = "WebhookReplays";

    private readonly LazyTable _table = new(service, TableName);

    public async Task<bool> TryRecordAsync(string signatureId, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        if (signatureId is not { Length: 64 } || !signatureId.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A signature id is 64 lowercase hex characters.", nameof(signatureId));
        }

        return await TableRows.TryAddAsync(await _table.GetAsync(cancellationToken), new TableEntity(signatureId[..2], signatureId) { ["KeepUntil"] = keepUntil }, cancellationToken);
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, int maxRows, CancellationToken cancellationToken = default) =>
        await BoundedTableDeletes.DeleteAsync(await _table.GetAsync(cancellationToken), TableClient.CreateQueryFilter($"KeepUntil lt {now}"), maxRows, cancellationToken);
}
