using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Idempotency claims as insert-only rows, one partition per key hash (so claims never contend):
/// the first insert wins and fixes the request hash; a later claim with another hash is refused.
/// </summary>
internal sealed class TableIdempotencyClaims(LazyTable table, TimeProvider time) : IIdempotencyClaims
{
    private const string RowKey = "claim";

    public async Task ClaimAsync(IdempotentRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = await table.GetAsync(cancellationToken);
        try
        {
            await client.AddEntityAsync(
                new TableEntity(request.KeyHash, RowKey) { ["RequestHash"] = request.RequestHash, ["ClaimedAt"] = time.GetUtcNow() },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await client.GetEntityAsync<TableEntity>(request.KeyHash, RowKey, cancellationToken: cancellationToken);
            if (!string.Equals(existing.Value.GetString("RequestHash"), request.RequestHash, StringComparison.Ordinal))
            {
                throw new ServiceException(ErrorCodes.IdempotencyKeyReused);
            }
        }
    }
}
