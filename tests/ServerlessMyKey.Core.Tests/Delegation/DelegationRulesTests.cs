using ServerlessMyKey.Core.Delegation;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Delegation;

public sealed class DelegationRulesTests
{
    [Theory]
    [InlineData("7000012050002")] // 国税庁
    public void Corporate_numbers_with_their_check_digit_are_valid(string number) =>
        Assert.True(CorporateNumber.IsValid(number));

    [Theory]
    [InlineData("8000012050002")] // wrong check digit
    [InlineData("7000012050003")]
    [InlineData("700001205000")] // 12 digits
    [InlineData("70000120500021")]
    [InlineData("７000012050002")] // full-width digit
    [InlineData("")]
    [InlineData(null)]
    public void Other_corporate_numbers_are_invalid(string? number) =>
        Assert.False(CorporateNumber.IsValid(number));

    [Theory]
    [InlineData("000012050002", "7000012050002")] // 国税庁
    [InlineData("180301018771", "1180301018771")] // a 会社法人等番号 and its 法人番号
    public void A_company_number_gives_its_corporate_number(string companyNumber, string corporateNumber)
    {
        Assert.Equal(corporateNumber, CorporateNumber.FromCompanyNumber(companyNumber));
        Assert.True(CorporateNumber.IsValid(corporateNumber));
    }

    [Theory]
    [InlineData("7000012050002")] // already 13 digits
    [InlineData("00001205000")]
    [InlineData("00001205000A")]
    [InlineData(null)]
    public void Other_company_numbers_give_none(string? companyNumber) =>
        Assert.Null(CorporateNumber.FromCompanyNumber(companyNumber));

    [Fact]
    public void Delegation_numbers_are_deterministic_formatted_and_self_checking()
    {
        var number = DelegationNumber.For("0123456789abcdef0123456789abcdef");
        Assert.Equal(number, DelegationNumber.For("0123456789abcdef0123456789abcdef"));
        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", number);
        Assert.Equal(number, DelegationNumber.Normalize(number));
        Assert.Equal(number, DelegationNumber.Normalize(number.Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant()));
    }

    [Fact]
    public void Every_single_substitution_and_neighbour_swap_is_caught()
    {
        var compact = DelegationNumber.For("ffffffffffffffffffffffffffffffff").Replace("-", string.Empty, StringComparison.Ordinal);
        for (var i = 0; i < compact.Length; i++)
        {
            foreach (var c in DelegationNumber.Alphabet.Where(c => c != compact[i]))
            {
                var typo = compact[..i] + c + compact[(i + 1)..];
                Assert.Null(DelegationNumber.Normalize(typo));
            }

            if (i + 1 < compact.Length && compact[i] != compact[i + 1])
            {
                var swapped = compact[..i] + compact[i + 1] + compact[i] + compact[(i + 2)..];
                Assert.Null(DelegationNumber.Normalize(swapped));
            }
        }
    }

    [Theory]
    [InlineData("山田　太郎", "山田　太郎")]
    [InlineData("山田 太郎", "山田　太郎")]
    [InlineData("山田太郎", "山田　太郎")]
    [InlineData("ＹＡＭＡＤＡ　Ｔａｒｏ", "YAMADA Taro")]
    public void Holder_names_match_across_spaces_and_widths(string typed, string certified) =>
        Assert.True(HolderNames.AreSame(typed, certified));

    [Theory]
    [InlineData("山田　次郎", "山田　太郎")]
    [InlineData("やまだ　たろう", "山田　太郎")]
    [InlineData("", "山田　太郎")]
    public void Other_names_do_not_match(string typed, string certified) =>
        Assert.False(HolderNames.AreSame(typed, certified));
}
