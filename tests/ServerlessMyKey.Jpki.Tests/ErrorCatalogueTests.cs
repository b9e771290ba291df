namespace ServerlessMyKey.Jpki.Tests;

public sealed class ErrorCatalogueTests
{
    [Fact]
    public void Every_code_has_a_unique_snake_case_name_and_a_title()
    {
        var names = JpkiErrors.All.Select(JpkiErrors.Code).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Matches("^[a-z]+(_[a-z]+)+$", name));
        Assert.All(JpkiErrors.All, code => Assert.False(string.IsNullOrWhiteSpace(JpkiErrors.Title(code))));
    }

    [Fact]
    public void The_certificate_and_signature_codes_of_the_api_contract_are_in_the_catalogue()
    {
        string[] apiCodes =
        [
            "signature_invalid", "certificate_untrusted", "certificate_expired", "certificate_revoked",
            "certificate_wrong_kind", "revocation_unavailable",
        ];

        Assert.All(apiCodes, code => Assert.Contains(code, JpkiErrors.All.Select(JpkiErrors.Code)));
    }
}
