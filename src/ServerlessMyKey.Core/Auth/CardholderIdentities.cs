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
/// 基本4情報. The HMAC key is a <see cref="KeyedHashKey"/> kept in the MyKey ID table. Rules: docs/auth.md "Relink".
/// </summary>
public sealed class CardholderIdentities(IMyKeyIdStore store, IKeyService keys)
{
    private readonly KeyedHashKey _key = new(store.IdentityKey, keys);

    /// <summary>The keyed hash (base64url) of <paramref name="holder"/>'s 基本4情報.</summary>
    public async Task<string> HashAsync(BasicFourInformation holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var key = await _key.GetAsync(cancellationToken);

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
}
