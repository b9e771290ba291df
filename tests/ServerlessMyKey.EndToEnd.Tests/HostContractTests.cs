using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessMyKey.DevHost.Metadata;
using ServerlessMyKey.Functions.OpenApi;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// Contract checks over every route the real app declares, so each route added later is covered
/// without new tests: served by the DevHost, documented in OpenAPI, never a 5xx for bad input, and — with
/// the credentials each route takes (<see cref="HostContractFixture"/>) — malformed JSON is exactly
/// <c>400 invalid_json</c> and a body over 1 MiB exactly <c>413 payload_too_large</c>.
/// </summary>
public sealed partial class HostContractTests(HostContractFixture app) : IClassFixture<HostContractFixture>
{
    private static readonly string[] BodyMethods = ["POST", "PUT", "PATCH"];

    private static IReadOnlyList<FunctionMetadata> RealAppMetadata() =>
        FunctionMetadata.Load(Path.Combine(AppContext.BaseDirectory, FunctionMetadata.FileName));

    /// <summary>Every (method, concrete path) an HTTP function of the real app declares.</summary>
    public static TheoryData<string, string> HttpRoutes()
    {
        var data = new TheoryData<string, string>();
        foreach (var function in RealAppMetadata())
        {
            var trigger = function.Bindings.FirstOrDefault(b => b.Type == "httpTrigger");
            if (trigger is null)
            {
                continue;
            }

            var path = "api/" + RouteParameter().Replace(trigger.Route ?? function.Name, m => m.Groups["constraint"].Value.StartsWith(":int", StringComparison.Ordinal) ? "1" : "sample");
            foreach (var method in trigger.Methods ?? ["get", "post"])
            {
                data.Add(method.ToUpperInvariant(), path);
            }
        }

        return data;
    }

    /// <summary>
    /// Every authenticated (method, path, content type) with a body — POST, PUT, PATCH whose OpenAPI operation
    /// names a security scheme — with the media type it documents. <c>{myKeyId}</c> stays for the citizen's,
    /// <c>{part}</c> is 1, every other parameter <see cref="HostContractFixture.RouteValue"/>.
    /// </summary>
    public static TheoryData<string, string, string> AuthenticatedBodyRoutes()
    {
        var data = new TheoryData<string, string, string>();
        using var document = JsonDocument.Parse(OpenApiDocumentFactory.Json);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            var concrete = "api" + Regex.Replace(path.Name, @"\{(?<name>[^}]+)\}", m => m.Groups["name"].Value switch
            {
                "myKeyId" => "{myKeyId}",
                "part" => "1",
                _ => HostContractFixture.RouteValue,
            });
            foreach (var operation in path.Value.EnumerateObject().Where(o => BodyMethods.Contains(o.Name.ToUpperInvariant())))
            {
                if (operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0 && !OAuthEndpoints.Contains("/" + concrete))
                {
                    var contentType = operation.Value.TryGetProperty("requestBody", out var body) ? body.GetProperty("content").EnumerateObject().First().Name : "application/json";
                    data.Add(operation.Name.ToUpperInvariant(), concrete, contentType);
                }
            }
        }

        return data;
    }

    /// <summary>The JSON ones of <see cref="AuthenticatedBodyRoutes"/>.</summary>
    public static TheoryData<string, string> AuthenticatedJsonRoutes()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in AuthenticatedBodyRoutes().Where(row => (string)row[2] == "application/json"))
        {
            data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [Fact]
    public void Every_function_in_the_real_apps_metadata_is_hosted_by_the_DevHost()
    {
        var declared = RealAppMetadata().Select(f => f.Name).Order().ToList();

        Assert.Contains("Health", declared);
        Assert.Contains("OpenApi", declared);
        Assert.Equal(declared, app.Host.Catalog.Functions.Select(f => f.Name).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(HttpRoutes))]
    public async Task Route_is_served_at_its_declared_method(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var response = await app.Http.SendAsync(request);

        Assert.True(response.StatusCode < HttpStatusCode.InternalServerError, $"{method} {path} gave {(int)response.StatusCode}");
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
            Assert.NotEqual("method_not_allowed", code);
            Assert.NotEqual("not_found", code); // the DevHost's "no function here"; a function's own 404 has its own code
        }
    }

    [Theory]
    [MemberData(nameof(HttpRoutes))]
    public async Task Route_is_in_the_openapi_document(string method, string path)
    {
        var document = await app.Http.GetFromJsonAsync<JsonElement>(new Uri("api/openapi.json", UriKind.Relative));
        var template = Template(path);

        Assert.True(document.GetProperty("paths").GetProperty(template).TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {template} is not documented");
    }

    // The route template a concrete path is served by.
    private static string Template(string path) => RealAppMetadata()
        .SelectMany(f => f.Bindings.Where(b => b.Type == "httpTrigger").Select(b => "/" + RouteParameter().Replace(b.Route ?? f.Name, m => "{" + m.Groups["name"].Value + "}")))
        .Where(t => Regex.IsMatch("/" + path["api/".Length..], "^" + Regex.Replace(Regex.Escape(t), @"\\\{[^}]+}", "[^/]+") + "$"))

        // Like the router, a literal segment wins over a parameter (delegations/verifications over delegations/{id}).
        .OrderBy(t => t.Count(c => c == '{'))
        .First();

    [Theory]
    [MemberData(nameof(HttpRoutes))]
    public async Task Malformed_json_is_never_a_5xx(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{\"unterminated\": [1, 2", Encoding.UTF8, "application/json") };
        var response = await app.Http.SendAsync(request);

        await AssertClientErrorOrSuccessAsync(response, method, expectClientError: BodyMethods.Contains(method));

        // A route that wants credentials documents them, so the tests with credentials below cover it.
        if (response.StatusCode == HttpStatusCode.Unauthorized && !OAuthEndpoints.Contains("/" + path))
        {
            using var document = JsonDocument.Parse(OpenApiDocumentFactory.Json);
            var operation = document.RootElement.GetProperty("paths").GetProperty(Template(path)).GetProperty(method.ToLowerInvariant());
            Assert.True(operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{method} {path} answers 401 but documents no security scheme");
        }
    }

    [Theory]
    [MemberData(nameof(HttpRoutes))]
    public async Task Body_over_one_mebibyte_is_never_a_5xx(string method, string path)
    {
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"padding\":\"" + new string('x', 1024 * 1024) + "\"}"));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body };
        using var response = await SendExpectingContinueAsync(request);

        await AssertClientErrorOrSuccessAsync(response, method, expectClientError: BodyMethods.Contains(method));
        if (BodyMethods.Contains(method) && response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            // OAuth endpoints answer an RFC 6749 error, which has no code of its own for size: invalid_request.
            Assert.Equal(
                OAuthEndpoints.Contains("/" + path) ? ("invalid_request", "error") : ("payload_too_large", "code"),
                OAuthEndpoints.Contains("/" + path) ? (answer.GetProperty("error").GetString(), "error") : (answer.GetProperty("code").GetString(), "code"));
        }
    }

    [Theory]
    [MemberData(nameof(AuthenticatedJsonRoutes))]
    public async Task Malformed_json_with_credentials_is_invalid_json(string method, string path)
    {
        var body = "{\"unterminated\": [1, 2"u8.ToArray();
        using var request = AuthenticatedRequest(method, path, "application/json", body);
        using var response = await app.Http.SendAsync(request);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [MemberData(nameof(AuthenticatedBodyRoutes))]
    public async Task Body_over_one_mebibyte_with_credentials_is_payload_too_large(string method, string path, string contentType)
    {
        var body = Encoding.UTF8.GetBytes("{\"padding\":\"" + new string('x', 1024 * 1024) + "\"}");
        using var request = AuthenticatedRequest(method, path, contentType, body);
        using var response = await SendExpectingContinueAsync(request);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    // Expect: 100-continue, and no give-up timer: the body is sent only once the server starts reading it. A
    // route that answers first (401, or 413 from Content-Length) never reads it, so the client never writes a
    // body the server will not take (which reset the connection when the answer won the race under load).
    private async Task<HttpResponseMessage> SendExpectingContinueAsync(HttpRequestMessage request)
    {
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(2) }) { BaseAddress = app.Host.BaseAddress };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync(); // read after the client is gone, and twice (ReadAsStringAsync reads the buffer)
        return response;
    }

    private HttpRequestMessage AuthenticatedRequest(string method, string path, string contentType, byte[] body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{myKeyId}", app.MyKeyId, StringComparison.Ordinal)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        app.Authenticate(request, body);
        return request;
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_404()
    {
        var response = await app.Http.GetAsync(new Uri("api/no-such-route", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static readonly string[] OAuthEndpoints = ["/api/oidc/authorize", "/api/oidc/token", "/api/oidc/userinfo"];

    private static async Task AssertClientErrorOrSuccessAsync(HttpResponseMessage response, string method, bool expectClientError)
    {
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{method} {response.RequestMessage?.RequestUri} gave {status}: {await response.Content.ReadAsStringAsync()}");
        if (expectClientError)
        {
            Assert.InRange(status, 400, 499);
        }

        if (status >= 400 && OAuthEndpoints.Contains(response.RequestMessage!.RequestUri!.AbsolutePath))
        {
            // RFC 6749 §5.2: OAuth clients expect {"error":"…"}, not problem+json (docs/oidc.md).
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Matches("^[a-z_]+$", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
        else if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Matches("^[a-z_]+$", problem.GetProperty("code").GetString());
        }
    }

    [GeneratedRegex(@"\{\*?(?<name>[A-Za-z0-9_]+)(?<constraint>:[^}?]+)?\??\}")]
    private static partial Regex RouteParameter();
}
