using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Keyed hashes (HMAC-SHA-256) of the medical identifiers that are too short to hash unkeyed — the digits of an
/// insurance number, a clinic's 40-bit patient-link code — since a dictionary would reverse those. The key is a
/// <see cref="KeyedHashKey"/> (the "insurance index key", <see cref="IInsuranceStore.IndexKey"/>); each input is
/// prefixed with what it is, so one kind of hash never equals another.
/// </summary>
public sealed class MedicalKeyedHashes(IInsuranceStore store, IKeyService keys)
{
    private readonly KeyedHashKey _key = new(store.IndexKey, keys);

    /// <summary>The index of an insurance number: a 保険証利用登録 finds its member record without the numbers being stored.</summary>
    public Task<string> InsuranceNumberAsync(string insurerNumber, string symbol, string number, string branch, CancellationToken cancellationToken = default) =>
        HashAsync($"number|{insurerNumber}|{symbol}|{number}|{branch}", cancellationToken);

    /// <summary>A member record's content: whether an upsert changes it, without an unkeyed hash of personal data.</summary>
    public Task<string> MemberContentAsync(string insurerNumber, string memberKey, object content, CancellationToken cancellationToken = default) =>
        HashAsync($"content|{insurerNumber}|{memberKey}|" + Encoding.UTF8.GetString(ApiJsonOptions.Serialize(content)), cancellationToken);

    /// <summary>
    /// A clinic's patient-link code as stored, bound to facility and patient number, so that a table read gives no
    /// way to try the 2^40 codes offline.
    /// </summary>
    public Task<string> PatientLinkCodeAsync(string facilityCode, string patientNumber, string code, CancellationToken cancellationToken = default) =>
        HashAsync($"patient-link-code|{facilityCode}|{patientNumber}|{code}", cancellationToken);

    private async Task<string> HashAsync(string input, CancellationToken cancellationToken)
    {
        var key = await _key.GetAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(input)));
    }
}
