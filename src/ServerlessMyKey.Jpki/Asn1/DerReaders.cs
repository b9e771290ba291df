using System.Formats.Asn1;

namespace ServerlessMyKey.Jpki.Asn1;

/// <summary>Small helpers over <see cref="AsnReader"/> for the structures RFC 5280 shares between certificates and CRLs.</summary>
internal static class DerReaders
{
    public static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    public static readonly Asn1Tag Context0Primitive = new(TagClass.ContextSpecific, 0);
    public static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    public static readonly Asn1Tag Context1Primitive = new(TagClass.ContextSpecific, 1);
    public static readonly Asn1Tag Context2Primitive = new(TagClass.ContextSpecific, 2);
    public static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);
    public static readonly Asn1Tag Context3 = new(TagClass.ContextSpecific, 3, isConstructed: true);

    /// <summary>RFC 5280 §4.1.1.2 AlgorithmIdentifier: the algorithm OID (parameters are not used by RSA PKCS#1 v1.5).</summary>
    public static string ReadAlgorithmIdentifier(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var oid = sequence.ReadObjectIdentifier();
        if (sequence.HasData)
        {
            sequence.ReadEncodedValue();
        }

        sequence.ThrowIfNotEmpty();
        return oid;
    }

    /// <summary>RFC 5280 §4.1.2.5 Time: UTCTime (years 1950–2049) or GeneralizedTime.</summary>
    public static DateTimeOffset ReadTime(AsnReader reader)
    {
        var tag = reader.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
        {
            return reader.ReadUtcTime(twoDigitYearMax: 2049);
        }

        if (tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime))
        {
            return reader.ReadGeneralizedTime();
        }

        throw new AsnContentException("Expected UTCTime or GeneralizedTime.");
    }

    /// <summary>The contents octets of one encoded element (its value without tag and length).</summary>
    public static ReadOnlyMemory<byte> Contents(ReadOnlyMemory<byte> encoded)
    {
        AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out var offset, out var length, out _);
        return encoded.Slice(offset, length);
    }

    public static bool NextIs(AsnReader reader, Asn1Tag tag) => reader.HasData && reader.PeekTag().HasSameClassAndValue(tag);

    /// <summary>
    /// An INTEGER that must be positive (RFC 5280 §4.1.2.2 serial numbers), returned without the sign octet
    /// so that equal numbers have equal bytes.
    /// </summary>
    public static byte[] ReadPositiveInteger(AsnReader reader)
    {
        var bytes = reader.ReadIntegerBytes().Span;
        if ((bytes[0] & 0x80) != 0)
        {
            throw new AsnContentException("The integer is negative.");
        }

        var canonical = StripLeadingZeros(bytes);
        if (canonical.IsEmpty)
        {
            throw new AsnContentException("The integer is zero.");
        }

        return canonical.ToArray();
    }

    public static ReadOnlySpan<byte> StripLeadingZeros(ReadOnlySpan<byte> bytes)
    {
        var start = 0;
        while (start < bytes.Length && bytes[start] == 0)
        {
            start++;
        }

        return bytes[start..];
    }

    /// <summary>
    /// RFC 5280 §4.1.1.2 / §5.1.1.2: the signatureAlgorithm outside the signed part, whose encoding the
    /// one inside must repeat exactly (it is not signed, so parameters that differ would make the
    /// same signed content available under several encodings and fingerprints).
    /// </summary>
    public static (string Oid, ReadOnlyMemory<byte> Encoded) ReadSignatureAlgorithm(AsnReader reader)
    {
        var encoded = reader.ReadEncodedValue();
        return (ReadAlgorithmIdentifier(new AsnReader(encoded, AsnEncodingRules.DER)), encoded);
    }

    public static void ExpectSameSignatureAlgorithm(AsnReader signed, ReadOnlyMemory<byte> outer)
    {
        if (!signed.ReadEncodedValue().Span.SequenceEqual(outer.Span))
        {
            throw new AsnContentException("The signature algorithm inside and outside the signed part differ.");
        }
    }

    /// <summary>RFC 5280 §4.1 Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }</summary>
    public static (string Oid, bool Critical, byte[] Value) ReadExtension(AsnReader extensions)
    {
        var extension = extensions.ReadSequence();
        var oid = extension.ReadObjectIdentifier();
        var critical = NextIs(extension, Asn1Tag.Boolean) && extension.ReadBoolean();
        var value = extension.ReadOctetString();
        extension.ThrowIfNotEmpty();
        return (oid, critical, value);
    }

    /// <summary>RFC 5280 §4.2.1.1 AuthorityKeyIdentifier: the keyIdentifier, or null when absent.</summary>
    public static byte[]? ReadAuthorityKeyIdentifier(ReadOnlyMemory<byte> extensionValue)
    {
        var reader = new AsnReader(extensionValue, AsnEncodingRules.BER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        byte[]? keyIdentifier = null;
        if (NextIs(sequence, Context0Primitive))
        {
            keyIdentifier = sequence.ReadOctetString(Context0Primitive);
        }

        // authorityCertIssuer [1] and authorityCertSerialNumber [2] are not used to find issuers.
        while (sequence.HasData)
        {
            sequence.ReadEncodedValue();
        }

        return keyIdentifier is { Length: > 0 } ? keyIdentifier : null;
    }
}
