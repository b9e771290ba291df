using System.Formats.Asn1;
using System.Numerics;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// A CRL whose signature has been verified against a trusted root (RFC 5280 §5, §6.3), with its
/// revoked serial numbers indexed. Freshness is judged when it is used, against the clock then.
/// </summary>
internal sealed class CertificateRevocationList
{
    private CertificateRevocationList(JpkiTrustAnchor issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, BigInteger? number, byte[]? distributionPoint, RevokedSerialIndex revoked, DateTimeOffset? expiredCertsOnCrl)
    {
        ExpiredCertsOnCrl = expiredCertsOnCrl;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        Number = number;
        DistributionPoint = distributionPoint;
        Revoked = revoked;
    }

    public JpkiTrustAnchor Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public BigInteger? Number { get; }

    /// <summary>The distributionPoint of the issuingDistributionPoint extension (DER contents), or null: the CRL covers every certificate of the issuer.</summary>
    public byte[]? DistributionPoint { get; }

    public RevokedSerialIndex Revoked { get; }

    /// <summary>The expiredCertsOnCRL extension (2.5.29.60): revoked certificates that expired at or after this time are still listed; null: expired ones may be dropped.</summary>
    public DateTimeOffset? ExpiredCertsOnCrl { get; }

    /// <summary>RFC 5280 §6.3.3(b)(2)(i): a partitioned CRL covers only the certificates that name its distribution point.</summary>
    public bool Covers(JpkiCertificate certificate) =>
        DistributionPoint is null || certificate.CrlDistributionPointNames.Any(name => name.Span.SequenceEqual(DistributionPoint));

    /// <summary>Parses a DER CRL and verifies its signature.</summary>
    /// <exception cref="InvalidDataException">The CRL is malformed, not signed by a trusted root, or of a kind this library does not support (delta, indirect, partitioned by reason).</exception>
    public static CertificateRevocationList Parse(ReadOnlyMemory<byte> der, JpkiTrustAnchors anchors)
    {
        try
        {
            return Read(der, anchors);
        }
        catch (AsnContentException e)
        {
            throw new InvalidDataException($"The CRL is malformed: {e.Message}", e);
        }
    }

    // RFC 5280 §5.1: CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
    private static CertificateRevocationList Read(ReadOnlyMemory<byte> der, JpkiTrustAnchors anchors)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbsEncoded = list.ReadEncodedValue();
        var (signatureAlgorithm, signatureAlgorithmEncoded) = DerReaders.ReadSignatureAlgorithm(list);
        var signature = list.ReadBitString(out var unusedBits);
        list.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new AsnContentException("The signature is not a whole number of octets.");
        }

        var tbs = new AsnReader(tbsEncoded, AsnEncodingRules.DER).ReadSequence();

        // §5.1.2.1 version: v2 when present.
        if (DerReaders.NextIs(tbs, Asn1Tag.Integer) && (!tbs.TryReadInt32(out var version) || version != 1))
        {
            throw new AsnContentException("Unknown CRL version.");
        }

        // §5.1.2.2 signature must equal signatureAlgorithm.
        DerReaders.ExpectSameSignatureAlgorithm(tbs, signatureAlgorithmEncoded);

        // §5.1.2.3 issuer: not used, the issuer is found by key (all root generations share one DN).
        tbs.ReadEncodedValue();

        // §5.1.2.4 thisUpdate, §5.1.2.5 nextUpdate.
        var thisUpdate = DerReaders.ReadTime(tbs);
        DateTimeOffset? nextUpdate = DerReaders.NextIs(tbs, Asn1Tag.UtcTime) || DerReaders.NextIs(tbs, Asn1Tag.GeneralizedTime)
            ? DerReaders.ReadTime(tbs)
            : null;

        // §5.1.2.6 revokedCertificates, indexed below once the signature holds.
        var revoked = ReadOnlyMemory<byte>.Empty;
        if (DerReaders.NextIs(tbs, Asn1Tag.Sequence))
        {
            revoked = DerReaders.Contents(tbs.ReadEncodedValue());
        }

        // §5.1.2.7 crlExtensions.
        var extensions = new CrlExtensions();
        if (DerReaders.NextIs(tbs, DerReaders.Context0))
        {
            var wrapper = tbs.ReadSequence(DerReaders.Context0);
            extensions = CrlExtensions.Read(wrapper.ReadSequence());
            wrapper.ThrowIfNotEmpty();
        }

        tbs.ThrowIfNotEmpty();

        // §6.3.3(f): the CRL issuer is a trusted root — by key identifier and signature, never by name.
        var issuer = anchors.FindCrlIssuer(extensions.AuthorityKeyIdentifier, tbsEncoded.Span, signature, signatureAlgorithm)
            ?? throw new InvalidDataException("The CRL is not signed by any trusted root.");

        return new CertificateRevocationList(issuer, thisUpdate, nextUpdate, extensions.Number, extensions.DistributionPoint, RevokedSerialIndex.Build(revoked.Span), extensions.ExpiredCertsOnCrl);
    }

    private sealed class CrlExtensions
    {
        public byte[] AuthorityKeyIdentifier { get; private set; } = [];

        public BigInteger? Number { get; private set; }

        public byte[]? DistributionPoint { get; private set; }

        public DateTimeOffset? ExpiredCertsOnCrl { get; private set; }

        public static CrlExtensions Read(AsnReader sequence)
        {
            var result = new CrlExtensions();
            while (sequence.HasData)
            {
                var (oid, critical, value) = DerReaders.ReadExtension(sequence);
                switch (oid)
                {
                    case Oids.AuthorityKeyIdentifier:
                        result.AuthorityKeyIdentifier = DerReaders.ReadAuthorityKeyIdentifier(value) ?? [];
                        break;
                    case Oids.CrlNumber:
                        result.Number = new AsnReader(value, AsnEncodingRules.BER).ReadInteger();
                        break;
                    case Oids.IssuingDistributionPoint:
                        result.DistributionPoint = ReadIssuingDistributionPoint(value);
                        break;
                    case Oids.DeltaCrlIndicator:
                        throw new InvalidDataException("Delta CRLs are not supported; give the complete CRL.");
                    case Oids.FreshestCrl:
                        break;
                    case Oids.ExpiredCertsOnCrl:
                        var time = new AsnReader(value, AsnEncodingRules.DER);
                        result.ExpiredCertsOnCrl = time.ReadGeneralizedTime();
                        time.ThrowIfNotEmpty();
                        break;
                    default:
                        if (critical)
                        {
                            throw new InvalidDataException($"The CRL has an unknown critical extension {oid}.");
                        }

                        break;
                }
            }

            return result;
        }

        // §5.2.5 IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1],
        //   onlyContainsCACerts [2], onlySomeReasons [3], indirectCRL [4], onlyContainsAttributeCerts [5] }
        private static byte[]? ReadIssuingDistributionPoint(byte[] value)
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            byte[]? distributionPoint = null;
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    throw new AsnContentException("Unexpected element in issuingDistributionPoint.");
                }

                switch (tag.TagValue)
                {
                    case 0:
                        distributionPoint = DerReaders.Contents(sequence.ReadEncodedValue()).ToArray();
                        break;
                    case 1:
                        sequence.ReadBoolean(tag);
                        break;
                    case 3:
                        throw new InvalidDataException("CRLs partitioned by reason are not supported.");
                    default:
                        if (sequence.ReadBoolean(tag))
                        {
                            throw new InvalidDataException("Indirect CRLs and CRLs of CA or attribute certificates are not supported.");
                        }

                        break;
                }
            }

            return distributionPoint;
        }
    }
}
