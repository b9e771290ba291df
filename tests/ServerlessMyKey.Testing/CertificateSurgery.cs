using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ServerlessMyKey.Testing;

/// <summary>
/// Certificates the platform's builder refuses to write: the same certificate with another subject encoding
/// (e.g. one that is no X.501 Name), signed again with a chosen key (the issuer's, or an impostor's for an
/// unsigned certificate). RSASSA-PKCS1-v1_5 with SHA-256, as the original.
/// </summary>
public static class CertificateSurgery
{
    /// <summary>A SEQUENCE holding an INTEGER where RDNs (SETs) belong: a certificate parses around it, a Name does not.</summary>
    public static readonly byte[] NotAName = [0x30, 0x03, 0x02, 0x01, 0x01];

    public static byte[] WithSubject(byte[] certificate, byte[] subject, RSA signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        var outer = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence();
        var tbs = outer.ReadSequence();
        var algorithm = outer.ReadEncodedValue();

        // TBSCertificate: version [0], serialNumber, signature, issuer, validity, subject, then the rest as it was.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            for (var field = 0; tbs.HasData; field++)
            {
                var value = tbs.ReadEncodedValue();
                writer.WriteEncodedValue(field == 5 ? subject : value.Span);
            }
        }

        var signed = writer.Encode();
        var signature = signingKey.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var result = new AsnWriter(AsnEncodingRules.DER);
        using (result.PushSequence())
        {
            result.WriteEncodedValue(signed);
            result.WriteEncodedValue(algorithm.Span);
            result.WriteBitString(signature);
        }

        return result.Encode();
    }
}
