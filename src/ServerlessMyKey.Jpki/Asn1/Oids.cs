namespace ServerlessMyKey.Jpki.Asn1;

/// <summary>Object identifiers this library reads.</summary>
internal static class Oids
{
    // RFC 8017 / RFC 4055: keys and signature algorithms.
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string Sha256WithRsaEncryption = "1.2.840.113549.1.1.11";
    public const string Sha384WithRsaEncryption = "1.2.840.113549.1.1.12";
    public const string Sha512WithRsaEncryption = "1.2.840.113549.1.1.13";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";

    // RFC 5280 §4.2.1: certificate extensions.
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string IssuerAltName = "2.5.29.18";
    public const string BasicConstraints = "2.5.29.19";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";

    // RFC 5280 §5.2 and §5.3: CRL and CRL entry extensions.
    public const string CrlNumber = "2.5.29.20";
    public const string DeltaCrlIndicator = "2.5.29.27";
    public const string IssuingDistributionPoint = "2.5.29.28";

    /// <summary>X.509 (10/2012) §9.5.2.1 expiredCertsOnCRL: the CRL lists revoked certificates that expired at or after this GeneralizedTime.</summary>
    public const string ExpiredCertsOnCrl = "2.5.29.60";

    /// <summary>RFC 6960 §4.4.4 id-pkix-ocsp-archive-cutoff: the responder keeps status of certificates that expired at or after this time.</summary>
    public const string OcspArchiveCutoff = "1.3.6.1.5.5.7.48.1.6";
    public const string FreshestCrl = "2.5.29.46";

    // RFC 5652 §11: CMS signed attributes.
    public const string ContentType = "1.2.840.113549.1.9.3";
    public const string MessageDigest = "1.2.840.113549.1.9.4";
    public const string SigningTime = "1.2.840.113549.1.9.5";

    // X.520 attribute types.
    public const string Organization = "2.5.4.10";
    public const string SubjectSerialNumber = "2.5.4.5";

    // JPKI certificate policies (JPKI.md: OpenSC pkcs15-jpki.c, kjur/jsrsasign-oid-jpki).
    public const string JpkiAuthenticationPolicy = "1.2.392.200149.8.5.1.3.30";
    public const string JpkiSigningPolicy = "1.2.392.200149.8.5.1.1.20";
    public const string JpkiTestSigningPolicy = "1.2.392.200149.8.5.1.0.20";

    // JPKI signing certificates: 基本4情報 subjectAltName otherName type-ids (JPKI.md).
    public const string JpkiName = "1.2.392.200149.8.5.5.1";
    public const string JpkiNameSubstitute = "1.2.392.200149.8.5.5.2";
    public const string JpkiSex = "1.2.392.200149.8.5.5.3";
    public const string JpkiBirthDate = "1.2.392.200149.8.5.5.4";
    public const string JpkiAddress = "1.2.392.200149.8.5.5.5";
    public const string JpkiAddressSubstitute = "1.2.392.200149.8.5.5.6";
}
