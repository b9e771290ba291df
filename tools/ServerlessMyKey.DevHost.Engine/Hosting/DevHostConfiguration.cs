using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.DevHost.Hosting;

/// <summary>
/// Builds the configuration the app sees, lowest precedence first: local.settings.sample.json
/// (safe defaults), the derived development defaults (e.g. the development PKI), then
/// functions/local.settings.json (your overrides, as <c>func start</c> reads it), environment
/// variables, the options' settings, and the command line.
/// </summary>
internal static class DevHostConfiguration
{
    public static IConfigurationRoot Build(DevHostOptions options, string[] args, string? repositoryRoot)
    {
        var configuration = Build(options, args, repositoryRoot, derived: null);
        if (options.DerivedDefaults is null)
        {
            return configuration;
        }

        var derived = options.DerivedDefaults(new DevHostContext(configuration, DataPath(configuration, repositoryRoot)));
        return Build(options, args, repositoryRoot, derived);
    }

    private static IConfigurationRoot Build(DevHostOptions options, string[] args, string? repositoryRoot, IReadOnlyDictionary<string, string?>? derived)
    {
        // Like `func start`, the DevHost is a Development environment unless told otherwise.
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });
        var readFiles = options.ReadLocalSettingsFiles && repositoryRoot is not null;
        if (readFiles)
        {
            builder.AddInMemoryCollection(ReadValues(Path.Combine(repositoryRoot!, "local.settings.sample.json")));
        }

        builder.AddInMemoryCollection(derived ?? new Dictionary<string, string?>());
        if (readFiles)
        {
            builder.AddInMemoryCollection(ReadValues(Path.Combine(repositoryRoot!, "functions", "local.settings.json")));
        }

        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(options.Settings);
        builder.AddCommandLine(args);
        return builder.Build();
    }

    /// <summary>The <c>Values</c> of a local.settings file, with <c>__</c> read as the section separator.</summary>
    internal static Dictionary<string, string?> ReadValues(string path)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return values;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        return values;
    }

    /// <summary>The DevHost's data folder (<c>DevHost:DataPath</c>), relative paths taken from the repository root.</summary>
    public static string DataPath(IConfiguration configuration, string? repositoryRoot)
    {
        var configured = configuration["DevHost:DataPath"];
        var root = repositoryRoot ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(root, ".devhost") : Path.Combine(root, configured));
    }

    public static string? RepositoryRootOrNull() => RepositoryRoot.TryFind();
}
