using System.CommandLine;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// <c>mykey oidc-login --card &lt;id&gt; --authorize-url &lt;url&gt;</c> (or <c>--request &lt;requestId&gt;</c>):
/// the holder's part of an OpenID Connect sign-in with a virtual card; prints where the browser goes next.
/// </summary>
internal static class OidcLoginCommand
{
    public static Command Build(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var api = CommonOptions.Api();
        var authorizeUrl = new Option<string?>("--authorize-url") { Description = "The relying party's authorization URL (GET /api/oidc/authorize?…)." };
        var requestId = new Option<string?>("--request") { Description = "A login request id (?requestId= of the login page) instead of --authorize-url." };
        var command = new Command("oidc-login", "The holder's part of an OpenID Connect sign-in: read the request, sign its challenge with the card; prints {redirectTo} with the code.")
        {
            card, api, authorizeUrl, requestId,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(authorizeUrl) is null) == (result.GetValue(requestId) is null))
            {
                result.AddError("Give either --authorize-url or --request.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var virtualCard = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            var id = result.GetValue(requestId) ?? await OidcLoginClient.StartAsync(new Uri(result.GetValue(authorizeUrl)!));
            using var http = new HttpClient { BaseAddress = new Uri(result.GetRequiredValue(api).TrimEnd('/') + "/") };
            var client = new OidcLoginClient(http);
            var request = await client.GetRequestAsync(id);
            await io.Error.WriteLineAsync($"{request.GetProperty("clientName").GetString()} asks for: {string.Join(' ', request.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()))}");
            await io.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new { redirectTo = await client.LoginAsync(virtualCard, id) }));
            return ExitCodes.Done;
        });
        return command;
    }
}
