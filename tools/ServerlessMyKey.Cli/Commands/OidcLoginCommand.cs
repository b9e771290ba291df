using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// <c>mykey oidc-login --card &lt;id&gt; --authorize-url &lt;url&gt;</c> (or <c>--request &lt;requestId&gt;</c>):
/// the holder's part of an OpenID Connect sign-in with a virtual card; prints where the browser goes next.
/// </summary>
public static class OidcLoginCommand
{
    public static async Task<int> RunAsync(VirtualCard card, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var requestId = options.TryGetValue("request", out var given) && given.Length > 0
            ? given
            : await OidcLoginClient.StartAsync(new Uri(options.TryGetValue("authorize-url", out var url) ? url : throw new ArgumentException("--authorize-url or --request is required.")));
        using var http = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("api", "http://127.0.0.1:7071").TrimEnd('/') + "/") };
        var client = new OidcLoginClient(http);
        var request = await client.GetRequestAsync(requestId);
        Console.Error.WriteLine($"{request.GetProperty("clientName").GetString()} asks for: {string.Join(' ', request.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()))}");
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { redirectTo = await client.LoginAsync(card, requestId) }));
        return 0;
    }
}
