using Azure.Core;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// Options of <see cref="KeyVaultKeyService"/>; as <see cref="ClientOptions"/> they also carry the
/// Azure.Core retry policy, diagnostics and transport (tests inject a stub transport).
/// </summary>
public sealed class KeyVaultKeyServiceOptions : ClientOptions
{
    public KeyVaultKeyServiceOptions()
    {
        // Key operations answer in milliseconds; a hung connection must not hold a request for the default 100 s.
        Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>Logical key name (<c>ServiceKeyNames</c>) → Key Vault key name; names not listed are used as they are.</summary>
    public IDictionary<string, string> KeyNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long a key's current version and public key are reused before Key Vault is asked again.</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromMinutes(5);
}
