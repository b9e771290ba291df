using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// A member record as stored: the numbers, name and birth date only inside <see cref="Personal"/>
/// (envelope-encrypted), found by <see cref="NumberIndex"/> (a keyed hash, never the numbers).
/// <see cref="ContentHash"/> (keyed too) says whether an upsert changes anything.
/// </summary>
public sealed record StoredMember(
    string InsurerNumber,
    string MemberKey,
    string NumberIndex,
    EncryptedEnvelope Personal,
    string ValidFrom,
    string? ValidTo,
    int CopayRate,
    string ContentHash,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The row's version for a conditional rewrite; null for a record not yet stored.</summary>
    public string? ETag { get; init; }
}

/// <summary>What the envelope of a member record holds.</summary>
public sealed record MemberPersonalData(string Symbol, string Number, string Branch, string Name, string DateOfBirth)
{
    public override string ToString() => nameof(MemberPersonalData) + " { (personal data) }";
}

/// <summary>A MyKey ID's 保険証利用登録: which member record of which insurer (ids only).</summary>
public sealed record InsuranceLink(string MyKeyId, string InsurerNumber, string MemberKey, DateTimeOffset LinkedAt);

/// <summary>Member records (partition per insurer, with their number index) and the citizens' links.</summary>
public interface IInsuranceStore
{
    /// <summary>Where the key of the number index (<see cref="MedicalKeyedHashes"/>) is kept, wrapped.</summary>
    IKeyedHashKeyRow IndexKey { get; }

    Task<StoredMember?> FindMemberAsync(string insurerNumber, string memberKey, CancellationToken cancellationToken = default);

    /// <summary>The member key that holds a number index, or null.</summary>
    Task<string?> FindMemberKeyAsync(string insurerNumber, string numberIndex, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="next"/> in place of <paramref name="current"/> (null: insert) with its index row,
    /// freeing the old index row, in one transaction; <c>false</c> when anything changed meanwhile or the new
    /// index row is held by another member.
    /// </summary>
    Task<bool> TryWriteMemberAsync(StoredMember? current, StoredMember next, CancellationToken cancellationToken = default);

    Task<InsuranceLink?> FindLinkAsync(string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Writes the citizen's link, replacing an earlier one.</summary>
    Task WriteLinkAsync(InsuranceLink link, CancellationToken cancellationToken = default);
}
