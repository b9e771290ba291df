using System.Formats.Asn1;
using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>
/// CMS SignedData written by hand (RFC 5652 §5), so that a test can send what <c>SignedCms</c> never writes:
/// signed attributes without content-type, a signingTime as GeneralizedTime or twice, extra certificates.
/// </summary>
internal static class CmsWriter
{
    public const string Data = "1.2.840.113549.1.7.1";
    public const string ContentTypeOid = "1.2.840.113549.1.9.3";
    public const string MessageDigestOid = "1.2.840.113549.1.9.4";
    public const string SigningTimeOid = "1.2.840.113549.1.9.5";

    /// <summary>One signed attribute: its type and the encodings of its values.</summary>
    public sealed record Attribute(string Type, params byte[][] Values);

    public static byte[] Oid(string oid) => Encode(writer => writer.WriteObjectIdentifier(oid));

    public static byte[] OctetString(byte[] value) => Encode(writer => writer.WriteOctetString(value));

    public static byte[] UtcTime(DateTimeOffset time) => Encode(writer => writer.WriteUtcTime(time));

    public static byte[] GeneralizedTime(DateTimeOffset time) => Encode(writer => writer.WriteGeneralizedTime(time, omitFractionalSeconds: true));

    /// <summary>content-type id-data, signingTime (UTCTime) and messageDigest of <paramref name="content"/>: what SignedCms writes.</summary>
    public static List<Attribute> StandardAttributes(byte[] content, DateTimeOffset signingTime) =>
    [
        new(ContentTypeOid, Oid(Data)),
        new(SigningTimeOid, UtcTime(signingTime)),
        new(MessageDigestOid, OctetString(SHA256.HashData(content))),
    ];

    /// <summary>SignedData by <paramref name="spec"/>'s key over <paramref name="attributes"/>, its certificate first in the bag.</summary>
    public static byte[] Write(LeafSpec spec, byte[] content, bool detached, IReadOnlyList<Attribute> attributes, string eContentType = Data, IReadOnlyList<byte[]>? extraCertificates = null)
    {
        var certificateDer = DevelopmentPki.Issue(spec);
        var certificate = JpkiCertificate.Parse(certificateDer);

        // The signature is over the DER SET OF the attributes (RFC 5652 §5.4); the SignerInfo carries it as [0] IMPLICIT.
        var set = Encode(writer =>
        {
            using (writer.PushSetOf())
            {
                foreach (var attribute in attributes)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(attribute.Type);
                        using (writer.PushSetOf())
                        {
                            foreach (var value in attribute.Values)
                            {
                                writer.WriteEncodedValue(value);
                            }
                        }
                    }
                }
            }
        });
        var signature = ((RSA)spec.Key).SignData(set, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var implicitSet = (byte[])set.Clone();
        implicitSet[0] = 0xA0;

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.7.2");
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    WriteAlgorithm(writer, "2.16.840.1.101.3.4.2.1");
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(eContentType);
                    if (!detached)
                    {
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        {
                            writer.WriteOctetString(content);
                        }
                    }
                }

                using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    writer.WriteEncodedValue(certificateDer);
                    foreach (var extra in extraCertificates ?? [])
                    {
                        writer.WriteEncodedValue(extra);
                    }
                }

                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(certificate.Issuer.Span);
                        writer.WriteIntegerUnsigned(certificate.SerialNumberBytes.Span);
                    }

                    WriteAlgorithm(writer, "2.16.840.1.101.3.4.2.1");
                    writer.WriteEncodedValue(implicitSet);
                    WriteAlgorithm(writer, "1.2.840.113549.1.1.1");
                    writer.WriteOctetString(signature);
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteAlgorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteNull();
        }
    }

    private static byte[] Encode(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }
}
