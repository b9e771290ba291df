using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ServerlessMyKey.DevHost.Http;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>What the DevHost adds for the front ends: the pages at /, CORS, the Development-only card reader.</summary>
[Collection(WebCollection.Name)]
public sealed class WebHostingTests(WebFixture web)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/portal/mailbox")]
    [InlineData("/console/disaster")]
    public async Task A_page_path_is_answered_with_the_single_page_app(string path)
    {
        var response = await web.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"ja\">", html, StringComparison.Ordinal);
        Assert.Contains("<div id=\"app\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/no-such-route")]
    [InlineData("/dev/no-such-route")]
    public async Task An_unknown_api_path_stays_a_problem_not_the_page(string path)
    {
        var response = await web.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Bundled_assets_are_served_with_a_long_cache()
    {
        var html = await web.Http.GetStringAsync("/");
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;

        var response = await web.Http.GetAsync(script);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_with_that_exact_origin_and_no_credentials()
    {
        using var request = Preflight(WebFixture.AllowedOrigin);

        var response = await web.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(WebFixture.AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("authorization", Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_preflight_from_another_origin_gets_no_cors_headers()
    {
        using var request = Preflight("https://evil.example");

        var response = await web.Http.SendAsync(request);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_call_from_an_allowed_origin_may_be_read_by_that_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/health");
        request.Headers.Add("Origin", WebFixture.AllowedOrigin);

        var response = await web.Http.SendAsync(request);

        Assert.Equal(WebFixture.AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://city.example.lg.jp/console")]
    [InlineData("https://*.example.lg.jp")]
    [InlineData("ftp://city.example.lg.jp")]
    public void A_wildcard_or_a_path_is_not_an_origin(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [CorsSettings.Key] = value }).Build();

        var error = Assert.Throws<FormatException>(() => CorsSettings.Read(configuration));

        Assert.Contains(CorsSettings.Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_card_reader_signs_with_the_cards_authentication_key()
    {
        var card = web.Pki.IssueCard(new("伊藤　花", "東京都千代田区霞が関2-2-2", new DateOnly(2000, 2, 29), "female"));
        var data = RandomNumberGenerator.GetBytes(32);

        var response = await web.Http.PostAsJsonAsync($"dev/cards/{card.Id}/signatures", new { key = "authentication", data = Convert.ToBase64String(data) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(card.AuthenticationCertificate.RawData, Convert.FromBase64String(body.GetProperty("certificate").GetString()!));
        using var key = card.AuthenticationCertificate.GetRSAPublicKey()!;
        Assert.True(key.VerifyData(data, Convert.FromBase64String(body.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Theory]
    [InlineData("card-00000000", "authentication", "AAEC", HttpStatusCode.NotFound, "card_not_found")]
    [InlineData("../../keys", "authentication", "AAEC", HttpStatusCode.NotFound, "card_not_found")]
    [InlineData(null, "root", "AAEC", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData(null, "signing", "", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData(null, "signing", "not base64!", HttpStatusCode.BadRequest, "invalid_request")]
    public async Task The_card_reader_refuses_what_a_card_would_not_do(string? cardId, string key, string data, HttpStatusCode status, string code)
    {
        cardId ??= web.Pki.IssueCard(new("伊藤　花", "東京都千代田区霞が関2-2-2", new DateOnly(2000, 2, 29), "female")).Id;

        var response = await web.Http.PostAsJsonAsync($"dev/cards/{Uri.EscapeDataString(cardId)}/signatures", new { key, data });

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "api/me");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

/// <summary>Outside Development the DevHost has no card reader: the route does not exist.</summary>
public sealed class CardReaderOutsideDevelopmentTests
{
    [Fact]
    public async Task Outside_development_the_card_reader_does_not_exist()
    {
        var dataPath = DevHostFixture.NewDataPath("prod");
        await using var host = await DevHostFixture.StartAsync(await AzuriteServer.GetConnectionStringAsync(), dataPath, new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
            ["KeyVault:Uri"] = "https://kv-never-called.vault.azure.net/",
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var list = await http.GetAsync("dev/cards");
        var sign = await http.PostAsJsonAsync("dev/cards/card-00000000/signatures", new { key = "authentication", data = "AAEC" });
        var health = await http.GetAsync("api/health");

        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, sign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(dataPath, "pki")), "outside Development no development PKI is created");
    }
}
