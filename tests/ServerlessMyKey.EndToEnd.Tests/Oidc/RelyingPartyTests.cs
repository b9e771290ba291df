using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>
/// "A real client proves it": an ASP.NET Core relying party signs a virtual-card holder in through
/// the DevHost with the OpenID Connect handler, the holder's part played by <c>mykey oidc-login</c>'s client.
/// </summary>
public sealed class RelyingPartyTests(OidcFixture provider) : IClassFixture<OidcFixture>
{
    private static readonly CardHolder Holder = new("鈴木　次郎", "大阪府大阪市北区中之島1-3-20", new DateOnly(1980, 2, 29), "male");

    [Fact]
    public async Task Two_relying_parties_sign_the_same_holder_in_and_see_different_pairwise_subs()
    {
        var card = provider.Pki.IssueCard(Holder);
        await using var relyingParty = await RelyingPartyApp.StartAsync(provider, "openid");

        var bank = await SignInAsync("bank", card);
        var radio = await SignInAsync("radio", card);

        Assert.Equal(provider.Issuer, bank.GetProperty("iss").GetString());
        Assert.Equal(OidcFixture.BankClient, bank.GetProperty("aud").GetString());
        Assert.Equal(OidcFixture.RadioClient, radio.GetProperty("aud").GetString());
        var bankSub = bank.GetProperty("sub").GetString()!;
        var radioSub = radio.GetProperty("sub").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", bankSub);
        Assert.NotEqual(bankSub, radioSub);

        // The same person again at the bank: the same sub, and never the MyKey ID.
        var myKeyId = (await new MyKeyApiClient(provider.Http).LoginAsync(card)).GetProperty("myKeyId").GetString()!;
        Assert.Equal(bankSub, (await SignInAsync("bank", card)).GetProperty("sub").GetString());
        Assert.DoesNotContain(myKeyId, bankSub + radioSub, StringComparison.Ordinal);
        Assert.False(bank.TryGetProperty("name", out _), "openid alone releases no 基本4情報");
    }

    [Fact]
    public async Task The_jpki_basic4_scope_releases_the_signing_certificates_basic_four_information()
    {
        var card = provider.Pki.IssueCard(Holder);
        await using var relyingParty = await RelyingPartyApp.StartAsync(provider, "openid", "jpki_basic4");

        var claims = await SignInAsync("radio", card);

        Assert.Equal(Holder.Name, claims.GetProperty("name").GetString());
        Assert.Equal(Holder.Address, claims.GetProperty("address").GetString());
        Assert.Equal("1980-02-29", claims.GetProperty("birthdate").GetString());
        Assert.Equal("male", claims.GetProperty("gender").GetString());
    }

    /// <summary>Browser part: RP → authorize → login page; holder's app signs; browser follows the redirect back to the RP.</summary>
    private async Task<JsonElement> SignInAsync(string scheme, VirtualCard card)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(provider.RelyingPartyBase) };
        using var challenge = await browser.GetAsync("/login/" + scheme);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.StartsWith(provider.Issuer + "/oidc/authorize?", challenge.Headers.Location!.ToString(), StringComparison.Ordinal);

        var requestId = await OidcLoginClient.StartAsync(challenge.Headers.Location!);
        var redirectTo = await new OidcLoginClient(provider.Http).LoginAsync(card, requestId);

        using var callback = await browser.GetAsync(redirectTo);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"callback answered {(int)callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}");
        Assert.Equal("/me", callback.Headers.Location!.OriginalString);
        return await browser.GetFromJsonAsync<JsonElement>("/me");
    }
}
