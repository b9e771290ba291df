using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Medical;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Medical;

/// <summary>The medical identifiers: anchored at the true end (<c>\z</c>), and refusals that never echo the value.</summary>
public sealed class MedicalFieldsTests
{
    [Theory]
    [InlineData("06139999", true)]
    [InlineData("0613999", false)]
    [InlineData("06139999\n", false)]
    [InlineData("０６１３９９９９", false)]
    public void Insurer_number_is_eight_ascii_digits(string value, bool valid) =>
        Assert.Equal(valid, Accepts(() => MedicalFields.RequireInsurerNumber(value)));

    [Theory]
    [InlineData("07", true)]
    [InlineData("7", false)]
    [InlineData("07\n", false)]
    public void Branch_is_two_digits(string value, bool valid) =>
        Assert.Equal(valid, Accepts(() => MedicalFields.RequireBranch(value)));

    [Theory]
    [InlineData("記号１２", true)]
    [InlineData("AB 12", false)]
    [InlineData("AB12\n", false)]
    [InlineData("123456789012345678901", false)]
    public void Symbol_is_one_to_twenty_characters_without_spaces(string value, bool valid) =>
        Assert.Equal(valid, Accepts(() => MedicalFields.RequireSymbol(value)));

    [Fact]
    public void Refusal_names_the_field_but_not_the_value()
    {
        var refused = Assert.Throws<ServiceException>(() => MedicalFields.RequireNumber("SECRET 99"));

        Assert.Equal(ErrorCodes.InvalidRequest, refused.Error);
        Assert.Contains("number", refused.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Today_is_the_day_in_japan()
    {
        Assert.Equal(new DateOnly(2026, 4, 1), MedicalFields.TodayInJapan(new DateTimeOffset(2026, 3, 31, 15, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("12345678", 2, "******78")]
    [InlineData("AB", 0, "**")]
    [InlineData("1234", 0, "****")]
    public void Mask_hides_all_but_the_last_characters(string value, int shown, string masked) =>
        Assert.Equal(masked, InsuranceLinks.Mask(value, shown));

    [Fact]
    public void Trailing_newline_is_not_an_id()
    {
        Assert.False(Validation.RequestFields.IsId("reservation-1\n"));
    }

    private static bool Accepts(Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (ServiceException ex) when (ex.Error == ErrorCodes.InvalidRequest)
        {
            return false;
        }
    }
}
