using Azure.Data.Tables;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Idempotency claims as insert-only rows, one partition per key hash (so claims never contend):
/// the first insert wins and fixes the request hash and the time of the claim; a later claim with another hash
/// is refused, one with the same hash answers the first claim's time.
/// </summary>
/// <remarks>
/// While claims of the first layout may exist (<see cref="LegacyIdempotencyClaims"/>), the legacy row is read
/// first and, when there, decides: no legacy claim is written any more, and the migration copies one before it
/// deletes it, so a key is never claimed twice across the change.
/// </remarks>
internal sealed class TableIdempotencyClaims(LazyTable table, TimeProvider time) : IIdempotencyClaims
{
    private readonly LegacyIdempotencyClaims _legacy = new(time);

    public async Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = await table.GetAsync(cancellationToken);
        if (await _legacy.MayExistAsync(client, cancellationToken))
        {
            if (await TableRows.FindAsync(client, request.KeyHash, IdempotencyClaimRows.LegacyRowKey, cancellationToken) is { } legacy)
            {
                return IdempotencyClaimRows.Existing(legacy, request, time.GetUtcNow());
            }
        }

        var now = time.GetUtcNow();
        if (await TableRows.TryAddAsync(client, IdempotencyClaimRows.New(request.KeyHash, request.RequestHash, now), cancellationToken))
        {
            return new IdempotencyClaim(now, true);
        }

        var existing = (await client.GetEntityAsync<TableEntity>(request.KeyHash, request.KeyHash, cancellationToken: cancellationToken)).Value;
        return IdempotencyClaimRows.Existing(existing, request, now);
    }
}
