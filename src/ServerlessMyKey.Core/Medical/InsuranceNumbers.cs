using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Insurance numbers at rest: member records envelope-encrypted (bound to insurer and member key), and an
/// index by keyed hash (HMAC-SHA-256) so a 保険証利用登録 finds its record without storing the numbers. The
/// index key is random, created on first use and stored wrapped by the <c>data-encryption</c> key, so an
/// unkeyed hash of the few digits of an insurance number (which a dictionary would reverse) is never kept.
/// The same key hashes the clinics' patient-link codes (40 bits, as easy to reverse unkeyed).
/// </summary>
public sealed class InsuranceNumbers(IInsuranceStore store, IKeyService keys, EnvelopeEncryption envelopes)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _indexKey;

    public async Task<string> IndexAsync(string insurerNumber, string symbol, string number, string branch, CancellationToken cancellationToken = default) =>
        await KeyedHashAsync($"number|{insurerNumber}|{symbol}|{number}|{branch}", cancellationToken);

    /// <summary>A keyed hash of a member record's content: whether an upsert changes it, without an unkeyed hash of personal data.</summary>
    public async Task<string> ContentHashAsync(string insurerNumber, string memberKey, object content, CancellationToken cancellationToken = default) =>
        await KeyedHashAsync($"content|{insurerNumber}|{memberKey}|" + Encoding.UTF8.GetString(ApiJsonOptions.Serialize(content)), cancellationToken);

    /// <summary>
    /// A clinic's patient-link code as stored: keyed by the same medical index key, bound to facility and patient
    /// number, so that a table read gives no way to try the 2^40 codes offline.
    /// </summary>
    public async Task<string> LinkCodeHashAsync(string facilityCode, string patientNumber, string code, CancellationToken cancellationToken = default) =>
        await KeyedHashAsync($"patient-link-code|{facilityCode}|{patientNumber}|{code}", cancellationToken);

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

    private async Task<string> KeyedHashAsync(string input, CancellationToken cancellationToken)
    {
        var key = await IndexKeyAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(input)));
    }

    private async Task<byte[]> IndexKeyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _indexKey) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_indexKey is not null)
            {
                return _indexKey;
            }

            var wrapped = await store.FindIndexKeyAsync(cancellationToken);
            if (wrapped is null)
            {
                var fresh = RandomNumberGenerator.GetBytes(32);
                var candidate = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, fresh, cancellationToken);
                CryptographicOperations.ZeroMemory(fresh);

                // Insert-only: of two instances creating it at once, both end up with the one that was stored.
                await store.TryAddIndexKeyAsync(candidate, cancellationToken);
                wrapped = await store.FindIndexKeyAsync(cancellationToken) ?? throw new InvalidOperationException("The insurance index key was not stored.");
            }

            var key = await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped, cancellationToken);
            Volatile.Write(ref _indexKey, key);
            return key;
        }
        finally
        {
            _gate.Release();
        }
    }
}
