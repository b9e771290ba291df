using System.Formats.Asn1;
using System.Globalization;
using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Certificates;

/// <summary>Era (元号) code of a JPKI birth date (the first character of <c>EYYYYMMDD</c>).</summary>
public enum JapaneseEra
{
    /// <summary>Code 0: not recorded.</summary>
    Unknown = 0,

    /// <summary>Code 1: 明治.</summary>
    Meiji = 1,

    /// <summary>Code 2: 大正.</summary>
    Taisho = 2,

    /// <summary>Code 3: 昭和.</summary>
    Showa = 3,

    /// <summary>Code 4: 平成.</summary>
    Heisei = 4,

    /// <summary>Code 5: 令和.</summary>
    Reiwa = 5,
}

/// <summary>性別 as the certificate codes it: 1 male, 2 female, 3 unknown.</summary>
public enum JpkiSex
{
    Male = 1,
    Female = 2,
    Unknown = 3,
}

/// <summary>
/// 生年月日 from <c>EYYYYMMDD</c>: the era code and a Gregorian date whose parts may be unknown (zeros).
/// Partly unknown dates exist in the resident register, so they are represented, not refused.
/// </summary>
public sealed record JpkiBirthDate(JapaneseEra Era, int? Year, int? Month, int? Day)
{
    /// <summary>The lower-case era name: <c>meiji</c>, <c>taisho</c>, <c>showa</c>, <c>heisei</c>, <c>reiwa</c> or <c>unknown</c>.</summary>
    public string EraName => Era.ToString().ToLowerInvariant();

    /// <summary>True when year, month and day are all known.</summary>
    public bool IsComplete => Year is not null && Month is not null && Day is not null;

    /// <summary>
    /// ISO 8601: <c>YYYY-MM-DD</c>, or with reduced precision <c>YYYY-MM</c> / <c>YYYY</c> when the
    /// day or month is unknown; null when the year is unknown.
    /// </summary>
    public string? IsoDate => (Year, Month, Day) switch
    {
        ({ } y, { } m, { } d) => string.Create(CultureInfo.InvariantCulture, $"{y:D4}-{m:D2}-{d:D2}"),
        ({ } y, { } m, null) => string.Create(CultureInfo.InvariantCulture, $"{y:D4}-{m:D2}"),
        ({ } y, null, _) => y.ToString("D4", CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>
/// 基本4情報 (the basic four items: name, address, date of birth, sex) of a JPKI signing certificate,
/// read from its subjectAltName otherNames <c>1.2.392.200149.8.5.5.1–6</c>, each
/// <c>[0] EXPLICIT UTF8String</c> (JPKI.md "End-entity certificates"). Order-independent.
/// </summary>
/// <remarks>
/// Personal data: never log an instance. <see cref="ToString"/> is overridden to say nothing.
/// Failure details name the item and the rule, never a value.
/// </remarks>
public sealed record BasicFourInformation
{
    private const int MaxAddressLength = 200;
    private static readonly Asn1Tag OtherNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>氏名: surname and given name separated by U+3000 (kept as issued).</summary>
    public required string Name { get; init; }

    /// <summary>住所, from the prefecture.</summary>
    public required string Address { get; init; }

    public required JpkiBirthDate DateOfBirth { get; init; }

    public required JpkiSex Sex { get; init; }

    /// <summary>代替文字 positions in the name: one <c>0</c>/<c>1</c> per character; null when the certificate has none.</summary>
    public string? NameSubstitutePositions { get; init; }

    /// <summary>代替文字 positions in the address; null when the certificate has none.</summary>
    public string? AddressSubstitutePositions { get; init; }

    /// <summary>The lower-case sex name: <c>male</c>, <c>female</c> or <c>unknown</c>.</summary>
    public string SexName => Sex.ToString().ToLowerInvariant();

    /// <summary>Reads the 基本4情報 of a signing certificate.</summary>
    public static JpkiResult<BasicFourInformation> FromCertificate(JpkiCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.SubjectAlternativeName.IsEmpty
            ? Malformed("The certificate has no subjectAltName.")
            : Parse(certificate.SubjectAlternativeName);
    }

    /// <summary>Parses a subjectAltName extension value (RFC 5280 §4.2.1.6 GeneralNames, DER).</summary>
    public static JpkiResult<BasicFourInformation> Parse(ReadOnlyMemory<byte> subjectAltName)
    {
        Dictionary<string, string> items;
        try
        {
            items = ReadOtherNames(subjectAltName);
        }
        catch (AsnContentException)
        {
            return Malformed("The subjectAltName is not DER-encoded GeneralNames with UTF8String otherNames.");
        }
        catch (DuplicateItemException e)
        {
            return Malformed($"The subjectAltName carries the otherName {e.Message} more than once.");
        }

        // JPKI profile: the four items are mandatory on signing certificates.
        if (!items.TryGetValue(Oids.JpkiName, out var name) || name.Length == 0)
        {
            return Malformed("The name (1.2.392.200149.8.5.5.1) is missing or empty.");
        }

        if (!items.TryGetValue(Oids.JpkiAddress, out var address) || address.Length == 0)
        {
            return Malformed("The address (1.2.392.200149.8.5.5.5) is missing or empty.");
        }

        if (address.Length > MaxAddressLength)
        {
            return Malformed($"The address (1.2.392.200149.8.5.5.5) is longer than {MaxAddressLength} characters.");
        }

        if (!items.TryGetValue(Oids.JpkiSex, out var sexCode) || ParseSex(sexCode) is not { } sex)
        {
            return Malformed("The sex (1.2.392.200149.8.5.5.3) is missing or not 1, 2 or 3.");
        }

        if (!items.TryGetValue(Oids.JpkiBirthDate, out var birth) || ParseBirthDate(birth) is not { } dateOfBirth)
        {
            return Malformed("The date of birth (1.2.392.200149.8.5.5.4) is missing or not EYYYYMMDD.");
        }

        var nameSubstitutes = items.GetValueOrDefault(Oids.JpkiNameSubstitute);
        var addressSubstitutes = items.GetValueOrDefault(Oids.JpkiAddressSubstitute);
        if (!IsPositionString(nameSubstitutes) || !IsPositionString(addressSubstitutes))
        {
            return Malformed("A substitute-character position string (1.2.392.200149.8.5.5.2 or .6) holds characters other than 0 and 1.");
        }

        return JpkiResult<BasicFourInformation>.Success(new BasicFourInformation
        {
            Name = name,
            Address = address,
            DateOfBirth = dateOfBirth,
            Sex = sex,
            NameSubstitutePositions = nameSubstitutes,
            AddressSubstitutePositions = addressSubstitutes,
        });
    }

    /// <summary>Says nothing: instances hold personal data and must not reach logs.</summary>
    public override string ToString() => nameof(BasicFourInformation) + " { (personal data) }";

    // GeneralNames ::= SEQUENCE OF GeneralName; otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
    // Other GeneralName choices and otherNames of other types are skipped.
    private static Dictionary<string, string> ReadOtherNames(ReadOnlyMemory<byte> subjectAltName)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new AsnReader(subjectAltName, AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (names.HasData)
        {
            if (!names.PeekTag().HasSameClassAndValue(OtherNameTag))
            {
                names.ReadEncodedValue();
                continue;
            }

            var otherName = names.ReadSequence(OtherNameTag);
            var typeId = otherName.ReadObjectIdentifier();
            var explicitValue = otherName.ReadSequence(OtherNameTag);
            otherName.ThrowIfNotEmpty();
            if (!typeId.StartsWith("1.2.392.200149.8.5.5.", StringComparison.Ordinal))
            {
                continue;
            }

            var value = explicitValue.ReadCharacterString(UniversalTagNumber.UTF8String);
            explicitValue.ThrowIfNotEmpty();
            if (!items.TryAdd(typeId, value))
            {
                throw new DuplicateItemException(typeId);
            }
        }

        return items;
    }

    private static JpkiSex? ParseSex(string code) => code switch
    {
        "1" => JpkiSex.Male,
        "2" => JpkiSex.Female,
        "3" => JpkiSex.Unknown,
        _ => null,
    };

    // EYYYYMMDD: era code 0–5, then a Gregorian date whose unknown parts are zeros (JPKI.md).
    private static JpkiBirthDate? ParseBirthDate(string value)
    {
        if (value.Length != 9 || !value.All(char.IsAsciiDigit) || value[0] > '5')
        {
            return null;
        }

        var era = (JapaneseEra)(value[0] - '0');
        var year = int.Parse(value.AsSpan(1, 4), CultureInfo.InvariantCulture);
        var month = int.Parse(value.AsSpan(5, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(value.AsSpan(7, 2), CultureInfo.InvariantCulture);

        // A known part never follows an unknown one (a day without a month means nothing).
        if (month > 12 || day > 31 || (year == 0 && month != 0) || (month == 0 && day != 0))
        {
            return null;
        }

        if (year != 0 && month != 0 && day != 0 && day > DateTime.DaysInMonth(year, month))
        {
            return null;
        }

        return new JpkiBirthDate(era, year == 0 ? null : year, month == 0 ? null : month, day == 0 ? null : day);
    }

    private static bool IsPositionString(string? value) => value is null || value.All(c => c is '0' or '1');

    private static JpkiResult<BasicFourInformation> Malformed(string detail) =>
        JpkiResult<BasicFourInformation>.Fail(JpkiErrorCode.CertificateMalformed, detail);

    private sealed class DuplicateItemException(string oid) : Exception(oid);
}
