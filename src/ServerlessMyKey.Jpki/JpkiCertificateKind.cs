namespace ServerlessMyKey.Jpki;

/// <summary>The two JPKI certificate kinds on a My Number Card; each has its own roots.</summary>
public enum JpkiCertificateKind
{
    /// <summary>利用者証明用電子証明書: proves "this card holder is here" (login). Carries no personal data.</summary>
    Authentication,

    /// <summary>署名用電子証明書: signs documents. Carries the 基本4情報 (name, address, date of birth, sex).</summary>
    Signing,
}
