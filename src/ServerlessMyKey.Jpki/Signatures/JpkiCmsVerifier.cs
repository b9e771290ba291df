using System.Formats.Asn1;
using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>A CMS signature that verified: the signer's verified certificate, what was signed, and when the signer says it signed.</summary>
public sealed record JpkiCmsSignature(JpkiVerifiedCertificate Certificate, byte[] Content, byte[] ContentSha256, DateTimeOffset? SigningTime, bool Detached);

/// <summary>
/// Verifies CMS SignedData (RFC 5652) made with a JPKI signing (署名用) certificate: exactly one signer,
/// its certificate carried in the container and verified as a JPKI signing certificate (pinned roots,
/// profile, validity, revocation), SHA-256 only, signed attributes with exactly one content-type equal to
/// eContentType, exactly one messageDigest equal to the content's digest and at most one signingTime
/// (UTCTime or GeneralizedTime), and the RSASSA-PKCS1-v1_5 signature over them. Certificates and CRLs in
/// the container are never trusted: only the signer's own certificate is used, and it is checked against
/// the pinned roots like any other.
/// </summary>
/// <remarks>
/// The container is decoded by <see cref="CmsSignedData"/> (one pass of <see cref="AsnReader"/>, only what is
/// needed here), not by <c>SignedCms</c>, which decodes lazily and cost about nine raw RSA verifications
/// per call (bench/README.md). Every failure is a <see cref="JpkiResult{T}"/> of the closed catalogue.
/// </remarks>
public sealed class JpkiCmsVerifier
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string Sha1 = "1.3.14.3.2.26";

    private readonly Func<JpkiCertificate, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> _verifySigner;

    /// <summary>CMS of JPKI signing certificates (the signer's certificate verified by <paramref name="certificates"/>).</summary>
    public JpkiCmsVerifier(JpkiCertificateVerifier certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        _verifySigner = (certificate, cancellationToken) => certificates.VerifyParsedAsync(certificate, JpkiCertificateKind.Signing, ExpiryGrace.None, cancellationToken);
    }

    private JpkiCmsVerifier(Func<JpkiCertificate, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> verifySigner) =>
        _verifySigner = verifySigner;

    /// <summary>
    /// The same container rules for another certificate family (HPKI): <paramref name="verifySignerCertificate"/>
    /// decides whether the signer's certificate is trusted, with its own anchors and revocation data.
    /// </summary>
    public static JpkiCmsVerifier ForSigners(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> verifySignerCertificate)
    {
        ArgumentNullException.ThrowIfNull(verifySignerCertificate);
        return new JpkiCmsVerifier((certificate, cancellationToken) => verifySignerCertificate(certificate.RawData, cancellationToken));
    }

    /// <param name="cms">DER (or BER) ContentInfo of SignedData.</param>
    /// <param name="detachedContent">The signed data when the signature is detached; null when it is attached.</param>
    public async ValueTask<JpkiResult<JpkiCmsSignature>> VerifyAsync(ReadOnlyMemory<byte> cms, byte[]? detachedContent, CancellationToken cancellationToken = default)
    {
        // RFC 5652 §3, §5.1: a ContentInfo of type signedData, and the signer's certificate in it.
        CmsSignedData signed;
        CmsSignerInfo signer;
        JpkiCertificate certificate;
        SignedAttributes attributes;
        try
        {
            signed = CmsSignedData.Decode(cms);

            // Profile: exactly one signer, whose certificate is in the container (a JPKI card signs alone).
            if (signed.Signers.Count != 1)
            {
                return Fail(JpkiErrorCode.SignatureMalformed, $"The CMS has {signed.Signers.Count} signers; exactly one is accepted.");
            }

            signer = signed.Signers[0];
            if (FindSignerCertificate(signed, signer) is not { } found)
            {
                return Fail(JpkiErrorCode.SignatureMalformed, "The CMS does not carry the signer's certificate, or carries a malformed certificate.");
            }

            certificate = found;

            // RFC 5652 §5.3: with signed attributes, content-type and messageDigest are mandatory; this profile requires them.
            if (SignedAttributes.Read(signer) is not { } read)
            {
                return Fail(JpkiErrorCode.SignatureMalformed, "The signer needs signed attributes with exactly one content-type, exactly one messageDigest and at most one signingTime, each with one value.");
            }

            attributes = read;
        }
        catch (AsnContentException)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, "Not a well-formed CMS SignedData.");
        }

        // RFC 5652 §5.2: detached (no eContent) needs the data from the caller; attached must not get it twice.
        var detached = signed.Content is null;
        if (detached != detachedContent is not null)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, detached
                ? "The CMS signature is detached: send the signed data in 'data'."
                : "The CMS signature carries its content: do not send 'data' as well.");
        }

        // JPKI: the signer's certificate is a valid, unrevoked signing certificate under a pinned root.
        var verified = await _verifySigner(certificate, cancellationToken).ConfigureAwait(false);
        if (!verified.Succeeded)
        {
            return JpkiResult<JpkiCmsSignature>.Fail(verified.Failure.Code, verified.Failure.Detail);
        }

        // RFC 5652 §5.3 digestAlgorithm and signatureAlgorithm: SHA-256 with RSASSA-PKCS1-v1_5 only.
        if (signer.DigestAlgorithm != Oids.Sha256)
        {
            return Fail(JpkiErrorCode.SignatureAlgorithmUnsupported, $"The digest algorithm is {signer.DigestAlgorithm}{(signer.DigestAlgorithm == Sha1 ? " (SHA-1)" : "")}; only SHA-256 is accepted.");
        }

        if (signer.SignatureAlgorithm is not (RsaEncryption or Oids.Sha256WithRsaEncryption))
        {
            return Fail(JpkiErrorCode.SignatureAlgorithmUnsupported, $"The signature algorithm is {signer.SignatureAlgorithm}; only RSASSA-PKCS1-v1_5 with SHA-256 is accepted.");
        }

        // RFC 5652 §11.1: the content-type attribute is the eContentType the signer meant.
        if (attributes.ContentType != signed.ContentType)
        {
            return Fail(JpkiErrorCode.SignatureInvalid, "The content-type attribute does not match the encapsulated content type.");
        }

        // RFC 5652 §5.4: messageDigest is the digest of the content.
        var contentBytes = detachedContent ?? signed.Content!;
        var contentDigest = SHA256.HashData(contentBytes);
        if (!CryptographicOperations.FixedTimeEquals(attributes.MessageDigest.Span, contentDigest))
        {
            return Fail(JpkiErrorCode.SignatureInvalid, "The messageDigest attribute does not match the content.");
        }

        // RFC 5652 §5.4, §5.6: the signature is over the signed attributes as a SET OF (their [0] tag replaced by SET),
        // checked with the key of the certificate verified above (cached with the certificate).
        var signature = SignatureCheck.VerifyDigest(verified.Value, SignedAttributesDigest(signer.SignedAttributes.Span), signer.Signature.Span);
        if (!signature.Succeeded)
        {
            return Fail(signature.Failure.Code, "The CMS signature does not verify with the signer certificate's key: " + signature.Failure.Detail);
        }

        return JpkiResult<JpkiCmsSignature>.Success(new JpkiCmsSignature(verified.Value, contentBytes, contentDigest, attributes.SigningTime, detached));
    }

    // RFC 5652 §5.3 SignerIdentifier: the certificate of the bag with that issuer and serial number (or subject key
    // identifier). Every certificate of the bag must parse: a malformed one makes the container malformed.
    private static JpkiCertificate? FindSignerCertificate(CmsSignedData signed, CmsSignerInfo signer)
    {
        JpkiCertificate? found = null;
        foreach (var encoded in signed.Certificates)
        {
            if (!JpkiCertificate.TryParse(encoded.Span, out var certificate))
            {
                return null;
            }

            var matches = signer.SubjectKeyIdentifier.IsEmpty
                ? certificate.Issuer.Span.SequenceEqual(signer.Issuer.Span) && certificate.SerialNumberBytes.Span.SequenceEqual(signer.SerialNumber.Span)
                : !certificate.SubjectKeyIdentifier.IsEmpty && certificate.SubjectKeyIdentifier.Span.SequenceEqual(signer.SubjectKeyIdentifier.Span);
            found ??= matches ? certificate : null;
        }

        return found;
    }

    // The DER that was signed carries the SET tag (0x31) instead of [0] IMPLICIT (0xA0).
    private static byte[] SignedAttributesDigest(ReadOnlySpan<byte> signedAttributes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x31]);
        hash.AppendData(signedAttributes[1..]);
        return hash.GetHashAndReset();
    }

    private static JpkiResult<JpkiCmsSignature> Fail(JpkiErrorCode code, string detail) => JpkiResult<JpkiCmsSignature>.Fail(code, detail);

    /// <summary>The signed attributes this profile reads (RFC 5652 §11.1–§11.3), each present at most once with one value.</summary>
    private sealed record SignedAttributes(string ContentType, ReadOnlyMemory<byte> MessageDigest, DateTimeOffset? SigningTime)
    {
        /// <summary>Null when an attribute is missing, repeated or multi-valued; throws <see cref="AsnContentException"/> when a value is not of its type.</summary>
        public static SignedAttributes? Read(CmsSignerInfo signer)
        {
            if (signer.SignedAttributes.IsEmpty)
            {
                return null;
            }

            string? contentType = null;
            ReadOnlyMemory<byte>? messageDigest = null;
            DateTimeOffset? signingTime = null;
            var seen = 0;
            foreach (var (type, values) in signer.ReadSignedAttributes())
            {
                var bit = type switch
                {
                    Oids.ContentType => 1,
                    Oids.MessageDigest => 2,
                    Oids.SigningTime => 4,
                    _ => 0,
                };
                if (bit == 0)
                {
                    continue;
                }

                // §11.1–§11.3: single-valued, and a SignerInfo carries each of them at most once.
                if ((seen & bit) != 0 || values.Count != 1)
                {
                    return null;
                }

                seen |= bit;
                var value = new AsnReader(values[0], AsnEncodingRules.DER);
                switch (bit)
                {
                    case 1:
                        contentType = value.ReadObjectIdentifier();
                        break;
                    case 2:
                        messageDigest = value.TryReadPrimitiveOctetString(out var digest) ? digest : throw new AsnContentException("messageDigest is not a primitive OCTET STRING.");
                        break;
                    default:
                        // §11.3 SigningTime ::= Time (UTCTime for 1950–2049, GeneralizedTime otherwise; both accepted).
                        signingTime = DerReaders.ReadTime(value).ToUniversalTime();
                        break;
                }

                value.ThrowIfNotEmpty();
            }

            return contentType is null || messageDigest is not { } md ? null : new SignedAttributes(contentType, md, signingTime);
        }
    }
}
