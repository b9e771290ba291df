using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>A CMS signature that verified: the signer's verified certificate, what was signed, and when the signer says it signed.</summary>
public sealed record JpkiCmsSignature(JpkiVerifiedCertificate Certificate, byte[] Content, byte[] ContentSha256, DateTimeOffset? SigningTime, bool Detached);

/// <summary>
/// Verifies CMS SignedData (RFC 5652) made with a JPKI signing (署名用) certificate: exactly one signer,
/// its certificate carried in the container and verified as a JPKI signing certificate (pinned roots,
/// profile, validity, revocation), SHA-256 only, signed attributes with a messageDigest equal to the
/// content's digest, and the RSASSA-PKCS1-v1_5 signature over them. Certificates and CRLs in the
/// container are never trusted: only the signer's own certificate is read, and it is checked against
/// the pinned roots like any other.
/// </summary>
public sealed class JpkiCmsVerifier
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string Sha1 = "1.3.14.3.2.26";

    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> _verifySigner;

    /// <summary>CMS of JPKI signing certificates (the signer's certificate verified by <paramref name="certificates"/>).</summary>
    public JpkiCmsVerifier(JpkiCertificateVerifier certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        _verifySigner = (der, cancellationToken) => certificates.VerifyAsync(der, JpkiCertificateKind.Signing, cancellationToken);
    }

    private JpkiCmsVerifier(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> verifySigner) =>
        _verifySigner = verifySigner;

    /// <summary>
    /// The same container rules for another certificate family (HPKI): <paramref name="verifySignerCertificate"/>
    /// decides whether the signer's certificate is trusted, with its own anchors and revocation data.
    /// </summary>
    public static JpkiCmsVerifier ForSigners(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<JpkiResult<JpkiVerifiedCertificate>>> verifySignerCertificate)
    {
        ArgumentNullException.ThrowIfNull(verifySignerCertificate);
        return new JpkiCmsVerifier(verifySignerCertificate);
    }

    /// <param name="cms">DER ContentInfo of SignedData.</param>
    /// <param name="detachedContent">The signed data when the signature is detached; null when it is attached.</param>
    public async ValueTask<JpkiResult<JpkiCmsSignature>> VerifyAsync(ReadOnlyMemory<byte> cms, byte[]? detachedContent, CancellationToken cancellationToken = default)
    {
        // The platform decodes parts of the SignedData lazily (the certificate set when the signer's
        // certificate is asked for, attribute values when read): corruption found then is malformed input
        // too, never an exception for the caller (found by tests/…/Fuzzing/ParserFuzzTests.cs).
        try
        {
            return await VerifyDecodedAsync(cms, detachedContent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, "Not a well-formed CMS SignedData.");
        }
    }

    private async ValueTask<JpkiResult<JpkiCmsSignature>> VerifyDecodedAsync(ReadOnlyMemory<byte> cms, byte[]? detachedContent, CancellationToken cancellationToken)
    {
        // RFC 5652 §3, §5.1: a ContentInfo of type signedData. The platform decoder also refuses other types.
        var signed = new SignedCms();
        bool detached;
        try
        {
            signed.Decode(cms.Span);
            detached = !HasEncapsulatedContent(cms);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, "Not a DER-encoded CMS SignedData.");
        }

        // RFC 5652 §5.2: detached (no eContent) needs the data from the caller; attached must not get it twice.
        if (detached != detachedContent is not null)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, detached
                ? "The CMS signature is detached: send the signed data in 'data'."
                : "The CMS signature carries its content: do not send 'data' as well.");
        }

        if (detachedContent is not null)
        {
            signed = new SignedCms(new ContentInfo(signed.ContentInfo.ContentType, detachedContent), detached: true);
            signed.Decode(cms.Span);
        }

        // Profile: exactly one signer, whose certificate is in the container (a JPKI card signs alone).
        if (signed.SignerInfos.Count != 1)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, $"The CMS has {signed.SignerInfos.Count} signers; exactly one is accepted.");
        }

        var signer = signed.SignerInfos[0];
        if (signer.Certificate is null)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, "The CMS does not carry the signer's certificate.");
        }

        // RFC 5652 §5.3: with signed attributes, messageDigest is mandatory; this profile requires both.
        var messageDigests = signer.SignedAttributes.Cast<CryptographicAttributeObject>()
            .Where(attribute => attribute.Oid.Value == Oids.MessageDigest)
            .SelectMany(attribute => attribute.Values.Cast<AsnEncodedData>())
            .ToList();
        if (messageDigests.Count != 1)
        {
            return Fail(JpkiErrorCode.SignatureMalformed, "The signer needs signed attributes with exactly one messageDigest.");
        }

        // JPKI: the signer's certificate is a valid, unrevoked signing certificate under a pinned root.
        var verified = await _verifySigner(signer.Certificate.RawData, cancellationToken).ConfigureAwait(false);
        if (!verified.Succeeded)
        {
            return JpkiResult<JpkiCmsSignature>.Fail(verified.Failure.Code, verified.Failure.Detail);
        }

        // RFC 5652 §5.3 digestAlgorithm and signatureAlgorithm: SHA-256 with RSASSA-PKCS1-v1_5 only.
        if (signer.DigestAlgorithm.Value != Oids.Sha256)
        {
            return Fail(JpkiErrorCode.SignatureAlgorithmUnsupported, $"The digest algorithm is {signer.DigestAlgorithm.Value}{(signer.DigestAlgorithm.Value == Sha1 ? " (SHA-1)" : "")}; only SHA-256 is accepted.");
        }

        if (signer.SignatureAlgorithm.Value is not (RsaEncryption or Oids.Sha256WithRsaEncryption))
        {
            return Fail(JpkiErrorCode.SignatureAlgorithmUnsupported, $"The signature algorithm is {signer.SignatureAlgorithm.Value}; only RSASSA-PKCS1-v1_5 with SHA-256 is accepted.");
        }

        // RFC 5652 §5.4: messageDigest is the digest of the content.
        var contentBytes = signed.ContentInfo.Content;
        var contentDigest = SHA256.HashData(contentBytes);
        if (!CryptographicOperations.FixedTimeEquals(ReadOctetString(messageDigests[0].RawData), contentDigest))
        {
            return Fail(JpkiErrorCode.SignatureInvalid, "The messageDigest attribute does not match the content.");
        }

        // RFC 5652 §5.4, §5.6: the signature is over the signed attributes as a SET OF (their [0] tag replaced by SET),
        // checked with the key of the certificate verified above (imported once per certificate and cached with it).
        var signature = SignatureCheck.VerifyDigest(verified.Value, SHA256.HashData(SignedAttributesAsSigned(cms)), signer.GetSignature());
        if (!signature.Succeeded)
        {
            return Fail(signature.Failure.Code, "The CMS signature does not verify with the signer certificate's key: " + signature.Failure.Detail);
        }

        var signingTime = signer.SignedAttributes.Cast<CryptographicAttributeObject>()
            .Where(attribute => attribute.Oid.Value == Oids.SigningTime)
            .SelectMany(attribute => attribute.Values.Cast<AsnEncodedData>())
            .Select(value => (DateTimeOffset?)new DateTimeOffset(new Pkcs9SigningTime(value.RawData).SigningTime.ToUniversalTime(), TimeSpan.Zero))
            .FirstOrDefault();
        return JpkiResult<JpkiCmsSignature>.Success(new JpkiCmsSignature(verified.Value, contentBytes, contentDigest, signingTime, detached));
    }

    // RFC 5652 §5.2 EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    private static bool HasEncapsulatedContent(ReadOnlyMemory<byte> cms)
    {
        var contentInfo = new AsnReader(cms, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf();
        var encapsulated = signedData.ReadSequence();
        encapsulated.ReadObjectIdentifier();
        return encapsulated.HasData;
    }

    // RFC 5652 §5.3 SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT SET OF Attribute, … }
    // of the only signer (checked above); the DER that was signed carries the SET tag (0x31) instead of [0].
    private static byte[] SignedAttributesAsSigned(ReadOnlyMemory<byte> cms)
    {
        var contentInfo = new AsnReader(cms, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf();
        signedData.ReadSequence();
        while (signedData.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            signedData.ReadEncodedValue(); // certificates [0], crls [1]
        }

        var signerInfo = signedData.ReadSetOf().ReadSequence();
        signerInfo.ReadInteger();
        signerInfo.ReadEncodedValue(); // sid
        signerInfo.ReadSequence(); // digestAlgorithm
        var signedAttributes = signerInfo.ReadEncodedValue().ToArray();
        signedAttributes[0] = 0x31;
        return signedAttributes;
    }

    private static byte[] ReadOctetString(byte[] encoded)
    {
        try
        {
            return AsnDecoder.ReadOctetString(encoded, AsnEncodingRules.DER, out _);
        }
        catch (AsnContentException)
        {
            return [];
        }
    }

    private static JpkiResult<JpkiCmsSignature> Fail(JpkiErrorCode code, string detail) => JpkiResult<JpkiCmsSignature>.Fail(code, detail);
}
