using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Insurance numbers at rest: member records envelope-encrypted (bound to insurer and member key), and an
/// index by keyed hash (<see cref="MedicalKeyedHashes"/>) so a 保険証利用登録 finds its record without storing
/// the numbers; an unkeyed hash of the few digits of an insurance number (which a dictionary would reverse) is
/// never kept.
/// </summary>
public sealed class InsuranceNumbers(MedicalKeyedHashes hashes, EnvelopeEncryption envelopes)
{
    public Task<string> IndexAsync(string insurerNumber, string symbol, string number, string branch, CancellationToken cancellationToken = default) =>
        hashes.InsuranceNumberAsync(insurerNumber, symbol, number, branch, cancellationToken);

    /// <summary>A keyed hash of a member record's content: whether an upsert changes it, without an unkeyed hash of personal data.</summary>
    public Task<string> ContentHashAsync(string insurerNumber, string memberKey, object content, CancellationToken cancellationToken = default) =>
        hashes.MemberContentAsync(insurerNumber, memberKey, content, cancellationToken);

    public Task<Signatures.EncryptedEnvelope> EncryptAsync(string insurerNumber, string memberKey, MemberPersonalData data, CancellationToken cancellationToken = default) =>
        envelopes.EncryptAsync(ApiJsonOptions.Serialize(data), AssociatedData(insurerNumber, memberKey), cancellationToken);

    public async Task<MemberPersonalData> DecryptAsync(StoredMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var plaintext = await envelopes.DecryptAsync(member.Personal, AssociatedData(member.InsurerNumber, member.MemberKey), cancellationToken);
        return JsonSerializer.Deserialize<MemberPersonalData>(plaintext, ApiJsonOptions.Options)
            ?? throw new CryptographicException("The member record's envelope holds no data.");
    }

    private static byte[] AssociatedData(string insurerNumber, string memberKey) => Encoding.UTF8.GetBytes($"medical-member|{insurerNumber}|{memberKey}");
}
