using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>
/// A development PKI shaped like JPKI: one self-signed root per purpose, whose DNs say they are for
/// development, issuing leaves with the JPKI end-entity profile, and CRLs.
/// </summary>
internal static class DevelopmentPki
{
    /// <summary>The clock every test starts from.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public const string AuthenticationPolicy = "1.2.392.200149.8.5.1.3.30";
    public const string SigningPolicy = "1.2.392.200149.8.5.1.1.20";
    public const string TestSigningPolicy = "1.2.392.200149.8.5.1.0.20";

    private static readonly Lazy<TestRoot> AuthenticationRootValue = new(() =>
        TestRoot.Create(JpkiCertificateKind.Authentication, TestKeys.AuthenticationRoot, DevelopmentName(JpkiCertificateKind.Authentication), Now.AddYears(-1), Now.AddYears(10)));

    private static readonly Lazy<TestRoot> SigningRootValue = new(() =>
        TestRoot.Create(JpkiCertificateKind.Signing, TestKeys.SigningRoot, DevelopmentName(JpkiCertificateKind.Signing), Now.AddYears(-1), Now.AddYears(10)));

    private static int _serial = 0x10_0000;

    public static TestRoot AuthenticationRoot => AuthenticationRootValue.Value;

    public static TestRoot SigningRoot => SigningRootValue.Value;

    public static TestRoot Root(JpkiCertificateKind kind) => kind == JpkiCertificateKind.Authentication ? AuthenticationRoot : SigningRoot;

    /// <summary>JPKI's root DN layout, with an organization and unit that say "development".</summary>
    public static X500DistinguishedName DevelopmentName(JpkiCertificateKind kind, string organization = "JPKI-DEV")
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("JP");
        name.AddOrganizationName(organization);
        name.AddOrganizationalUnitName(kind == JpkiCertificateKind.Authentication ? "JPKI for user authentication" : "JPKI for digital signature");
        name.AddOrganizationalUnitName("ServerlessMyKey development CA - not for production");
        return name.Build();
    }

    /// <summary>A fresh serial number, unique within the test run, positive.</summary>
    public static byte[] NewSerial()
    {
        var value = Interlocked.Increment(ref _serial);
        return [0x4A, (byte)(value >> 16), (byte)(value >> 8), (byte)value];
    }

    public static byte[] Issue(LeafSpec spec)
    {
        var request = new CertificateRequest(spec.Subject ?? LeafSubject(spec.Kind), spec.PublicKey ?? PublicKey(spec.Key), spec.Hash, RSASignaturePadding.Pkcs1);
        var extensions = request.CertificateExtensions;
        if (spec.KeyUsage is { } usage)
        {
            extensions.Add(new X509KeyUsageExtension(usage, spec.KeyUsageCritical));
        }

        if (spec.Policies.Count > 0)
        {
            extensions.Add(new X509Extension("2.5.29.32", CertificatePolicies(spec.Policies, withCps: spec.Kind == JpkiCertificateKind.Signing), spec.Kind == JpkiCertificateKind.Signing));
        }

        if (spec.BasicConstraintsCa is { } ca)
        {
            extensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        }

        extensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (!spec.OmitAuthorityKeyIdentifier)
        {
            extensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(spec.AuthorityKeyIdentifier ?? spec.Issuer.KeyIdentifier));
        }

        extensions.Add(new X509Extension("2.5.29.31", DirectoryNameDistributionPoint(spec.DistributionPoint ?? spec.Issuer.Name), false));
        if (spec.Kind == JpkiCertificateKind.Signing)
        {
            extensions.Add(new X509Extension("2.5.29.17", BasicFourItems(), false));
        }

        foreach (var extension in spec.ExtraExtensions)
        {
            extensions.Add(extension);
        }

        var signingKey = spec.SigningKey ?? spec.Issuer.Key;
        var generator = spec.Hash == HashAlgorithmName.SHA1
            ? new Sha1WithRsaGenerator(signingKey)
            : X509SignatureGenerator.CreateForRSA(signingKey, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(spec.IssuerName ?? spec.Issuer.Name, generator, spec.NotBefore, spec.NotAfter, spec.Serial);
        return certificate.RawData;
    }

    /// <summary>A CRL of <paramref name="issuer"/>, signed by its key unless <paramref name="signingKey"/> says otherwise.</summary>
    public static byte[] Crl(
        TestRoot issuer,
        DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate,
        IEnumerable<(byte[] Serial, X509RevocationReason? Reason)>? revoked = null,
        RSA? signingKey = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var (serial, reason) in revoked ?? [])
        {
            builder.AddEntry(serial, thisUpdate.AddHours(-1), reason);
        }

        var number = new BigInteger(thisUpdate.ToUnixTimeSeconds());
        return signingKey is null
            ? builder.Build(issuer.Certificate, number, nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate)
            : builder.Build(
                issuer.Name,
                X509SignatureGenerator.CreateForRSA(signingKey, RSASignaturePadding.Pkcs1),
                number,
                nextUpdate,
                HashAlgorithmName.SHA256,
                X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.KeyIdentifier),
                thisUpdate);
    }

    /// <summary>
    /// A delegated OCSP responder certificate (RFC 6960 §4.2.2.2) for <paramref name="key"/>, issued by
    /// <paramref name="issuer"/> (or self-signed with <paramref name="selfSigned"/>), with id-kp-OCSPSigning unless told otherwise.
    /// </summary>
    public static byte[] OcspResponder(
        TestRoot issuer,
        RSA key,
        bool ocspSigning = true,
        bool selfSigned = false,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("JP");
        subject.AddOrganizationName("JPKI-DEV");
        subject.AddCommonName("ServerlessMyKey development OCSP responder");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid(ocspSigning ? "1.3.6.1.5.5.7.3.9" : "1.3.6.1.5.5.7.3.2") };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var from = notBefore ?? Now.AddDays(-30);
        var to = notAfter ?? Now.AddDays(90);
        if (selfSigned)
        {
            using var own = request.CreateSelfSigned(from, to);
            return own.RawData;
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.KeyIdentifier));
        using var certificate = request.Create(issuer.Name, X509SignatureGenerator.CreateForRSA(issuer.Key, RSASignaturePadding.Pkcs1), from, to, NewSerial());
        return certificate.RawData;
    }

    /// <summary>An RSA public key with any exponent (the platform will not generate e = 3).</summary>
    public static PublicKey RsaPublicKey(byte[] modulus, byte[] exponent)
    {
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            key.WriteIntegerUnsigned(modulus);
            key.WriteIntegerUnsigned(exponent);
        }

        var spki = new AsnWriter(AsnEncodingRules.DER);
        using (spki.PushSequence())
        {
            using (spki.PushSequence())
            {
                spki.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                spki.WriteNull();
            }

            spki.WriteBitString(key.Encode());
        }

        return System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(spki.Encode(), out _);
    }

    private static PublicKey PublicKey(AsymmetricAlgorithm key) =>
        System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);

    // JPKI.md: authentication subjects are C=JP, CN=<opaque id>; signing subjects add the prefecture and city.
    private static X500DistinguishedName LeafSubject(JpkiCertificateKind kind)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("JP");
        if (kind == JpkiCertificateKind.Signing)
        {
            name.AddLocalityName("東京都");
            name.AddLocalityName("千代田区");
        }

        name.AddCommonName(Convert.ToHexString(RandomNumberGenerator.GetBytes(12)));
        return name.Build();
    }

    private static byte[] CertificatePolicies(IEnumerable<string> policies, bool withCps)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var policy in policies)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(policy);
                    if (withCps)
                    {
                        using (writer.PushSequence())
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier("1.3.6.1.5.5.7.2.1");
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, "https://example.invalid/development-cps");
                        }
                    }
                }
            }
        }

        return writer.Encode();
    }

    // JPKI's CRL distribution point is the root's directory name, not a URL.
    private static byte[] DirectoryNameDistributionPoint(X500DistinguishedName root)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
        {
            writer.WriteEncodedValue(root.RawData);
        }

        return writer.Encode();
    }

    // The 基本4情報 of a fictional holder as JPKI's otherNames (JPKI.md, "Personal data in the signing certificate").
    private static byte[] BasicFourItems()
    {
        (string Oid, string Value)[] items =
        [
            ("1.2.392.200149.8.5.5.1", "開発　花子"),
            ("1.2.392.200149.8.5.5.2", "00000"),
            ("1.2.392.200149.8.5.5.3", "2"),
            ("1.2.392.200149.8.5.5.4", "419900101"),
            ("1.2.392.200149.8.5.5.5", "東京都千代田区開発一丁目1番1号"),
            ("1.2.392.200149.8.5.5.6", "000000000000000"),
        ];
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in items)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    writer.WriteObjectIdentifier(oid);
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    {
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                    }
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>sha1WithRSAEncryption, which the platform no longer signs certificates with.</summary>
    private sealed class Sha1WithRsaGenerator(RSA key) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.5");
                writer.WriteNull();
            }

            return writer.Encode();
        }

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
            key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => throw new NotSupportedException("Only issues certificates for other keys.");
    }
}
