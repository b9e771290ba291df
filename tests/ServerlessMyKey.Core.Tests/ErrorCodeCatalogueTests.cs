using System.Reflection;
using ServerlessMyKey.Core.Errors;
using Xunit;

namespace ServerlessMyKey.Core.Tests;

public sealed class ErrorCodeCatalogueTests
{
    [Fact]
    public void Every_declared_code_is_listed_once_in_All()
    {
        var declared = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ErrorCode))
            .Select(f => (ErrorCode)f.GetValue(null)!)
            .ToList();

        Assert.Equal(declared.Count, ErrorCodes.All.Count);
        Assert.All(declared, code => Assert.Contains(code, ErrorCodes.All));
        Assert.Equal(ErrorCodes.All.Count, ErrorCodes.All.Select(c => c.Code).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Codes_are_snake_case_with_an_error_status()
    {
        Assert.All(ErrorCodes.All, code =>
        {
            Assert.Matches("^[a-z]+(_[a-z0-9]+)*$", code.Code);
            Assert.InRange(code.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(code.Title));
        });
    }
}
