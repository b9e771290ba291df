using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// The cardholder identity behind a MyKey ID: HMAC-SHA256 of the signing certificate's 基本4情報
/// (name, address, date of birth, sex) under a service key, so the same person's renewed card gives
/// the same value and nothing stored reveals (or lets anyone without the key test guesses of) the
/// 基本4情報. The HMAC key is 32 random bytes created once, kept wrapped by the data-encryption key
/// (Key Vault in Azure) and unwrapped once per process. Rules: docs/auth.md "Relink".
/// </summary>
public sealed class CardholderIdentities(IMyKeyIdStore store, IKeyService keys)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    /// <summary>The keyed hash (base64url) of <paramref name="holder"/>'s 基本4情報.</summary>
    public async Task<string> HashAsync(BasicFourInformation holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var key = await KeyAsync(cancellationToken);

        // Length-prefixed fields, so that no two different 基本4情報 give the same input.
        var fields = new[] { holder.Name, holder.Address, holder.DateOfBirth.EraName, $"{holder.DateOfBirth.Year}-{holder.DateOfBirth.Month}-{holder.DateOfBirth.Day}", holder.SexName };
        using var input = new MemoryStream();
        foreach (var field in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            input.Write(BitConverter.GetBytes(bytes.Length));
            input.Write(bytes);
        }

        return Base64Url.EncodeToString(HMACSHA256.HashData(key, input.ToArray()));
    }

    /// <summary>Constant-time comparison of two hashes from <see cref="HashAsync"/>.</summary>
    public static bool AreSame(string stored, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(presented));

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_key is null)
            {
                var fresh = RandomNumberGenerator.GetBytes(32);
                var candidate = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, fresh, cancellationToken);
                CryptographicOperations.ZeroMemory(fresh);
                var wrapped = await store.GetOrAddIdentityKeyAsync(candidate, cancellationToken);
                _key = await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped, cancellationToken);
            }

            return _key;
        }
        finally
        {
            _gate.Release();
        }
    }
}
