using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// Pairwise subject identifiers (OpenID Connect Core §8.1): HMAC-SHA256 under
/// <see cref="OidcOptions.SubjectKey"/> of the sector and the MyKey ID. Relying parties of different
/// sectors get unrelated values for one person and cannot recover the MyKey ID from them.
/// </summary>
public sealed class PairwiseSubjects(OidcOptions options)
{
    public string For(OidcClient client, string myKeyId)
    {
        ArgumentNullException.ThrowIfNull(client);
        var input = Encoding.UTF8.GetBytes(client.SectorIdentifier + "\n" + myKeyId);
        return Base64Url.EncodeToString(HMACSHA256.HashData(options.SubjectKey, input));
    }
}
