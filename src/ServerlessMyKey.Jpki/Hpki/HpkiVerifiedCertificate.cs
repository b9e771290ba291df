using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Hpki;

/// <summary>
/// An HPKI signing certificate that passed every check of <see cref="HpkiCertificateVerifier"/>: its
/// qualification (hcRole), and the holder's name and date of birth where the certificate carries them.
/// </summary>
public sealed record HpkiVerifiedCertificate(JpkiVerifiedCertificate Certificate, string HcRole, string? Name, DateOnly? DateOfBirth)
{
    public override string ToString() => $"{nameof(HpkiVerifiedCertificate)} {{ {Certificate.SerialNumber}, {HcRole}, (personal data) }}";
}
