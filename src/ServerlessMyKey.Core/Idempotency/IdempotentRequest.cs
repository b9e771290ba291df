using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Idempotency;

/// <summary>
/// A request that carries an <c>Idempotency-Key</c>: the key, scoped to the operation and the
/// caller, reduced to a hash (so any printable key is safe in a table key), and the hash of the
/// request itself. Repeating the key with the same request replays the first response; with another
/// request it is refused with <c>idempotency_key_reused</c>.
/// </summary>
public sealed record IdempotentRequest(string KeyHash, string RequestHash)
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>When the key was first claimed (now for a first request, earlier for a replay); set by a claim.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>
    /// True when this request's claim was the key's first: no request under the key can have written anything
    /// yet, so a store need not look for a response stored under it (set by a claim).
    /// </summary>
    public bool IsFirstClaim { get; init; }

    public const int MaxKeyLength = 128;

    private static readonly JsonSerializerOptions CanonicalJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Builds the request from the raw header value. <paramref name="scope"/> names who may reuse
    /// the key (e.g. a service client id or a MyKey ID); <paramref name="request"/> is the parsed
    /// request including its route values, so two requests are the same when they mean the same.
    /// </summary>
    public static IdempotentRequest Create(string operation, string scope, string rawKey, object request)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(request);
        Validate(rawKey);
        var keyHash = Hash($"{operation}\n{scope}\n{rawKey}");
        var requestHash = Hash(operation + "\n" + JsonSerializer.Serialize(request, request.GetType(), CanonicalJson));
        return new IdempotentRequest(keyHash, requestHash);
    }

    /// <summary>Refuses an empty, overlong or non-printable key with <c>invalid_request</c>.</summary>
    public static void Validate(string? rawKey)
    {
        if (string.IsNullOrEmpty(rawKey) || rawKey.Length > MaxKeyLength || rawKey.Any(c => c is < '!' or > '~'))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"The {HeaderName} header must be 1–{MaxKeyLength} printable ASCII characters.");
        }
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

/// <summary>A response kept for replay: its status and JSON body, and the request it answered.</summary>
public sealed record StoredResponse(int Status, string RequestHash, byte[] Body)
{
    /// <summary>This response when <paramref name="request"/> is the one it answered; otherwise 422 <c>idempotency_key_reused</c>.</summary>
    public StoredResponse ReplayFor(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(RequestHash, request.RequestHash, StringComparison.Ordinal)
            ? this
            : throw new ServiceException(ErrorCodes.IdempotencyKeyReused);
    }
}

/// <summary>A response to store under an idempotency key, in the same atomic write as the data it answers for.</summary>
public sealed record IdempotentWrite(string KeyHash, StoredResponse Response);

/// <summary>
/// Claims an idempotency key before the operation runs, across every partition and feature: the
/// first request to claim a key fixes the request it stands for. The operation's own atomic write
/// keeps the response next to its data; the claim only makes a key unusable for another request.
/// </summary>
public interface IIdempotencyClaims
{
    /// <summary>
    /// Claims the key for the request and answers when it was first claimed (so a replay knows its age) and whether
    /// this was that first claim; throws 422 <c>idempotency_key_reused</c> when it was claimed for another.
    /// </summary>
    Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a claim: when the key was first claimed, and whether this claim was that first one.</summary>
public sealed record IdempotencyClaim(DateTimeOffset ClaimedAt, bool IsFirst);

public static class IdempotencyClaimsExtensions
{
    /// <summary>Builds the request from a raw key (see <see cref="IdempotentRequest.Create"/>) and claims it.</summary>
    public static async Task<IdempotentRequest> ClaimAsync(this IIdempotencyClaims claims, string operation, string scope, string rawKey, object request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var idempotency = IdempotentRequest.Create(operation, scope, rawKey, request);
        var claim = await claims.ClaimAsync(idempotency, cancellationToken);
        return idempotency with { ClaimedAt = claim.ClaimedAt, IsFirstClaim = claim.IsFirst };
    }

    /// <summary>As <see cref="ClaimAsync(IIdempotencyClaims, string, string, string, object, CancellationToken)"/> when a key was sent; <c>null</c> otherwise.</summary>
    public static async Task<IdempotentRequest?> ClaimIfKeyedAsync(this IIdempotencyClaims claims, string operation, string scope, string? rawKey, object request, CancellationToken cancellationToken = default) =>
        rawKey is null ? null : await claims.ClaimAsync(operation, scope, rawKey, request, cancellationToken);
}
