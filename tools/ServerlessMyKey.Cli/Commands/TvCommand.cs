using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// <c>mykey tv claim</c>: what the resident's app does when it reads the TV's QR code — log in with the
/// card, then claim the pairing code with the resident's registration (docs/disaster.md).
/// </summary>
internal static class TvCommand
{
    public static Command Build(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var api = CommonOptions.Api();
        var code = new Option<string>("--code") { Description = "The pairing code the TV shows.", Required = true };
        var displayName = new Option<string>("--display-name") { Description = "表示名, e.g. \"美波　一郎\".", Required = true };
        var furigana = new Option<string>("--furigana") { Description = "フリガナ, e.g. \"ミナミ　イチロウ\".", Required = true };
        var municipality = new Option<string>("--municipality") { Description = "6-digit municipality code, e.g. 363880.", Required = true };
        var district = new Option<string>("--district") { Description = "District code, e.g. d01.", Required = true };
        var watching = new Option<bool>("--watching") { Description = "Consent to watching (見守り): true or false." };
        var needsAssistance = new Option<bool>("--needs-assistance") { Description = "Needs help to evacuate: true or false." };
        var claim = new Command("claim", "Log in with the card and claim the TV's pairing code with the resident's registration; prints {tvId, residentId}.")
        {
            card, api, code, displayName, furigana, municipality, district, watching, needsAssistance,
        };
        claim.SetAction(async (result, cancellationToken) =>
        {
            var virtualCard = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            using var http = new HttpClient { BaseAddress = new Uri(result.GetRequiredValue(api).TrimEnd('/') + "/") };
            var session = await new MyKeyApiClient(http).LoginAsync(virtualCard, cancellationToken: cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/tv/pairings/{Uri.EscapeDataString(result.GetRequiredValue(code))}/claim")
            {
                Content = JsonContent.Create(new
                {
                    resident = new
                    {
                        displayName = result.GetRequiredValue(displayName),
                        furigana = result.GetRequiredValue(furigana),
                        municipalityCode = result.GetRequiredValue(municipality),
                        districtCode = result.GetRequiredValue(district),
                        needsAssistance = result.GetValue(needsAssistance),
                    },
                    consent = new { watching = result.GetValue(watching) },
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{(int)response.StatusCode} {(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var problem) ? problem.GetString() : string.Empty)}", null, response.StatusCode);
            }

            await io.Out.WriteLineAsync(body.GetRawText());
            return ExitCodes.Done;
        });
        return new Command("tv", "Smart-TV pairing, as the resident's app does it.") { claim };
    }
}
