using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Jpki.Hpki;

/// <summary>
/// Reads the holder's attributes of an HPKI certificate: hcRole and date of birth from the
/// subjectDirectoryAttributes extension (RFC 5280 §4.2.1.8), the name from the subject.
/// </summary>
/// <remarks>
/// ISO/TS 17090-2: <c>HCActorData ::= SET OF HCActor</c>, <c>HCActor ::= SEQUENCE { codedData [0] CodedData OPTIONAL,
/// regionalHCActorData [1] … OPTIONAL }</c>, <c>CodedData ::= SEQUENCE { codingSchemeReference OBJECT IDENTIFIER,
/// codeDataValue UTF8String, … }</c>. Both an explicit and an implicit [0] are read, since the tagging
/// environment of the CA's module could not be confirmed here. Malformed content reads as absent.
/// </remarks>
internal static class HpkiAttributes
{
    private const string SubjectDirectoryAttributes = "2.5.29.9";

    /// <summary>The values of the subjectDirectoryAttributes attribute <paramref name="type"/>, DER each.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> DirectoryAttribute(JpkiCertificate certificate, string type)
    {
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.RawData.Span);
        var extension = parsed.Extensions[SubjectDirectoryAttributes];
        if (extension is null)
        {
            return [];
        }

        var values = new List<ReadOnlyMemory<byte>>();
        try
        {
            var attributes = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (attributes.HasData)
            {
                var attribute = attributes.ReadSequence();
                var oid = attribute.ReadObjectIdentifier();
                var set = attribute.ReadSetOf();
                while (set.HasData)
                {
                    var value = set.ReadEncodedValue();
                    if (oid == type)
                    {
                        values.Add(value);
                    }
                }
            }
        }
        catch (AsnContentException)
        {
            return [];
        }

        return values;
    }

    /// <summary>The codeDataValues of hcRole whose codingSchemeReference is <paramref name="codingScheme"/>.</summary>
    public static IReadOnlyList<string> HcRoles(JpkiCertificate certificate, string attributeType, string codingScheme)
    {
        var roles = new List<string>();
        foreach (var value in DirectoryAttribute(certificate, attributeType))
        {
            try
            {
                var actors = new AsnReader(value, AsnEncodingRules.DER).ReadSetOf();
                while (actors.HasData)
                {
                    var actor = actors.ReadSequence();
                    var codedTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
                    if (!actor.HasData || actor.PeekTag() != codedTag)
                    {
                        continue;
                    }

                    var coded = actor.ReadSequence(codedTag);
                    if (coded.PeekTag() == Asn1Tag.Sequence)
                    {
                        coded = coded.ReadSequence(); // [0] EXPLICIT CodedData
                    }

                    if (coded.ReadObjectIdentifier() == codingScheme && coded.HasData
                        && ReadText(coded) is { Length: > 0 and <= 128 } role)
                    {
                        roles.Add(role);
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed value names no role.
            }
        }

        return roles;
    }

    /// <summary>The date of birth (GeneralizedTime) of the attribute <paramref name="attributeType"/>, when there is exactly one.</summary>
    public static DateOnly? DateOfBirth(JpkiCertificate certificate, string attributeType)
    {
        var values = DirectoryAttribute(certificate, attributeType);
        if (values.Count != 1)
        {
            return null;
        }

        try
        {
            var time = new AsnReader(values[0], AsnEncodingRules.DER).ReadGeneralizedTime();
            return DateOnly.FromDateTime(time.UtcDateTime);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The single value of the subject attribute <paramref name="attributeType"/>, or null.</summary>
    public static string? SubjectAttribute(JpkiCertificate certificate, string attributeType)
    {
        string? found = null;
        foreach (var rdn in new X500DistinguishedName(certificate.Subject.Span).EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != attributeType)
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = rdn.GetSingleElementValue();
        }

        return string.IsNullOrWhiteSpace(found) ? null : found;
    }

    private static string? ReadText(AsnReader reader)
    {
        var tag = reader.PeekTag();
        return tag.TagClass == TagClass.Universal
            && (UniversalTagNumber)tag.TagValue is UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.BMPString or UniversalTagNumber.IA5String
            ? reader.ReadCharacterString((UniversalTagNumber)tag.TagValue).Trim()
            : null;
    }
}
