using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Certificates;

/// <summary>RFC 5280 checks every end-entity certificate we accept must pass, whichever CA issued it.</summary>
internal static class EndEntityProfile
{
    /// <summary>The first violation, or null when the certificate conforms.</summary>
    public static string? Violation(JpkiCertificate certificate)
    {
        if (certificate.Version != 3)
        {
            return "Not an X.509 v3 certificate.";
        }

        if (certificate.SignatureAlgorithm != Oids.Sha256WithRsaEncryption)
        {
            return $"Signed with {certificate.SignatureAlgorithm}, not sha256WithRSAEncryption.";
        }

        // RFC 5280 §4.2.1.9: an end-entity certificate is not a CA.
        if (certificate.IsCertificateAuthority)
        {
            return "basicConstraints marks the certificate as a CA.";
        }

        // RFC 5280 §4.2.1.1: the authority key identifier names the issuing CA's key; without it no CA is looked for.
        if (certificate.AuthorityKeyIdentifier.IsEmpty)
        {
            return "The certificate has no authorityKeyIdentifier.";
        }

        // RFC 5280 §4.2: a critical extension that is not understood means the certificate must be rejected.
        return certificate.UnrecognizedCriticalExtensions.Count > 0
            ? $"Unrecognized critical extension {certificate.UnrecognizedCriticalExtensions[0]}."
            : null;
    }
}
