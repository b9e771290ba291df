using System.Formats.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Tests.TestPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>基本4情報 from subjectAltName otherNames: a valid baseline, then one change per test.</summary>
public sealed class BasicFourInformationTests
{
    private const string Name = "山田\u3000花子";
    private const string Address = "東京都千代田区霞が関２丁目１番２号";

    private static List<(string Oid, string Value)> Baseline() =>
    [
        ("1.2.392.200149.8.5.5.1", Name),
        ("1.2.392.200149.8.5.5.2", "0001"),
        ("1.2.392.200149.8.5.5.3", "2"),
        ("1.2.392.200149.8.5.5.4", "419900215"),
        ("1.2.392.200149.8.5.5.5", Address),
        ("1.2.392.200149.8.5.5.6", new string('0', Address.Length)),
    ];

    [Fact]
    public void Baseline_parses_every_item()
    {
        var info = JpkiAssert.Succeeds(BasicFourInformation.Parse(San(Baseline())));
        Assert.Equal(Name, info.Name);
        Assert.Contains('\u3000', info.Name);
        Assert.Equal(Address, info.Address);
        Assert.Equal("1990-02-15", info.DateOfBirth.IsoDate);
        Assert.Equal(JapaneseEra.Heisei, info.DateOfBirth.Era);
        Assert.Equal("heisei", info.DateOfBirth.EraName);
        Assert.Equal("female", info.SexName);
        Assert.Equal("0001", info.NameSubstitutePositions);
        Assert.Equal(new string('0', Address.Length), info.AddressSubstitutePositions);
    }

    [Fact]
    public void Order_of_the_other_names_does_not_matter()
    {
        var items = Baseline();
        var shuffled = items.AsEnumerable().Reverse().Prepend(items[3]).Distinct().ToList();
        Assert.NotEqual(items.Select(i => i.Oid), shuffled.Select(i => i.Oid));
        Assert.Equal(JpkiAssert.Succeeds(BasicFourInformation.Parse(San(items))), JpkiAssert.Succeeds(BasicFourInformation.Parse(San(shuffled))));
    }

    [Fact]
    public void Other_general_names_and_unrelated_other_names_are_skipped()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, "a@example.invalid", new Asn1Tag(TagClass.ContextSpecific, 1));
            WriteOtherName(writer, "1.3.6.1.4.1.311.20.2.3", "upn@example.invalid");
            foreach (var (oid, value) in Baseline())
            {
                WriteOtherName(writer, oid, value);
            }
        }

        JpkiAssert.Succeeds(BasicFourInformation.Parse(writer.Encode()));
    }

    [Theory]
    [InlineData("119000101", JapaneseEra.Meiji, "1900-01-01")]
    [InlineData("219200101", JapaneseEra.Taisho, "1920-01-01")]
    [InlineData("319640110", JapaneseEra.Showa, "1964-01-10")]
    [InlineData("520200229", JapaneseEra.Reiwa, "2020-02-29")]
    [InlineData("319640100", JapaneseEra.Showa, "1964-01")]
    [InlineData("319640000", JapaneseEra.Showa, "1964")]
    [InlineData("000000000", JapaneseEra.Unknown, null)]
    [InlineData("019640110", JapaneseEra.Unknown, "1964-01-10")]
    public void Birth_dates_with_eras_and_unknown_parts_are_represented(string encoded, JapaneseEra era, string? iso)
    {
        var info = JpkiAssert.Succeeds(BasicFourInformation.Parse(San(With("1.2.392.200149.8.5.5.4", encoded))));
        Assert.Equal(era, info.DateOfBirth.Era);
        Assert.Equal(iso, info.DateOfBirth.IsoDate);
        Assert.Equal(iso?.Length == 10, info.DateOfBirth.IsComplete);
    }

    [Theory]
    [InlineData("1", JpkiSex.Male, "male")]
    [InlineData("2", JpkiSex.Female, "female")]
    [InlineData("3", JpkiSex.Unknown, "unknown")]
    public void Sex_codes_map_to_names(string code, JpkiSex sex, string name)
    {
        var info = JpkiAssert.Succeeds(BasicFourInformation.Parse(San(With("1.2.392.200149.8.5.5.3", code))));
        Assert.Equal(sex, info.Sex);
        Assert.Equal(name, info.SexName);
    }

    [Fact]
    public void Substitute_position_strings_are_optional()
    {
        var items = Baseline().Where(i => !i.Oid.EndsWith(".2", StringComparison.Ordinal) && !i.Oid.EndsWith(".6", StringComparison.Ordinal)).ToList();
        var info = JpkiAssert.Succeeds(BasicFourInformation.Parse(San(items)));
        Assert.Null(info.NameSubstitutePositions);
        Assert.Null(info.AddressSubstitutePositions);
    }

    [Theory]
    [InlineData("1.2.392.200149.8.5.5.4", "41990021")] // too short
    [InlineData("1.2.392.200149.8.5.5.4", "619900215")] // no such era
    [InlineData("1.2.392.200149.8.5.5.4", "419901315")] // month 13
    [InlineData("1.2.392.200149.8.5.5.4", "419900230")] // 30 February
    [InlineData("1.2.392.200149.8.5.5.4", "419900015")] // a day without a month
    [InlineData("1.2.392.200149.8.5.5.4", "4１９９００２１５")] // full-width digits
    [InlineData("1.2.392.200149.8.5.5.3", "0")]
    [InlineData("1.2.392.200149.8.5.5.3", "male")]
    [InlineData("1.2.392.200149.8.5.5.2", "0021")]
    [InlineData("1.2.392.200149.8.5.5.6", "x")]
    [InlineData("1.2.392.200149.8.5.5.1", "")]
    public void Bad_values_are_malformed(string oid, string value) =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(San(With(oid, value))));

    [Theory]
    [InlineData("1.2.392.200149.8.5.5.1")]
    [InlineData("1.2.392.200149.8.5.5.3")]
    [InlineData("1.2.392.200149.8.5.5.4")]
    [InlineData("1.2.392.200149.8.5.5.5")]
    public void A_missing_item_is_malformed(string oid)
    {
        var failure = JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(San([.. Baseline().Where(i => i.Oid != oid)])));
        Assert.Contains(oid, failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicated_item_is_malformed()
    {
        var items = Baseline();
        items.Add(("1.2.392.200149.8.5.5.1", "別人\u3000太郎"));
        var failure = JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(San(items)));
        Assert.DoesNotContain("別人", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_address_is_malformed() =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(San(With("1.2.392.200149.8.5.5.5", new string('丁', 201)))));

    [Fact]
    public void A_non_utf8_string_value_is_malformed()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in Baseline())
            {
                WriteOtherName(writer, oid, value, oid.EndsWith(".1", StringComparison.Ordinal) ? UniversalTagNumber.BMPString : UniversalTagNumber.UTF8String);
            }
        }

        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(writer.Encode()));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30, 0x05, 0xA0 })]
    [InlineData(new byte[] { 0x04, 0x00 })]
    public void Undecodable_bytes_are_malformed(byte[] der) =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(der));

    [Fact]
    public void Failures_and_ToString_never_carry_the_values()
    {
        var info = JpkiAssert.Succeeds(BasicFourInformation.Parse(San(Baseline())));
        Assert.DoesNotContain("山田", info.ToString(), StringComparison.Ordinal);
        var failure = JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, BasicFourInformation.Parse(San(With("1.2.392.200149.8.5.5.4", "4199002XX"))));
        Assert.DoesNotContain("4199002XX", failure.Detail, StringComparison.Ordinal);
    }

    private static List<(string Oid, string Value)> With(string oid, string value) =>
        [.. Baseline().Select(i => i.Oid == oid ? (oid, value) : i)];

    internal static byte[] San(IEnumerable<(string Oid, string Value)> items)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in items)
            {
                WriteOtherName(writer, oid, value);
            }
        }

        return writer.Encode();
    }

    private static void WriteOtherName(AsnWriter writer, string oid, string value, UniversalTagNumber type = UniversalTagNumber.UTF8String)
    {
        var tag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        using (writer.PushSequence(tag))
        {
            writer.WriteObjectIdentifier(oid);
            using (writer.PushSequence(tag))
            {
                writer.WriteCharacterString(type, value);
            }
        }
    }
}
