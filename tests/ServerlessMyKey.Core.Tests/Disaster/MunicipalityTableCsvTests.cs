using ServerlessMyKey.Core.Disaster;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Disaster;

/// <summary>A display name or id that a spreadsheet would read as a formula is written as text.</summary>
public sealed class MunicipalityTableCsvTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+81", "'+81")]
    [InlineData("-3", "'-3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("＝HYPERLINK(\"x\")", "\"'＝HYPERLINK(\"\"x\"\")\"")]
    [InlineData("＋1", "'＋1")]
    [InlineData("－1", "'－1")]
    [InlineData("＠A1", "'＠A1")]
    [InlineData("美波　太郎", "美波　太郎")]
    [InlineData("a,b", "\"a,b\"")]
    public void Formula_starts_are_written_as_text(string value, string field) =>
        Assert.Equal(field, MunicipalityTableCsv.Field(value));
}
