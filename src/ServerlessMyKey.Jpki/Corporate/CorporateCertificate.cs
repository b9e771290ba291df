using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Jpki.Corporate;

/// <summary>
/// Where this service reads the corporation from a 商業登記電子証明書 (commercial registration
/// certificate of the 電子認証登記所): the subject attribute <c>serialNumber</c> (2.5.4.5) holding the
/// 12-digit 会社法人等番号 (company/corporation number of the commercial registry).
/// </summary>
/// <remarks>
/// UNCERTAIN: the 登記所's certificate profile could not be checked here. This location is our own
/// definition (the test and development certificates carry it); if the real profile puts the number
/// elsewhere, this one method changes. See docs/delegation.md "Corporate delegators".
/// </remarks>
public static class CorporateCertificate
{
    /// <summary>The 12-digit 会社法人等番号 of the subject, or null when the certificate has none (or more than one, or the subject is not a well-formed Name).</summary>
    public static string? CompanyNumber(JpkiCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? found = null;
        try
        {
            foreach (var rdn in new X500DistinguishedName(certificate.Subject.Span).EnumerateRelativeDistinguishedNames())
            {
                if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != Oids.SubjectSerialNumber)
                {
                    continue;
                }

                if (found is not null)
                {
                    return null;
                }

                found = rdn.GetSingleElementValue();
            }
        }
        catch (CryptographicException)
        {
            // JpkiCertificate checks the subject's outer encoding only; its RDNs are read here.
            return null;
        }

        return found is { Length: 12 } && found.All(char.IsAsciiDigit) ? found : null;
    }
}
