using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// The TV platforms' and municipalities' webhooks (<c>Clients:&lt;id&gt;:WebhookUrl</c>, signed with
/// <c>x-mykey-signature</c> under <c>:WebhookSecret</c>), over an HTTP client that never follows a
/// redirect: a 3xx is a failed delivery.
/// </summary>
public sealed class TvPlatformWebhooks(ClientWebhooks webhooks)
{
    public const string NoWebhook = "no_webhook";

    /// <summary>Posts the body; <c>null</c> on 2xx, otherwise a short reason (<c>http_503</c>, <c>no_webhook</c>).</summary>
    /// <exception cref="HttpRequestException">No answer.</exception>
    public async Task<string?> PostAsync(string clientId, byte[] body, CancellationToken cancellationToken = default)
    {
        try
        {
            return await webhooks.PostAsync(clientId, body, cancellationToken) ? null : NoWebhook;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is { } status)
        {
            return "http_" + (int)status;
        }
    }

    public bool Has(string clientId) => webhooks.Has(clientId);
}
