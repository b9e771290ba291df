using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// A consent as stored (partition per MyKey ID). <see cref="Signer"/> holds the signer's 氏名 and date of
/// birth envelope-encrypted, to recognise the same person's withdrawal after a card renewal.
/// </summary>
public sealed record ConsentRecord(
    string MyKeyId,
    string ConsentId,
    string Network,
    IReadOnlyList<string> Facilities,
    IReadOnlyList<string> Categories,
    DateTimeOffset ValidTo,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? WithdrawnAt,
    EncryptedEnvelope Signer,
    string SignerSerialNumber,
    string StatementSha256)
{
    public const string Active = "active";
    public const string Withdrawn = "withdrawn";

    public string? ETag { get; init; }

    public bool AllowsAll => Facilities is ["*"];
}

/// <summary>The consent ledger.</summary>
public interface IConsentStore
{
    /// <summary>Inserts a consent; <c>false</c> when its id exists.</summary>
    Task<bool> TryAddAsync(ConsentRecord consent, CancellationToken cancellationToken = default);

    Task<ConsentRecord?> FindAsync(string myKeyId, string consentId, CancellationToken cancellationToken = default);

    /// <summary>Rewrites a consent read with its ETag; <c>false</c> when it changed meanwhile.</summary>
    Task<bool> TryUpdateAsync(ConsentRecord consent, CancellationToken cancellationToken = default);

    /// <summary>The patient's consents, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ConsentRecord>> ListAsync(string myKeyId, int limit, CancellationToken cancellationToken = default);
}
