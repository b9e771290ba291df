using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>
/// Writes CRLs directly, sized up front: AsnWriter grows its buffer in small steps, so the platform's
/// CertificateRevocationListBuilder takes minutes for a million entries. Also adds any CRL extension
/// a test needs.
/// </summary>
internal static class CrlWriter
{
    public static byte[] Write(
        TestRoot issuer,
        DateTimeOffset thisUpdate,
        DateTimeOffset? nextUpdate,
        IReadOnlyCollection<byte[]> revokedSerials,
        X509RevocationReason? reason = null,
        IEnumerable<X509Extension>? extraExtensions = null)
    {
        var revokedAt = thisUpdate.AddHours(-1);
        var tbs = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 4096 + (revokedSerials.Count * 48));
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1);
            WriteSha256WithRsa(tbs);
            tbs.WriteEncodedValue(issuer.Name.RawData);
            tbs.WriteUtcTime(thisUpdate);
            if (nextUpdate is { } next)
            {
                tbs.WriteUtcTime(next);
            }

            tbs.WriteEncodedValue(RevokedCertificates(revokedSerials, revokedAt, reason));

            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (tbs.PushSequence())
            {
                var extensions = new List<X509Extension>
                {
                    X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.KeyIdentifier),
                };
                extensions.AddRange(extraExtensions ?? []);
                foreach (var extension in extensions)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier(extension.Oid!.Value!);
                        if (extension.Critical)
                        {
                            tbs.WriteBoolean(true);
                        }

                        tbs.WriteOctetString(extension.RawData);
                    }
                }
            }
        }

        var signed = tbs.Encode();
        var crl = new AsnWriter(AsnEncodingRules.DER, initialCapacity: signed.Length + 1024);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(signed);
            WriteSha256WithRsa(crl);
            crl.WriteBitString(issuer.Key.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        return crl.Encode();
    }

    // The entries are all alike but for the serial: encode the rest once and copy it, so that a
    // million entries take milliseconds rather than seconds.
    private static byte[] RevokedCertificates(IReadOnlyCollection<byte[]> serials, DateTimeOffset revokedAt, X509RevocationReason? reason)
    {
        var tail = new AsnWriter(AsnEncodingRules.DER);
        tail.WriteUtcTime(revokedAt);
        if (reason is { } code)
        {
            using (tail.PushSequence())
            using (tail.PushSequence())
            {
                tail.WriteObjectIdentifier("2.5.29.21");
                using (tail.PushOctetString())
                {
                    tail.WriteEnumeratedValue(code);
                }
            }
        }

        var entryTail = tail.Encode();
        using var contents = new MemoryStream(serials.Count * (entryTail.Length + 32));
        var integer = new AsnWriter(AsnEncodingRules.DER);
        foreach (var serial in serials)
        {
            integer.Reset();
            integer.WriteIntegerUnsigned(serial);
            var encodedSerial = integer.Encode();
            var length = encodedSerial.Length + entryTail.Length;
            contents.WriteByte(0x30);
            if (length >= 0x80)
            {
                contents.WriteByte(0x81);
            }

            contents.WriteByte((byte)length);
            contents.Write(encodedSerial);
            contents.Write(entryTail);
        }

        var body = contents.ToArray();
        byte[] header = body.Length switch
        {
            < 0x80 => [0x30, (byte)body.Length],
            < 0x100 => [0x30, 0x81, (byte)body.Length],
            < 0x10000 => [0x30, 0x82, (byte)(body.Length >> 8), (byte)body.Length],
            < 0x1000000 => [0x30, 0x83, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length],
            _ => [0x30, 0x84, (byte)(body.Length >> 24), (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length],
        };
        return [.. header, .. body];
    }

    private static void WriteSha256WithRsa(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.1.11");
            writer.WriteNull();
        }
    }

    /// <summary>An issuingDistributionPoint extension (critical) with a fullName of one directoryName, as JPKI's cRLDistributionPoints carry (RFC 5280 §5.2.5): a CRL partitioned to it.</summary>
    public static X509Extension IssuingDistributionPoint(X500DistinguishedName name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
        {
            writer.WriteEncodedValue(name.RawData);
        }

        return new X509Extension("2.5.29.28", writer.Encode(), critical: true);
    }
}
