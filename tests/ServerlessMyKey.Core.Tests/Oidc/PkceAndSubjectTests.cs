using System.Text;
using ServerlessMyKey.Core.Oidc;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Oidc;

public sealed class PkceAndSubjectTests
{
    // RFC 7636 Appendix B.
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    [Fact]
    public void The_RFC_7636_example_verifier_matches_its_S256_challenge() => Assert.True(Pkce.Matches(Verifier, Challenge));

    [Theory]
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj")] // one character off
    [InlineData("short")] // under 43 characters
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+")] // outside the unreserved set
    [InlineData(null)]
    public void Other_verifiers_do_not_match(string? verifier) => Assert.False(Pkce.Matches(verifier, Challenge));

    [Theory]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\n")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=")]
    public void Challenges_are_43_base64url_characters_and_nothing_after(string challenge) => Assert.False(Pkce.IsChallenge(challenge));

    [Fact]
    public void Pairwise_subs_differ_by_sector_repeat_within_one_and_hide_the_MyKey_ID()
    {
        var subjects = new PairwiseSubjects(new OidcOptions { Issuer = "https://example.test/api", LoginPageUrl = "https://example.test/login", SubjectKey = Encoding.UTF8.GetBytes("k-0123456789abcdef0123456789abcdef") });
        OidcClient Client(string id, string sector) => new(id, id, ["https://rp.test/cb"], sector, ClientAuthenticationMethod.ClientSecretBasic, OidcClient.HashSecret("x"), null);

        var bank = subjects.For(Client("bank", "bank"), "K7QM2XPA");
        var bankApp = subjects.For(Client("bank-app", "bank"), "K7QM2XPA");
        var radio = subjects.For(Client("radio", "radio"), "K7QM2XPA");

        Assert.Equal(bank, bankApp);
        Assert.NotEqual(bank, radio);
        Assert.NotEqual(bank, subjects.For(Client("bank", "bank"), "K7QM2XPB"));
        Assert.DoesNotContain("K7QM2XPA", bank, StringComparison.Ordinal);
    }
}
