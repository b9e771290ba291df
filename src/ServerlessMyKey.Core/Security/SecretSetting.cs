namespace ServerlessMyKey.Core.Security;

/// <summary>Checks a secret read from configuration before it is trusted.</summary>
public static class SecretSetting
{
    /// <summary>
    /// Throws naming <paramref name="settingName"/> when the value is shorter than
    /// <paramref name="minimumLength"/>, or is an App Service Key Vault reference that did not
    /// resolve: App Service then leaves the literal <c>@Microsoft.KeyVault(...)</c> text in the
    /// setting, which must never become a usable secret.
    /// </summary>
    public static string Require(string? value, string settingName, int minimumLength)
    {
        if (value is not null && value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Configuration key '{settingName}' is an unresolved Key Vault reference; check that the secret exists and the app's identity may read it.");
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length < minimumLength)
        {
            throw new InvalidOperationException($"Configuration key '{settingName}' must be at least {minimumLength} characters.");
        }

        return value;
    }
}
