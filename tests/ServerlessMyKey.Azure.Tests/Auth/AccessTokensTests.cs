using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Auth;

/// <summary>ES256 access tokens with the real local key service: a baseline, then one change per test.</summary>
public sealed class AccessTokensTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly AuthOptions _options = new() { Issuer = "https://func-api.example/api", TokenLifetime = TimeSpan.FromMinutes(15), ClockSkew = TimeSpan.FromSeconds(60) };
    private readonly LocalKeyFileService _keys;
    private readonly Citizen _citizen = new("ABCD2345", "0DDCD8B08530D49A", new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public AccessTokensTests() => _keys = new LocalKeyFileService(_folder.Path);

    public void Dispose()
    {
        _keys.Dispose();
        _folder.Dispose();
    }

    // A validated token also tells when its login happened (iat, whole seconds).
    private Citizen LoggedInNow => _citizen with { AuthenticatedAt = DateTimeOffset.FromUnixTimeSeconds(_clock.GetUtcNow().ToUnixTimeSeconds()) };

    private AccessTokens Tokens(AuthOptions? options = null) => new(_keys, options ?? _options, _clock);

    [Fact]
    public async Task Issued_token_validates_to_the_same_citizen()
    {
        var issued = await Tokens().IssueAsync(_citizen, clientAudience: null);

        Assert.Equal(LoggedInNow, await Tokens().ValidateAsync(issued.Token));
        Assert.Equal(900, issued.ExpiresIn);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(15), issued.ExpiresAt);
    }

    [Fact]
    public async Task Token_is_a_jwt_with_es256_header_kid_and_registered_claims()
    {
        var issued = await Tokens().IssueAsync(_citizen, clientAudience: "city-portal");
        var parts = issued.Token.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));

        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal((await _keys.GetPublicKeyAsync("token-signing")).Kid, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal("https://func-api.example/api", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal("ABCD2345", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(["serverlessmykey-api", "city-portal"], claims.RootElement.GetProperty("aud").EnumerateArray().Select(a => a.GetString()).ToList());
        Assert.Equal(64, Base64Url.DecodeFromChars(parts[2]).Length);
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        var issued = await Tokens().IssueAsync(_citizen, null);
        _clock.Advance(TimeSpan.FromMinutes(16) + TimeSpan.FromSeconds(1));

        await AssertRefusedAsync(issued.Token);
    }

    [Fact]
    public async Task Token_just_inside_the_clock_skew_is_accepted()
    {
        var issued = await Tokens().IssueAsync(_citizen, null);
        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(59));

        Assert.Equal("ABCD2345", (await Tokens().ValidateAsync(issued.Token)).MyKeyId);
    }

    [Fact]
    public async Task Token_of_another_issuer_is_refused()
    {
        var issued = await Tokens(_options with { Issuer = "https://other.example/api" }).IssueAsync(_citizen, null);

        await AssertRefusedAsync(issued.Token);
    }

    [Fact]
    public async Task Token_for_another_audience_is_refused()
    {
        var issued = await Tokens(_options with { Audience = "another-api" }).IssueAsync(_citizen, null);

        await AssertRefusedAsync(issued.Token);
    }

    [Fact]
    public async Task Tampered_claims_are_refused()
    {
        var parts = (await Tokens().IssueAsync(_citizen, null)).Token.Split('.');
        var claims = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("ABCD2345", "ZZZZ2345", StringComparison.Ordinal);

        await AssertRefusedAsync(parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims)) + "." + parts[2]);
    }

    [Fact]
    public async Task Token_signed_by_another_key_is_refused()
    {
        using var otherFolder = new TemporaryDirectory();
        using var otherKeys = new LocalKeyFileService(otherFolder.Path);
        var forged = await new AccessTokens(otherKeys, _options, _clock).IssueAsync(_citizen, null);

        await AssertRefusedAsync(forged.Token);
    }

    [Fact]
    public async Task Alg_none_is_refused()
    {
        var parts = (await Tokens().IssueAsync(_citizen, null)).Token.Split('.');
        var header = Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"x\"}"u8);

        await AssertRefusedAsync(header + "." + parts[1] + ".");
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!.??.##")]
    public async Task Malformed_token_is_refused(string token)
    {
        await AssertRefusedAsync(token);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    public async Task Missing_or_non_bearer_authorization_is_refused(string? header)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => new CitizenTokenAuthenticator(Tokens()).AuthenticateAsync(header));

        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
    }

    [Fact]
    public async Task Bearer_header_authenticates_the_citizen()
    {
        var issued = await Tokens().IssueAsync(_citizen, null);

        Assert.Equal(LoggedInNow, await new CitizenTokenAuthenticator(Tokens()).AuthenticateAsync("Bearer " + issued.Token));
    }

    [Fact]
    public async Task Token_header_is_typed_at_jwt()
    {
        var header = (await Tokens().IssueAsync(_citizen, null)).Token.Split('.')[0];

        Assert.Equal("at+jwt", JsonDocument.Parse(Base64Url.DecodeFromChars(header)).RootElement.GetProperty("typ").GetString());
    }

    [Fact]
    public async Task A_jws_of_the_same_key_not_typed_at_jwt_is_refused()
    {
        var claims = (await Tokens().IssueAsync(_citizen, null)).Token.Split('.')[1];
        var kid = (await _keys.GetPublicKeyAsync("token-signing")).Kid;
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","typ":"mykey-receipt+jws","kid":"{{kid}}"}"""));
        var signature = await _keys.SignAsync("token-signing", Encoding.ASCII.GetBytes(header + "." + claims));

        await AssertRefusedAsync(header + "." + claims + "." + Base64Url.EncodeToString(signature.Signature));
    }

    [Fact]
    public async Task A_token_issued_across_a_key_rotation_names_the_version_that_signed_it()
    {
        using var vault = new StubVault();
        using var first = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var second = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        vault.AddVersion("token-signing", first);
        string? rotated = null;
        vault.Respond = _ =>
        {
            // The key rotates right after the header's version was read.
            if (vault.Requests.Count == 2 && rotated is null)
            {
                rotated = vault.AddVersion("token-signing", second);
            }

            return null;
        };
        var keys = vault.CreateService(new KeyVaultKeyServiceOptions { KeyCacheDuration = TimeSpan.Zero }, _clock);
        var tokens = new AccessTokens(keys, _options, _clock);

        var issued = await tokens.IssueAsync(_citizen, null);

        Assert.Equal(rotated, JsonDocument.Parse(Base64Url.DecodeFromChars(issued.Token.Split('.')[0])).RootElement.GetProperty("kid").GetString());
        Assert.Equal(LoggedInNow, await tokens.ValidateAsync(issued.Token));
    }

    private async Task AssertRefusedAsync(string token)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => Tokens().ValidateAsync(token));
        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
    }
}
