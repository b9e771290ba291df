using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>The three lists the parity tests compare, read from the repository as it is.</summary>
internal static class SettingsCatalog
{
    public const string SamplePath = "local.settings.sample.json";
    public const string LocalOnlyPath = "infra/local-only-settings.json";
    public const string FunctionAppPath = "infra/modules/function-app.bicep";

    /// <summary>Keys of <c>Values</c> in local.settings.sample.json.</summary>
    public static IReadOnlyList<string> SampleNames()
    {
        using var json = JsonDocument.Parse(RepositoryFiles.ReadAllText(SamplePath));
        return [.. json.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>Entries of <c>localOnly</c> (name or name pattern → reason).</summary>
    public static IReadOnlyDictionary<string, string> LocalOnly()
    {
        using var json = JsonDocument.Parse(RepositoryFiles.ReadAllText(LocalOnlyPath));
        return json.RootElement.GetProperty("localOnly").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Names (and <c>*</c> patterns for names built from parameters) set on the Function App.</summary>
    public static IReadOnlyList<string> FunctionAppNames() =>
        BicepSource.SettingNames(BicepSource.VariableExpression(RepositoryFiles.ReadAllText(FunctionAppPath), "appSettings"));

    /// <summary>
    /// Whether a name matches a name or pattern; <c>*</c> stands for one or more characters.
    /// Case-insensitive, as .NET configuration keys are.
    /// </summary>
    public static bool Matches(string pattern, string name) =>
        Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace(@"\*", ".+", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase);
}
