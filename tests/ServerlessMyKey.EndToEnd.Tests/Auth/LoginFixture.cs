namespace ServerlessMyKey.EndToEnd.Tests.Auth;

/// <summary>The real app with a registered client (a login audience) and CRLs re-read every second.</summary>
public sealed class LoginFixture : DevHostFixture
{
    public const string PortalClient = "city-portal";
    public const string PortalKey = "e2e-city-portal-key-00000000000";

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        [$"Clients:{PortalClient}:ApiKey"] = PortalKey,
        [$"Clients:{PortalClient}:Roles"] = "points.read",
        ["Jpki:Revocation:RefreshSeconds"] = "1",
    };
}
