using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>PKCE (RFC 7636) with the <c>S256</c> method only.</summary>
public static partial class Pkce
{
    /// <summary>RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.</summary>
    public static bool IsChallenge(string? challenge) => challenge is not null && ChallengeFormat().IsMatch(challenge);

    /// <summary>RFC 7636 §4.6: the verifier (43–128 unreserved characters) hashes to the stored challenge; compared in constant time.</summary>
    public static bool Matches(string? verifier, string challenge)
    {
        if (verifier is null || !VerifierFormat().IsMatch(verifier))
        {
            return false;
        }

        var computed = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(challenge));
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{43}\z")]
    private static partial Regex ChallengeFormat();

    [GeneratedRegex(@"^[A-Za-z0-9._~-]{43,128}\z")]
    private static partial Regex VerifierFormat();
}
