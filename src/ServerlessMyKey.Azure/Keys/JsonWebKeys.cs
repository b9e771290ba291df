using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>The algorithms of the service keys (RFC 7518 names, as Key Vault spells them).</summary>
internal static class KeyAlgorithms
{
    /// <summary>ECDSA P-256 with SHA-256; signature r‖s, 64 bytes (RFC 7518 §3.4).</summary>
    public const string Es256 = "ES256";

    /// <summary>RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 7518 §4.3).</summary>
    public const string RsaOaep256 = "RSA-OAEP-256";

    public const int Es256SignatureLength = 64;
}

/// <summary>Public JWKs of the service keys, their RFC 7638 thumbprints, and ES256 verification with a public key.</summary>
internal static class JsonWebKeys
{
    public static PublicJsonWebKey FromEc(string kid, ECParameters publicKey) =>
        new(kid, "EC", Crv: "P-256", X: Base64Url.EncodeToString(publicKey.Q.X), Y: Base64Url.EncodeToString(publicKey.Q.Y))
        {
            Use = "sig",
            Alg = KeyAlgorithms.Es256,
        };

    public static PublicJsonWebKey FromRsa(string kid, RSAParameters publicKey) =>
        new(kid, "RSA", N: Base64Url.EncodeToString(publicKey.Modulus), E: Base64Url.EncodeToString(publicKey.Exponent))
        {
            Use = "enc",
            Alg = KeyAlgorithms.RsaOaep256,
        };

    /// <summary>
    /// RFC 7638 §3 thumbprint: SHA-256 over the required members in lexicographic order, no
    /// whitespace; base64url. The values are base64url text, so no JSON escaping is needed.
    /// </summary>
    public static string Thumbprint(PublicJsonWebKey jwk)
    {
        var canonical = jwk.Kty switch
        {
            "EC" => $$"""{"crv":"{{jwk.Crv}}","kty":"EC","x":"{{jwk.X}}","y":"{{jwk.Y}}"}""",
            "RSA" => $$"""{"e":"{{jwk.E}}","kty":"RSA","n":"{{jwk.N}}"}""",
            _ => throw new ArgumentException($"Unsupported key type '{jwk.Kty}'.", nameof(jwk)),
        };
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// ES256 verification with a P-256 public key; a signature of the wrong length is simply invalid. The
    /// imported key is kept (<see cref="Es256Verifiers"/>): importing a public key validates the point, which
    /// cost about as much as the verification itself on every access token checked (bench/README.md, "HTTP load").
    /// </summary>
    public static bool VerifyEs256(ECParameters publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == KeyAlgorithms.Es256SignatureLength && Es256Verifiers.Verify(publicKey, data, signature);
}
