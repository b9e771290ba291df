using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.DevHost.Hosting;

namespace ServerlessMyKey.DevHost.Web;

/// <summary>
/// The Development-only card reader for the citizen portal: the browser cannot hold a My Number
/// Card, so the DevHost lets the page use the <c>mykey</c> virtual cards of its development PKI.
/// The page still logs in through the real API (challenge → the card signs → session); this helper
/// only does what the card's chip does — sign given bytes with a key that never leaves it.
/// Mapped only when <c>AZURE_FUNCTIONS_ENVIRONMENT</c> is Development, answered only to loopback
/// callers, and never part of the Functions app (Azure has no such route).
/// </summary>
public static partial class VirtualCardEndpoints
{
    public const string Prefix = "/dev/cards";

    private const int MaxDataBytes = 4096;

    public static void Map(WebApplication app, DevHostContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);
        // Both readings must say Development: the DevHost's own and the app's (which lets a stray
        // DOTNET_ENVIRONMENT never turn a production configuration into a development one).
        if (!context.IsDevelopment || !DeploymentEnvironment.IsDevelopment(context.Configuration))
        {
            return;
        }

        var pkiFolder = Path.Combine(context.DataPath, "pki");
        var cards = app.MapGroup(Prefix).AddEndpointFilter(async (invocation, next) =>
            IsLoopback(invocation.HttpContext.Connection.RemoteIpAddress)
                ? await next(invocation)
                : Problem(StatusCodes.Status403Forbidden, "forbidden", "The development card reader answers only on this machine."));

        cards.MapGet("/", () => Results.Ok(new { cards = DevelopmentPki.LoadOrCreate(pkiFolder).CardIds().Select(id => new { cardId = id }) }));

        cards.MapPost("/", (NewCardRequest? request) =>
        {
            if (request is null || !TryHolder(request, out var holder))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_request", "name (≤64), address (≤128), birth (YYYY-MM-DD) and sex (male|female|unknown) are required.");
            }

            var card = DevelopmentPki.LoadOrCreate(pkiFolder).IssueCard(holder);
            return Results.Created($"{Prefix}/{card.Id}", new { cardId = card.Id });
        });

        cards.MapPost("/{cardId}/signatures", (string cardId, SignatureRequest? request) =>
        {
            if (!CardId().IsMatch(cardId))
            {
                return Problem(StatusCodes.Status404NotFound, "card_not_found", "No such virtual card.");
            }

            byte[] data;
            try
            {
                data = request?.Data is { Length: > 0 and <= MaxDataBytes * 2 } b64 ? Convert.FromBase64String(ToStandardBase64(b64)) : [];
            }
            catch (FormatException)
            {
                data = [];
            }

            if (data.Length is 0 or > MaxDataBytes || request!.Key is not ("authentication" or "signing"))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_request", $"key (authentication|signing) and data (base64, 1–{MaxDataBytes} bytes) are required.");
            }

            VirtualCard card;
            try
            {
                card = DevelopmentPki.LoadOrCreate(pkiFolder).LoadCard(cardId);
            }
            catch (FileNotFoundException)
            {
                return Problem(StatusCodes.Status404NotFound, "card_not_found", "No such virtual card.");
            }

            var signing = request.Key == "signing";
            return Results.Ok(new
            {
                certificate = Convert.ToBase64String((signing ? card.SigningCertificate : card.AuthenticationCertificate).RawData),
                signature = Convert.ToBase64String(signing ? card.SignWithSigningKey(data) : card.SignWithAuthenticationKey(data)),
            });
        });
    }

    private static bool TryHolder(NewCardRequest request, out CardHolder holder)
    {
        holder = null!;
        if (request.Name is not { Length: > 0 and <= 64 } name || request.Address is not { Length: > 0 and <= 128 } address
            || !DateOnly.TryParseExact(request.Birth, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || (request.Sex ?? "unknown") is not ("male" or "female" or "unknown"))
        {
            return false;
        }

        holder = new CardHolder(name, address, birth, request.Sex ?? "unknown");
        return true;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string ToStandardBase64(string value)
    {
        var standard = value.Replace('-', '+').Replace('_', '/');
        return standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
    }

    private static IResult Problem(int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: code.Replace('_', ' '), extensions: new Dictionary<string, object?> { ["code"] = code });

    [GeneratedRegex(@"^card-[0-9a-f]{8}\z")]
    private static partial Regex CardId();

    private sealed record NewCardRequest(string? Name, string? Address, string? Birth, string? Sex);

    private sealed record SignatureRequest(string? Key, string? Data);
}
