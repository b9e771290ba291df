using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.Azure.Hosting;

/// <summary>
/// Which kind of deployment the app runs in, read from the settings the Functions host, the generic
/// host and ASP.NET Core use. Development-only conveniences (local key files) check it so that a
/// deployment that forgot a setting fails at start-up instead of quietly running on them.
/// </summary>
public static class DeploymentEnvironment
{
    public const string Development = "Development";

    /// <summary>The settings read, in order; the first one that is set decides.</summary>
    public static IReadOnlyList<string> SettingNames { get; } =
        ["AZURE_FUNCTIONS_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT"];

    /// <summary>
    /// True when the first of <see cref="SettingNames"/> that is set equals <c>Development</c>.
    /// The first set one decides (rather than any of them) because Azure sets
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT=Production</c>, and a stray <c>DOTNET_ENVIRONMENT</c> in app
    /// settings must not turn a production app into a development one.
    /// </summary>
    public static bool IsDevelopment(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var name in SettingNames)
        {
            var value = configuration[name];
            if (!string.IsNullOrWhiteSpace(value))
            {
                return string.Equals(value.Trim(), Development, StringComparison.OrdinalIgnoreCase);
            }
        }

        return false;
    }
}
