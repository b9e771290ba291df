using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Cli.Pki;

/// <summary>
/// Adds the expiredCertsOnCRL extension (2.5.29.60, X.509 §9.5.2.1) to a CRL the platform's builder wrote (it
/// has no way to add CRL extensions) and signs it again with the root: the development roots keep every
/// revoked certificate on their CRLs, expired or not, so their CRLs say so, as the eligibility grace requires.
/// </summary>
internal static class ExpiredCertsOnCrl
{
    private const string Oid = "2.5.29.60";

    public static byte[] Add(byte[] crl, DateTimeOffset since, X509Certificate2 issuer)
    {
        var outer = new AsnReader(crl, AsnEncodingRules.DER).ReadSequence();
        var tbs = outer.ReadSequence();
        var signatureAlgorithm = outer.ReadEncodedValue();
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var hadExtensions = false;
            while (tbs.HasData)
            {
                if (!tbs.PeekTag().HasSameClassAndValue(extensionsTag))
                {
                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                    continue;
                }

                hadExtensions = true;
                var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
                using (writer.PushSequence(extensionsTag))
                using (writer.PushSequence())
                {
                    while (extensions.HasData)
                    {
                        writer.WriteEncodedValue(extensions.ReadEncodedValue().Span);
                    }

                    WriteExtension(writer, since);
                }
            }

            if (!hadExtensions)
            {
                using (writer.PushSequence(extensionsTag))
                using (writer.PushSequence())
                {
                    WriteExtension(writer, since);
                }
            }
        }

        var signed = writer.Encode();
        using var key = issuer.GetRSAPrivateKey() ?? throw new InvalidOperationException("The root's private key is not loaded.");
        var result = new AsnWriter(AsnEncodingRules.DER);
        using (result.PushSequence())
        {
            result.WriteEncodedValue(signed);
            result.WriteEncodedValue(signatureAlgorithm.Span);
            result.WriteBitString(key.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        return result.Encode();
    }

    private static void WriteExtension(AsnWriter writer, DateTimeOffset since)
    {
        var value = new AsnWriter(AsnEncodingRules.DER);
        value.WriteGeneralizedTime(since, omitFractionalSeconds: true);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(Oid);
            writer.WriteOctetString(value.Encode());
        }
    }
}
