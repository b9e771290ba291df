using Azure.Data.Tables;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Idempotency claims as insert-only rows, one partition per key hash (so claims never contend):
/// the first insert wins and fixes the request hash and the time of the claim; a later claim with another hash
/// is refused, one with the same hash answers the first claim's time.
/// </summary>
internal sealed class TableIdempotencyClaims(LazyTable table, TimeProvider time) : IIdempotencyClaims
{
    private const string RowKey = "claim";

    public async Task<DateTimeOffset> ClaimAsync(IdempotentRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = await table.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await TableRows.TryAddAsync(client, new TableEntity(request.KeyHash, RowKey) { ["RequestHash"] = request.RequestHash, ["ClaimedAt"] = now }, cancellationToken))
        {
            return now;
        }

        var existing = (await client.GetEntityAsync<TableEntity>(request.KeyHash, RowKey, cancellationToken: cancellationToken)).Value;
        if (!string.Equals(existing.GetString("RequestHash"), request.RequestHash, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.IdempotencyKeyReused);
        }

        return existing.GetDateTimeOffset("ClaimedAt") ?? existing.Timestamp ?? now;
    }
}
