namespace ServerlessMyKey.Core.Security;

/// <summary>
/// A service client (municipality, merchant, partner, agency, insurer, TV platform) that calls
/// with an <c>x-api-key</c>. Configured as <c>Clients:&lt;clientId&gt;:ApiKey</c> and <c>:Roles</c>.
/// </summary>
public sealed record ServiceClient(string ClientId, IReadOnlySet<string> Roles)
{
    public bool HasRole(string role) => Roles.Contains(role) || Roles.Contains(ServiceRoles.Admin);
}

/// <summary>Role names granted to service clients (see API.md).</summary>
public static class ServiceRoles
{
    public const string Admin = "admin";
}
