using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Signatures;

namespace ServerlessMyKey.Jpki.Certificates;

/// <summary>
/// A parsed X.509 v3 certificate (RFC 5280 §4.1), holding what JPKI verification reads. Parsing
/// checks structure only; whether the certificate is trustworthy is <c>JpkiCertificateVerifier</c>'s job.
/// </summary>
/// <remarks>
/// Deliberately exposes no subject name: the subject of a signing certificate names the holder's
/// prefecture and city. The 基本4情報 (basic four items) of a signing certificate are in
/// <see cref="SubjectAlternativeName"/>, parsed by the signature feature.
/// </remarks>
public sealed class JpkiCertificate
{
    private static readonly HashSet<string> RecognizedExtensions =
    [
        Oids.SubjectKeyIdentifier, Oids.AuthorityKeyIdentifier, Oids.KeyUsage, Oids.BasicConstraints,
        Oids.CertificatePolicies, Oids.SubjectAltName, Oids.IssuerAltName, Oids.CrlDistributionPoints,
        Oids.AuthorityInfoAccess,
    ];

    private readonly byte[] _der;
    private string? _fingerprint;
    private byte[]? _tbsSha256;

    private JpkiCertificate(byte[] der) => _der = der;

    /// <summary>The certificate as given (DER).</summary>
    public ReadOnlyMemory<byte> RawData => _der;

    /// <summary>SHA-256 of the DER encoding, lower-case hex.</summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexStringLower(SHA256.HashData(_der));

    /// <summary>The serial number as a positive big-endian integer without sign octet.</summary>
    public ReadOnlyMemory<byte> SerialNumberBytes { get; private set; }

    /// <summary>The serial number, upper-case hex without leading zero octets (e.g. <c>0132C4AB</c> → <c>0132C4AB</c>).</summary>
    public string SerialNumber => Convert.ToHexString(SerialNumberBytes.Span);

    public DateTimeOffset NotBefore { get; private set; }

    public DateTimeOffset NotAfter { get; private set; }

    /// <summary>Policy identifiers of the certificatePolicies extension (RFC 5280 §4.2.1.4).</summary>
    public IReadOnlyList<string> PolicyOids { get; private set; } = [];

    /// <summary>The keyUsage bits (RFC 5280 §4.2.1.3), or null when the extension is absent.</summary>
    public X509KeyUsageFlags? KeyUsage { get; private set; }

    public bool KeyUsageCritical { get; private set; }

    /// <summary>The cA flag of basicConstraints (RFC 5280 §4.2.1.9); false when the extension is absent.</summary>
    public bool IsCertificateAuthority { get; private set; }

    public bool HasBasicConstraints { get; private set; }

    /// <summary>The subjectKeyIdentifier, empty when absent.</summary>
    public ReadOnlyMemory<byte> SubjectKeyIdentifier { get; private set; }

    /// <summary>The keyIdentifier of authorityKeyIdentifier, empty when absent.</summary>
    public ReadOnlyMemory<byte> AuthorityKeyIdentifier { get; private set; }

    /// <summary>
    /// The subjectAltName extension value (GeneralNames, DER), empty when absent. Hook for parsing the
    /// otherNames 1.2.392.200149.8.5.5.1–6 (基本4情報) of signing certificates.
    /// </summary>
    public ReadOnlyMemory<byte> SubjectAlternativeName { get; private set; }

    /// <summary>OID of the subject public key algorithm.</summary>
    public string PublicKeyAlgorithm { get; private set; } = "";

    /// <summary>Bits of the RSA modulus, 0 for other key types.</summary>
    public int RsaKeySizeBits { get; private set; }

    /// <summary>OID of the algorithm the issuer signed this certificate with.</summary>
    public string SignatureAlgorithm { get; private set; } = "";

    internal int Version { get; private set; }

    internal ReadOnlyMemory<byte> TbsCertificate { get; private set; }

    /// <summary>SHA-256 of the TBSCertificate: what a sha256WithRSAEncryption signature covers, and the key of the verified-certificate cache.</summary>
    internal ReadOnlySpan<byte> TbsSha256 => _tbsSha256 ??= SHA256.HashData(TbsCertificate.Span);

    internal ReadOnlyMemory<byte> Signature { get; private set; }

    internal ReadOnlyMemory<byte> Subject { get; private set; }

    internal ReadOnlyMemory<byte> Issuer { get; private set; }

    /// <summary>The subjectPublicKey BIT STRING contents, the input of key identifier method 1 (RFC 5280 §4.2.1.2).</summary>
    internal ReadOnlyMemory<byte> SubjectPublicKey { get; private set; }

    internal ReadOnlyMemory<byte> RsaModulus { get; private set; }

    internal ReadOnlyMemory<byte> RsaExponent { get; private set; }

    internal IReadOnlyList<string> UnrecognizedCriticalExtensions { get; private set; } = [];

    /// <summary>The distributionPoint names of cRLDistributionPoints (DER contents), matched against partitioned CRLs.</summary>
    internal IReadOnlyList<ReadOnlyMemory<byte>> CrlDistributionPointNames { get; private set; } = [];

    /// <summary>
    /// Parses one DER-encoded certificate. Returns false for anything else: BER, PEM, trailing bytes,
    /// duplicate extensions, a non-positive serial number.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out JpkiCertificate? certificate)
    {
        try
        {
            certificate = Parse(der);
            return true;
        }
        catch (CryptographicException)
        {
            certificate = null;
            return false;
        }
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="CryptographicException"/> on malformed input.</summary>
    public static JpkiCertificate Parse(ReadOnlySpan<byte> der)
    {
        var certificate = new JpkiCertificate(der.ToArray());
        try
        {
            certificate.Read();
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new CryptographicException("The certificate is not a DER-encoded X.509 certificate.", e);
        }

        return certificate;
    }

    /// <param name="longLived">A key verifying many signatures for the life of the process (a pinned root).</param>
    internal RsaPublicKey CreateRsaPublicKey(bool longLived = false) => new(RsaModulus.Span, RsaExponent.Span, longLived);

    // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    private void Read()
    {
        var outer = new AsnReader(_der, AsnEncodingRules.DER);
        var certificate = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        TbsCertificate = certificate.ReadEncodedValue();
        (SignatureAlgorithm, var signatureAlgorithm) = DerReaders.ReadSignatureAlgorithm(certificate);
        Signature = ReadBitStringWithoutUnusedBits(certificate);
        certificate.ThrowIfNotEmpty();

        var tbs = new AsnReader(TbsCertificate, AsnEncodingRules.DER).ReadSequence();

        // §4.1.2.1 version [0] EXPLICIT, DEFAULT v1.
        Version = 1;
        if (DerReaders.NextIs(tbs, DerReaders.Context0))
        {
            var version = tbs.ReadSequence(DerReaders.Context0);
            if (!version.TryReadInt32(out var value) || value is < 0 or > 2)
            {
                throw new AsnContentException("Unknown certificate version.");
            }

            version.ThrowIfNotEmpty();
            Version = value + 1;
        }

        // §4.1.2.2 serialNumber, §4.1.2.3 signature (must equal signatureAlgorithm, §4.1.1.2).
        SerialNumberBytes = DerReaders.ReadPositiveInteger(tbs);
        DerReaders.ExpectSameSignatureAlgorithm(tbs, signatureAlgorithm);

        // §4.1.2.4 issuer, §4.1.2.5 validity, §4.1.2.6 subject.
        Issuer = tbs.ReadEncodedValue();
        var validity = tbs.ReadSequence();
        NotBefore = DerReaders.ReadTime(validity);
        NotAfter = DerReaders.ReadTime(validity);
        validity.ThrowIfNotEmpty();
        Subject = tbs.ReadEncodedValue();

        // §4.1.2.7 subjectPublicKeyInfo.
        ReadSubjectPublicKeyInfo(tbs.ReadSequence());

        // §4.1.2.8 issuerUniqueID [1], subjectUniqueID [2]: skipped.
        if (DerReaders.NextIs(tbs, DerReaders.Context1Primitive) || DerReaders.NextIs(tbs, DerReaders.Context1))
        {
            tbs.ReadEncodedValue();
        }

        if (DerReaders.NextIs(tbs, DerReaders.Context2Primitive) || DerReaders.NextIs(tbs, DerReaders.Context2))
        {
            tbs.ReadEncodedValue();
        }

        // §4.1.2.9 extensions [3] EXPLICIT, v3 only.
        if (DerReaders.NextIs(tbs, DerReaders.Context3))
        {
            if (Version != 3)
            {
                throw new AsnContentException("Extensions need a v3 certificate.");
            }

            var wrapper = tbs.ReadSequence(DerReaders.Context3);
            ReadExtensions(wrapper.ReadSequence());
            wrapper.ThrowIfNotEmpty();
        }

        tbs.ThrowIfNotEmpty();
    }

    private void ReadSubjectPublicKeyInfo(AsnReader spki)
    {
        PublicKeyAlgorithm = DerReaders.ReadAlgorithmIdentifier(spki);
        SubjectPublicKey = ReadBitStringWithoutUnusedBits(spki);
        spki.ThrowIfNotEmpty();
        if (PublicKeyAlgorithm != Oids.RsaEncryption)
        {
            return;
        }

        // RFC 8017 §A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        var keyReader = new AsnReader(SubjectPublicKey, AsnEncodingRules.DER);
        var key = keyReader.ReadSequence();
        keyReader.ThrowIfNotEmpty();
        var modulus = DerReaders.ReadPositiveInteger(key);
        var exponent = DerReaders.ReadPositiveInteger(key);
        key.ThrowIfNotEmpty();
        RsaModulus = modulus;
        RsaExponent = exponent;
        RsaKeySizeBits = (modulus.Length * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]) + 24;
    }

    private void ReadExtensions(AsnReader extensions)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unrecognizedCritical = new List<string>();
        while (extensions.HasData)
        {
            var (oid, critical, value) = DerReaders.ReadExtension(extensions);

            // §4.2: a certificate MUST NOT include more than one instance of an extension.
            if (!seen.Add(oid))
            {
                throw new AsnContentException("Duplicate extension.");
            }

            if (critical && !RecognizedExtensions.Contains(oid))
            {
                unrecognizedCritical.Add(oid);
            }

            ReadExtension(oid, critical, value);
        }

        UnrecognizedCriticalExtensions = unrecognizedCritical;
    }

    // Extension values are read with BER rules: some issuers encode named bit lists with trailing
    // zero bits, which strict DER rejects though the meaning is unambiguous.
    private void ReadExtension(string oid, bool critical, byte[] value)
    {
        switch (oid)
        {
            case Oids.KeyUsage:
                KeyUsage = ReadKeyUsage(value);
                KeyUsageCritical = critical;
                break;
            case Oids.BasicConstraints:
                HasBasicConstraints = true;
                IsCertificateAuthority = ReadBasicConstraintsCa(value);
                break;
            case Oids.CertificatePolicies:
                PolicyOids = ReadPolicies(value);
                break;
            case Oids.SubjectKeyIdentifier:
                var ski = new AsnReader(value, AsnEncodingRules.BER);
                SubjectKeyIdentifier = ski.ReadOctetString();
                ski.ThrowIfNotEmpty();
                break;
            case Oids.AuthorityKeyIdentifier:
                AuthorityKeyIdentifier = DerReaders.ReadAuthorityKeyIdentifier(value) ?? [];
                break;
            case Oids.SubjectAltName:
                SubjectAlternativeName = value;
                break;
            case Oids.CrlDistributionPoints:
                CrlDistributionPointNames = ReadDistributionPointNames(value);
                break;
        }
    }

    // §4.2.1.3 KeyUsage ::= BIT STRING; bit 0 (digitalSignature) is the top bit of the first octet,
    // which is how X509KeyUsageFlags numbers them too.
    private static X509KeyUsageFlags ReadKeyUsage(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.BER);
        var bits = reader.ReadBitString(out _);
        reader.ThrowIfNotEmpty();
        var flags = 0;
        if (bits.Length > 0)
        {
            flags |= bits[0];
        }

        if (bits.Length > 1)
        {
            flags |= (bits[1] & 0x80) << 8;
        }

        return (X509KeyUsageFlags)flags;
    }

    // §4.2.1.9 BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
    private static bool ReadBasicConstraintsCa(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.BER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var ca = DerReaders.NextIs(sequence, Asn1Tag.Boolean) && sequence.ReadBoolean();
        if (sequence.HasData)
        {
            sequence.ReadIntegerBytes();
        }

        sequence.ThrowIfNotEmpty();
        return ca;
    }

    // §4.2.1.4 certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
    private static string[] ReadPolicies(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.BER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var policies = new List<string>();
        while (sequence.HasData)
        {
            var information = sequence.ReadSequence();
            policies.Add(information.ReadObjectIdentifier());

            // policyQualifiers (the CPS pointer of signing certificates) carry nothing to verify.
            if (information.HasData)
            {
                information.ReadSequence();
            }

            information.ThrowIfNotEmpty();
        }

        return [.. policies];
    }

    // §4.2.1.13 CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0], reasons [1], cRLIssuer [2] }
    private static ReadOnlyMemory<byte>[] ReadDistributionPointNames(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.BER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var names = new List<ReadOnlyMemory<byte>>();
        while (sequence.HasData)
        {
            var point = sequence.ReadSequence();
            if (DerReaders.NextIs(point, DerReaders.Context0))
            {
                names.Add(DerReaders.Contents(point.ReadEncodedValue()));
            }

            while (point.HasData)
            {
                point.ReadEncodedValue();
            }
        }

        return [.. names];
    }

    private static byte[] ReadBitStringWithoutUnusedBits(AsnReader reader)
    {
        var bits = reader.ReadBitString(out var unusedBits);
        if (unusedBits != 0)
        {
            throw new AsnContentException("Expected a whole number of octets.");
        }

        return bits;
    }
}
