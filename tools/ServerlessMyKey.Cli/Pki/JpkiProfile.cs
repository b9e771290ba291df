namespace ServerlessMyKey.Cli.Pki;

/// <summary>The JPKI certificate profile values the development PKI issues with (JPKI.md).</summary>
public static class JpkiProfile
{
    public const string AuthenticationPolicy = "1.2.392.200149.8.5.1.3.30";
    public const string SigningPolicy = "1.2.392.200149.8.5.1.1.20";

    // subjectAltName otherName type-ids of the 基本4情報 in signing certificates.
    public const string NameOid = "1.2.392.200149.8.5.5.1";
    public const string NameSubstituteOid = "1.2.392.200149.8.5.5.2";
    public const string SexOid = "1.2.392.200149.8.5.5.3";
    public const string BirthDateOid = "1.2.392.200149.8.5.5.4";
    public const string AddressOid = "1.2.392.200149.8.5.5.5";
    public const string AddressSubstituteOid = "1.2.392.200149.8.5.5.6";

    public const string CertificatePoliciesOid = "2.5.29.32";
    public const string CpsQualifierOid = "1.3.6.1.5.5.7.2.1";

    /// <summary>
    /// <c>EYYYYMMDD</c>: the era code (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和) then the Gregorian date.
    /// </summary>
    public static string BirthDate(DateOnly date)
    {
        var era = date switch
        {
            _ when date >= new DateOnly(2019, 5, 1) => 5,
            _ when date >= new DateOnly(1989, 1, 8) => 4,
            _ when date >= new DateOnly(1926, 12, 25) => 3,
            _ when date >= new DateOnly(1912, 7, 30) => 2,
            _ => 1,
        };
        return era.ToString(System.Globalization.CultureInfo.InvariantCulture) + date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sex code: 1 male, 2 female, 3 unknown.</summary>
    public static string SexCode(string sex) => sex.ToLowerInvariant() switch
    {
        "male" or "m" or "1" => "1",
        "female" or "f" or "2" => "2",
        "unknown" or "3" => "3",
        _ => throw new ArgumentException($"Sex must be male, female or unknown, not '{sex}'.", nameof(sex)),
    };
}
