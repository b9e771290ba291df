using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Testing.Hpki;

/// <summary>
/// An HPKI-shaped CA built in memory for tests (never a real HPKI certificate): a self-signed CA, signing
/// certificates of health professionals with hcRole (ISO/TS 17090-2 HCActorData) and the date of birth in
/// subjectDirectoryAttributes and the name in the subject commonName — the shape docs/medical.md describes
/// and <c>Medical:Hpki:*</c> defaults to — and CRLs.
/// </summary>
public sealed class HpkiTestCa : IDisposable
{
    public const string HcRoleAttribute = "1.0.17090.0.1";
    public const string RoleCodingScheme = "1.2.392.100495.1.6.1.1";
    public const string DateOfBirthAttribute = "1.3.6.1.5.5.7.9.1";

    // Leaf keys are shared (per size): certificates differ by serial and content, and generating an RSA key
    // per certificate is most of a test's time on a busy machine.
    private static readonly Dictionary<int, RSA> LeafKeys = [];

    private readonly RSA _key = RSA.Create(2048);

    public HpkiTestCa(string name = "HPKI Signing CA (TEST ONLY)", DateTimeOffset? notBefore = null)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        subject.AddOrganizationName("HPKI TEST");
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddYears(-1);
        Certificate = request.CreateSelfSigned(from, from.AddYears(10));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Issues a health professional's signing certificate; every parameter has a valid default, so a test changes one.</summary>
    public HpkiSigner Issue(HpkiLeaf? leaf = null)
    {
        leaf ??= new HpkiLeaf();
        RSA key;
        lock (LeafKeys)
        {
            if (!LeafKeys.TryGetValue(leaf.KeySizeBits, out key!))
            {
                LeafKeys[leaf.KeySizeBits] = key = RSA.Create(leaf.KeySizeBits);
            }
        }

        var subject = new X500DistinguishedNameBuilder();
        if (leaf.Name is not null)
        {
            subject.AddCommonName(leaf.Name);
        }

        subject.AddOrganizationName("テスト病院");
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(leaf.KeyUsage, true));
        if (leaf.IsCa)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var caKeyId = Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caKeyId.Span));
        if (leaf.Policy is not null)
        {
            request.CertificateExtensions.Add(Policies(leaf.Policy));
        }

        if (DirectoryAttributes(leaf) is { } attributes)
        {
            request.CertificateExtensions.Add(attributes);
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var notBefore = leaf.NotBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var issued = request.Create(Certificate, notBefore, leaf.NotAfter ?? notBefore.AddYears(2), serial);
        return new HpkiSigner(issued, key);
    }

    /// <summary>A CRL valid for a week listing <paramref name="revoked"/>.</summary>
    public byte[] Crl(params HpkiSigner[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var signer in revoked)
        {
            builder.AddEntry(signer.Certificate, DateTimeOffset.UtcNow.AddHours(-1), X509RevocationReason.KeyCompromise);
        }

        var now = DateTimeOffset.UtcNow;
        return builder.Build(Certificate, new BigInteger(now.ToUnixTimeMilliseconds()), now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-5));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    // RFC 5280 §4.2.1.8 SubjectDirectoryAttributes ::= SEQUENCE SIZE (1..MAX) OF Attribute
    private static X509Extension? DirectoryAttributes(HpkiLeaf leaf)
    {
        if (leaf.HcRole is null && leaf.DateOfBirth is null)
        {
            return null;
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (leaf.HcRole is not null)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(leaf.HcRoleAttribute);
                    using (writer.PushSetOf())
                    using (writer.PushSetOf()) // HCActorData ::= SET OF HCActor
                    using (writer.PushSequence()) // HCActor
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0))) // codedData [0] (implicit)
                    {
                        writer.WriteObjectIdentifier(leaf.RoleCodingScheme);
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, leaf.HcRole);
                    }
                }
            }

            if (leaf.DateOfBirth is { } birth)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(DateOfBirthAttribute);
                    using (writer.PushSetOf())
                    {
                        writer.WriteGeneralizedTime(new DateTimeOffset(birth.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
                    }
                }
            }
        }

        return new X509Extension("2.5.29.9", writer.Encode(), critical: false);
    }

    private static X509Extension Policies(string policy)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(policy);
        }

        return new X509Extension("2.5.29.32", writer.Encode(), critical: false);
    }
}

/// <summary>What an HPKI test certificate carries; the defaults make a valid doctor's certificate.</summary>
public sealed record HpkiLeaf
{
    public string? Name { get; init; } = "佐藤　健一";

    public DateOnly? DateOfBirth { get; init; } = new DateOnly(1975, 5, 20);

    public string? HcRole { get; init; } = "Medical Doctor";

    public string HcRoleAttribute { get; init; } = HpkiTestCa.HcRoleAttribute;

    public string RoleCodingScheme { get; init; } = HpkiTestCa.RoleCodingScheme;

    public X509KeyUsageFlags KeyUsage { get; init; } = X509KeyUsageFlags.NonRepudiation;

    public int KeySizeBits { get; init; } = 2048;

    public bool IsCa { get; init; }

    public string? Policy { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }
}

/// <summary>An HPKI certificate and its key (an HPKI card signs like this).</summary>
public sealed record HpkiSigner(X509Certificate2 Certificate, RSA Key)
{
    public byte[] Sign(byte[] data) => Key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>A detached CMS SignedData over <paramref name="content"/> (SHA-256, signed attributes with signingTime).</summary>
    public byte[] SignCms(byte[] content)
    {
        var cms = new System.Security.Cryptography.Pkcs.SignedCms(new System.Security.Cryptography.Pkcs.ContentInfo(content), detached: true);
        using var withKey = Certificate.CopyWithPrivateKey(Key);
        var signer = new System.Security.Cryptography.Pkcs.CmsSigner(withKey) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") };
        signer.SignedAttributes.Add(new System.Security.Cryptography.Pkcs.Pkcs9SigningTime(DateTime.UtcNow));
        cms.ComputeSignature(signer);
        return cms.Encode();
    }
}
