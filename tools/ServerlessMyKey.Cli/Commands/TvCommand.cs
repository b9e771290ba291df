using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static ServerlessMyKey.Cli.Commands.MyKeyCommand;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// <c>mykey tv claim</c>: what the resident's app does when it reads the TV's QR code — log in with the
/// card, then claim the pairing code with the resident's registration (docs/disaster.md).
/// </summary>
public static class TvCommand
{
    public const string Usage = """
          mykey tv claim --card <id> --code <pairing code> --display-name "美波　一郎" --furigana "ミナミ　イチロウ"
                         --municipality 363880 --district d01 [--watching true|false] [--needs-assistance true|false]
        """;

    /// <summary>Runs a <c>tv</c> verb; <c>null</c> when the verb is not one of them.</summary>
    public static async Task<int?> TryRunAsync(string verb, IReadOnlyDictionary<string, string> options)
    {
        if (verb != "tv claim")
        {
            return null;
        }

        var card = MyKeyCommand.Open(options).LoadCard(Required(options, "card"));
        using var http = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("api", "http://127.0.0.1:7071").TrimEnd('/') + "/") };
        var session = await new MyKeyApiClient(http).LoginAsync(card);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/tv/pairings/{Uri.EscapeDataString(Required(options, "code"))}/claim")
        {
            Content = JsonContent.Create(new
            {
                resident = new
                {
                    displayName = Required(options, "display-name"),
                    furigana = Required(options, "furigana"),
                    municipalityCode = Required(options, "municipality"),
                    districtCode = Required(options, "district"),
                    needsAssistance = Flag(options, "needs-assistance"),
                },
                consent = new { watching = Flag(options, "watching") },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var code) ? code.GetString() : string.Empty)}", null, response.StatusCode);
        }

        Console.WriteLine(body.GetRawText());
        return 0;
    }

    private static bool Flag(IReadOnlyDictionary<string, string> options, string name) => options.GetValueOrDefault(name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new ArgumentException($"--{name} must be true or false, not '{other}'."),
    };
}
