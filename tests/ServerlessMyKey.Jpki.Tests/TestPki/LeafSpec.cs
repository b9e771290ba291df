using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>
/// What a card certificate of the development PKI looks like. The defaults are a valid JPKI
/// certificate; a test changes one property with <c>with</c>.
/// </summary>
internal sealed record LeafSpec
{
    public required JpkiCertificateKind Kind { get; init; }

    public required TestRoot Issuer { get; init; }

    public AsymmetricAlgorithm Key { get; init; } = TestKeys.Card;

    /// <summary>Overrides <see cref="Key"/> with a raw public key (exponents the platform will not generate).</summary>
    public PublicKey? PublicKey { get; init; }

    public X500DistinguishedName? Subject { get; init; }

    public byte[] Serial { get; init; } = DevelopmentPki.NewSerial();

    public DateTimeOffset NotBefore { get; init; } = DevelopmentPki.Now.AddDays(-30);

    public DateTimeOffset NotAfter { get; init; } = DevelopmentPki.Now.AddYears(5);

    public IReadOnlyList<string> Policies { get; init; } = [];

    public X509KeyUsageFlags? KeyUsage { get; init; }

    public bool KeyUsageCritical { get; init; } = true;

    /// <summary>Null: no basicConstraints extension (as on JPKI end-entity certificates).</summary>
    public bool? BasicConstraintsCa { get; init; }

    public byte[]? AuthorityKeyIdentifier { get; init; }

    public bool OmitAuthorityKeyIdentifier { get; init; }

    /// <summary>Signs with this key instead of the issuer's.</summary>
    public RSA? SigningKey { get; init; }

    public X500DistinguishedName? IssuerName { get; init; }

    public HashAlgorithmName Hash { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>The directory name in cRLDistributionPoints; null: the issuer's name (as JPKI does).</summary>
    public X500DistinguishedName? DistributionPoint { get; init; }

    public IReadOnlyList<X509Extension> ExtraExtensions { get; init; } = [];

    public static LeafSpec Authentication(TestRoot? issuer = null) => new()
    {
        Kind = JpkiCertificateKind.Authentication,
        Issuer = issuer ?? DevelopmentPki.AuthenticationRoot,
        Policies = [DevelopmentPki.AuthenticationPolicy],
        KeyUsage = X509KeyUsageFlags.DigitalSignature,
    };

    public static LeafSpec Signing(TestRoot? issuer = null) => new()
    {
        Kind = JpkiCertificateKind.Signing,
        Issuer = issuer ?? DevelopmentPki.SigningRoot,
        Policies = [DevelopmentPki.SigningPolicy],
        KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
    };

    public static LeafSpec For(JpkiCertificateKind kind) => kind == JpkiCertificateKind.Authentication ? Authentication() : Signing();
}
