using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Signatures;

/// <summary>Write-once storage of sealed receipts (Blob Storage in Azure).</summary>
public interface ISignatureReceiptStore
{
    /// <summary>Stores a receipt under a new id; fails when the id exists (never overwrites).</summary>
    Task CreateAsync(string receiptId, string jws, CancellationToken cancellationToken = default);

    /// <summary>The stored compact JWS, or null.</summary>
    Task<string?> GetAsync(string receiptId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sealed receipts: the evidence of a verification as the payload of a compact JWS (RFC 7515) signed
/// ES256 by the service's token-signing key, whose <c>kid</c> is in <c>GET /api/auth/jwks</c>, so anyone
/// can check a receipt later without this service. Stored write-once.
/// </summary>
public sealed partial class SignatureReceipts(IKeyService keys, ISignatureReceiptStore store)
{
    public const string MediaType = "mykey-receipt+jws";

    /// <summary>A new receipt id: 128 random bits, lower-case hex.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task<string> SealAndStoreAsync(SignatureEvidence evidence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var jws = await ServiceJws.SignAsync(
            keys, kid => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["typ"] = MediaType, ["kid"] = kid }),
            ApiJsonOptions.Serialize(evidence), cancellationToken);
        await store.CreateAsync(evidence.ReceiptId, jws, cancellationToken);
        return jws;
    }

    /// <summary>The receipt with its decoded payload; <c>not_found</c> for an unknown or ill-formed id.</summary>
    public async Task<SignatureReceiptResponse> GetAsync(string? receiptId, CancellationToken cancellationToken = default)
    {
        if (receiptId is null || !ReceiptId().IsMatch(receiptId))
        {
            throw new ServiceException(ErrorCodes.NotFound, "No such receipt.");
        }

        var jws = await store.GetAsync(receiptId, cancellationToken) ?? throw new ServiceException(ErrorCodes.NotFound, "No such receipt.");
        var payload = Base64Url.DecodeFromChars(jws.Split('.')[1]);
        var evidence = JsonSerializer.Deserialize<SignatureEvidence>(payload, ApiJsonOptions.Options)
            ?? throw new InvalidOperationException($"Receipt {receiptId} has no payload.");
        return new SignatureReceiptResponse(receiptId, jws, evidence);
    }

    [GeneratedRegex("^[0-9a-f]{32}\\z")]
    private static partial Regex ReceiptId();
}
