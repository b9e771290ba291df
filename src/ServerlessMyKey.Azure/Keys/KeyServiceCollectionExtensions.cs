using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure;

public static class KeyServiceCollectionExtensions
{
    public const string VaultUriSetting = "KeyVault:Uri";

    /// <summary>
    /// The service keys (<see cref="IKeyService"/>): Key Vault when <c>KeyVault:Uri</c> is set
    /// (key names mapped by <c>KeyVault:Keys:&lt;logical name&gt;</c>, identity per
    /// <c>KeyVault:ClientId</c>), otherwise local key files, which only a Development environment
    /// may use. Bad settings throw here, at start-up, naming the setting.
    /// </summary>
    public static IServiceCollection AddServiceKeys(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var vault = configuration[VaultUriSetting];
        if (string.IsNullOrWhiteSpace(vault))
        {
            if (!DeploymentEnvironment.IsDevelopment(configuration))
            {
                throw new InvalidOperationException(
                    $"Configuration key '{VaultUriSetting}' is required: local key files are for development only (set AZURE_FUNCTIONS_ENVIRONMENT=Development to use them).");
            }

            var directory = LocalKeyFileService.ResolveDirectory(configuration);
            services.AddSingleton<IKeyService>(sp => new LocalKeyFileService(directory, sp.GetService<ILogger<LocalKeyFileService>>()));
            return services;
        }

        var vaultUri = ParseVaultUri(vault);
        var options = ReadKeyVaultOptions(configuration);
        var credential = AzureCredentials.ForService(configuration, "KeyVault");
        services.AddSingleton<IKeyService>(sp => new KeyVaultKeyService(
            vaultUri, credential, options, sp.GetService<TimeProvider>(), sp.GetService<ILogger<KeyVaultKeyService>>()));
        return services;
    }

    private static Uri ParseVaultUri(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath == "/" && uri.Query.Length == 0
            ? uri
            : throw new InvalidOperationException(
                $"Configuration key '{VaultUriSetting}' must be the vault's absolute https URI, such as https://<vault>.vault.azure.net/ (was '{value}').");

    /// <summary>
    /// <c>KeyVault:Keys:&lt;logical&gt;</c> for each logical name. Linux app settings cannot contain
    /// hyphens, so <c>KeyVault__Keys__token_signing</c> is read as <c>token-signing</c> too.
    /// </summary>
    private static KeyVaultKeyServiceOptions ReadKeyVaultOptions(IConfiguration configuration)
    {
        var options = new KeyVaultKeyServiceOptions();
        foreach (var entry in configuration.GetSection("KeyVault:Keys").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value))
            {
                continue;
            }

            var name = entry.Value.Trim();
            if (!KeyVaultKeyService.IsKeyVaultName(name))
            {
                throw new InvalidOperationException(
                    $"Configuration key '{KeyVaultKeyService.SettingFor(entry.Key)}' must be a Key Vault key name (1-127 letters, digits and hyphens; was '{entry.Value}').");
            }

            options.KeyNames[entry.Key.Replace('_', '-')] = name;
        }

        return options;
    }
}
