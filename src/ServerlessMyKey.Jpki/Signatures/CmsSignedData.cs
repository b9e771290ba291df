using System.Formats.Asn1;
using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// What <see cref="JpkiCmsVerifier"/> reads of a CMS ContentInfo of SignedData (RFC 5652 §3, §5), decoded
/// with <see cref="AsnReader"/> in one pass and nothing more: the encapsulated content, the certificate
/// set (encodings only), and each SignerInfo's fields. Read with BER rules like any CMS consumer (some
/// signers send indefinite lengths or a constructed eContent); the signed attributes are kept as sent,
/// since the signature is over exactly those octets.
/// </summary>
/// <remarks>Anything that is not that structure throws <see cref="AsnContentException"/>; callers map it to <c>signature_malformed</c>.</remarks>
internal sealed class CmsSignedData
{
    private const string SignedDataType = "1.2.840.113549.1.7.2";
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context0Primitive = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);

    private CmsSignedData()
    {
    }

    /// <summary>eContentType of the EncapsulatedContentInfo.</summary>
    public string ContentType { get; private set; } = "";

    /// <summary>eContent (the octets of the OCTET STRING), or null when the signature is detached.</summary>
    public byte[]? Content { get; private set; }

    /// <summary>The encodings of the CertificateChoices that are plain X.509 certificates (RFC 5652 §10.2.1).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; private set; } = [];

    public IReadOnlyList<CmsSignerInfo> Signers { get; private set; } = [];

    /// <summary>Decodes a ContentInfo of type signedData; throws <see cref="AsnContentException"/> for anything else.</summary>
    public static CmsSignedData Decode(ReadOnlyMemory<byte> encoded)
    {
        var decoded = new CmsSignedData();

        // §3 ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY DEFINED BY contentType }
        var outer = new AsnReader(encoded, AsnEncodingRules.BER);
        var contentInfo = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (contentInfo.ReadObjectIdentifier() != SignedDataType)
        {
            throw new AsnContentException("Not a SignedData.");
        }

        var explicitContent = contentInfo.ReadSequence(Context0);
        contentInfo.ThrowIfNotEmpty();
        var signedData = explicitContent.ReadSequence();
        explicitContent.ThrowIfNotEmpty();

        // §5.1 SignedData ::= SEQUENCE { version, digestAlgorithms SET OF, encapContentInfo, certificates [0] IMPLICIT OPTIONAL,
        //                                crls [1] IMPLICIT OPTIONAL, signerInfos SET OF SignerInfo }
        signedData.ReadIntegerBytes();
        signedData.ReadSetOf(skipSortOrderValidation: true);
        decoded.ReadEncapsulatedContent(signedData.ReadSequence());
        if (DerReaders.NextIs(signedData, Context0))
        {
            decoded.Certificates = ReadCertificates(signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context0));
        }

        if (DerReaders.NextIs(signedData, Context1))
        {
            signedData.ReadEncodedValue(); // crls: never read (revocation comes from the configured sources)
        }

        var signerInfos = signedData.ReadSetOf(skipSortOrderValidation: true);
        signedData.ThrowIfNotEmpty();
        var signers = new List<CmsSignerInfo>(1);
        while (signerInfos.HasData)
        {
            signers.Add(CmsSignerInfo.Read(signerInfos.ReadSequence()));
        }

        decoded.Signers = signers;
        return decoded;
    }

    // §5.2 EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    private void ReadEncapsulatedContent(AsnReader encapsulated)
    {
        ContentType = encapsulated.ReadObjectIdentifier();
        if (encapsulated.HasData)
        {
            var explicitContent = encapsulated.ReadSequence(Context0);
            Content = explicitContent.ReadOctetString();
            explicitContent.ThrowIfNotEmpty();
        }

        encapsulated.ThrowIfNotEmpty();
    }

    // §10.2.1 CertificateChoices ::= CHOICE { certificate Certificate, extendedCertificate [0], v1AttrCert [1], v2AttrCert [2], other [3] }
    private static ReadOnlyMemory<byte>[] ReadCertificates(AsnReader set)
    {
        var certificates = new List<ReadOnlyMemory<byte>>(1);
        while (set.HasData)
        {
            var isCertificate = set.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence);
            var choice = set.ReadEncodedValue();
            if (isCertificate)
            {
                certificates.Add(choice);
            }
        }

        return [.. certificates];
    }
}

/// <summary>One SignerInfo (RFC 5652 §5.3), as encoded.</summary>
internal sealed class CmsSignerInfo
{
    private static readonly Asn1Tag SignedAttributesTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag SubjectKeyIdentifierTag = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag UnsignedAttributesTag = new(TagClass.ContextSpecific, 1, isConstructed: true);

    private CmsSignerInfo()
    {
    }

    /// <summary>sid as issuerAndSerialNumber: the issuer Name's encoding (empty when sid is a subjectKeyIdentifier).</summary>
    public ReadOnlyMemory<byte> Issuer { get; private set; }

    /// <summary>sid as issuerAndSerialNumber: the serial number's INTEGER contents without leading zero octets.</summary>
    public ReadOnlyMemory<byte> SerialNumber { get; private set; }

    /// <summary>sid as subjectKeyIdentifier (empty when sid is an issuerAndSerialNumber).</summary>
    public ReadOnlyMemory<byte> SubjectKeyIdentifier { get; private set; }

    public string DigestAlgorithm { get; private set; } = "";

    /// <summary>The signedAttrs element as sent ([0] IMPLICIT SET OF Attribute), empty when absent.</summary>
    public ReadOnlyMemory<byte> SignedAttributes { get; private set; }

    public string SignatureAlgorithm { get; private set; } = "";

    public ReadOnlyMemory<byte> Signature { get; private set; }

    // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm,
    //                           signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
    public static CmsSignerInfo Read(AsnReader signerInfo)
    {
        var read = new CmsSignerInfo();
        signerInfo.ReadIntegerBytes();

        // SignerIdentifier ::= CHOICE { issuerAndSerialNumber SEQUENCE { issuer Name, serialNumber }, subjectKeyIdentifier [0] }
        if (DerReaders.NextIs(signerInfo, SubjectKeyIdentifierTag))
        {
            read.SubjectKeyIdentifier = signerInfo.ReadOctetString(SubjectKeyIdentifierTag);
        }
        else
        {
            var issuerAndSerial = signerInfo.ReadSequence();
            read.Issuer = issuerAndSerial.ReadEncodedValue();
            var serial = issuerAndSerial.ReadIntegerBytes();
            read.SerialNumber = serial[(serial.Length - DerReaders.StripLeadingZeros(serial.Span).Length)..];
            issuerAndSerial.ThrowIfNotEmpty();
        }

        read.DigestAlgorithm = DerReaders.ReadAlgorithmIdentifier(signerInfo);
        if (DerReaders.NextIs(signerInfo, SignedAttributesTag))
        {
            read.SignedAttributes = signerInfo.ReadEncodedValue();
        }

        read.SignatureAlgorithm = DerReaders.ReadAlgorithmIdentifier(signerInfo);
        read.Signature = signerInfo.TryReadPrimitiveOctetString(out var signature) ? signature : signerInfo.ReadOctetString();
        if (DerReaders.NextIs(signerInfo, UnsignedAttributesTag))
        {
            signerInfo.ReadEncodedValue();
        }

        signerInfo.ThrowIfNotEmpty();
        return read;
    }

    /// <summary>
    /// The signed attributes (RFC 5652 §5.3 Attribute ::= SEQUENCE { attrType, attrValues SET OF }) as (type, encoded
    /// values); throws <see cref="AsnContentException"/> when they are not well-formed.
    /// </summary>
    public List<(string Type, List<ReadOnlyMemory<byte>> Values)> ReadSignedAttributes()
    {
        var attributes = new List<(string, List<ReadOnlyMemory<byte>>)>(4);
        var reader = new AsnReader(SignedAttributes, AsnEncodingRules.BER);
        var set = reader.ReadSetOf(skipSortOrderValidation: true, expectedTag: SignedAttributesTag);
        reader.ThrowIfNotEmpty();
        while (set.HasData)
        {
            var attribute = set.ReadSequence();
            var type = attribute.ReadObjectIdentifier();
            var valueSet = attribute.ReadSetOf(skipSortOrderValidation: true);
            attribute.ThrowIfNotEmpty();
            var values = new List<ReadOnlyMemory<byte>>(1);
            while (valueSet.HasData)
            {
                values.Add(valueSet.ReadEncodedValue());
            }

            attributes.Add((type, values));
        }

        return attributes;
    }
}
