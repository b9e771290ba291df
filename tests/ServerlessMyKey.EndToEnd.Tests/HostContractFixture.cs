using System.Text;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// The real app with the credentials every route takes: a service client with role <c>admin</c>, a logged-in
/// citizen (their MyKey ID fills <c>{myKeyId}</c>), and the webhook secret of the <c>mynaportal</c> source and of
/// platform <see cref="RouteValue"/> (a client with role <c>tv.platform</c>), so that the contract tests reach the body of each route.
/// </summary>
public sealed class HostContractFixture : DevHostFixture
{
    /// <summary>What fills each route parameter other than <c>{myKeyId}</c>.</summary>
    public const string RouteValue = "sample";

    public const string AdminKey = "e2e-contract-admin-key-0000000000";
    private const string WebhookSecret = "e2e-contract-webhook-secret-0123456789";

    public string MyKeyId { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        MyKeyId = await NewCitizenAsync();
    }

    /// <summary>Adds the admin key, the citizen's bearer token, a new Idempotency-Key and a webhook signature over <paramref name="body"/>.</summary>
    public void Authenticate(HttpRequestMessage request, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Add("x-api-key", AdminKey);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + AccessToken(MyKeyId));
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(WebhookSecret), DateTimeOffset.UtcNow, body));
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:e2e-contract:ApiKey"] = AdminKey,
        ["Clients:e2e-contract:Roles"] = ServiceRoles.Admin,
        ["Webhooks:mynaportal:Secret"] = WebhookSecret,
        [$"Webhooks:{RouteValue}:Secret"] = WebhookSecret,

        // The TV events route takes only a TV platform's webhook source.
        [$"Clients:{RouteValue}:ApiKey"] = "e2e-contract-sample-platform-key-00000",
        [$"Clients:{RouteValue}:Roles"] = "tv.platform",
    };
}
