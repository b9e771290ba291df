using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Security;

/// <summary>
/// Authenticates service clients by API key. Keys are held only as SHA-256 hashes and compared in
/// constant time against every configured client, so neither the key nor which client matched
/// leaks through timing.
/// </summary>
public sealed class ServiceClientAuthenticator
{
    /// <summary>Shortest API key accepted in configuration (128 bits of base64 text).</summary>
    public const int MinimumApiKeyLength = 22;

    private readonly (ServiceClient Client, byte[] KeyHash)[] _clients;

    public ServiceClientAuthenticator(IEnumerable<ServiceClientRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var clients = new List<(ServiceClient, byte[])>();
        var seenHashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            var apiKey = SecretSetting.Require(registration.ApiKey, $"Clients:{registration.ClientId}:ApiKey", MinimumApiKeyLength);
            var hash = Hash(apiKey);
            if (!seenHashes.Add(Convert.ToHexString(hash)))
            {
                throw new InvalidOperationException(
                    $"Configuration key 'Clients:{registration.ClientId}:ApiKey' repeats the API key of another client.");
            }

            var roles = registration.Roles
                .Select(r => r.Trim())
                .Where(r => r.Length > 0)
                .ToHashSet(StringComparer.Ordinal);
            clients.Add((new ServiceClient(registration.ClientId, roles), hash));
        }

        _clients = [.. clients];
    }

    /// <summary>Whether <paramref name="clientId"/> names a configured client (e.g. a login challenge's audience).</summary>
    public bool IsClient(string clientId) => _clients.Any(c => c.Client.ClientId == clientId);

    /// <summary>Whether <paramref name="clientId"/> names a configured client holding <paramref name="role"/> (e.g. the platform a webhook speaks for).</summary>
    public bool IsClientWithRole(string clientId, string role) => _clients.Any(c => c.Client.ClientId == clientId && c.Client.HasRole(role));

    /// <summary>The client whose key this is, or <c>null</c>.</summary>
    public ServiceClient? Authenticate(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 512)
        {
            return null;
        }

        var presented = Hash(apiKey);
        ServiceClient? match = null;
        foreach (var (client, keyHash) in _clients)
        {
            // No early exit: every configured key is compared.
            if (CryptographicOperations.FixedTimeEquals(presented, keyHash))
            {
                match = client;
            }
        }

        return match;
    }

    /// <summary>
    /// The client for <paramref name="apiKey"/> when it holds <paramref name="role"/>; otherwise a
    /// <see cref="ServiceException"/> with <c>unauthenticated</c> (401) or <c>forbidden</c> (403).
    /// </summary>
    public ServiceClient Require(string? apiKey, string role)
    {
        var client = Authenticate(apiKey) ?? throw new ServiceException(ErrorCodes.Unauthenticated, "A valid x-api-key is required.");
        return client.HasRole(role)
            ? client
            : throw new ServiceException(ErrorCodes.Forbidden, $"This operation needs the role '{role}'.");
    }

    private static byte[] Hash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
}

/// <summary>One configured client as read from configuration.</summary>
public sealed record ServiceClientRegistration(string ClientId, string ApiKey, IReadOnlyList<string> Roles);
