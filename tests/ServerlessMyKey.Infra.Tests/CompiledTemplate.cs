using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled to its ARM template by the Bicep CLI that infra/build.sh uses (restored
/// from NuGet by infra/tools/bicep-cli.csproj), once per test run; modules are nested deployments.
/// </summary>
internal static class CompiledTemplate
{
    private static readonly Lazy<JsonObject> Main = new(() => Compile("infra/main.bicep"));

    public static JsonObject Root => Main.Value;

    /// <summary>Every resource declared (not <c>existing</c>) in the template and its nested deployments, depth first.</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject? template = null)
    {
        foreach (var resource in (template ?? Root)["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject byName => byName.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        })
        {
            if (resource["existing"] is JsonValue existing && existing.GetValue<bool>())
            {
                continue;
            }

            yield return resource;
            if (resource["properties"] is JsonObject properties && properties["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    public static IEnumerable<JsonObject> OfType(string type) =>
        Resources().Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The nested deployment of module <paramref name="name"/>.</summary>
    public static JsonObject Module(string name) =>
        OfType("Microsoft.Resources/deployments").Single(r => (string?)r["name"] == name);

    private static JsonObject Compile(string relativePath)
    {
        var bicep = BicepPath();
        var start = new ProcessStartInfo(bicep, ["build", RepositoryFiles.PathOf(relativePath), "--stdout"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bicep build {relativePath} failed: {errors.Result}");
        return JsonNode.Parse(output.Result)!.AsObject();
    }

    private static string BicepPath()
    {
        var project = RepositoryFiles.PathOf("infra/tools/bicep-cli.csproj");
        Run("dotnet", "restore", project, "--nologo", "--verbosity", "quiet");
        var path = Run("dotnet", "msbuild", project, "-nologo", "-getProperty:BicepPath").Trim();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static string Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed: {errors.Result}{output.Result}");
        return output.Result;
    }
}
