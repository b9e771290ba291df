using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.DevHost.Hosting;

/// <summary>Resolves <c>%Name%</c> app-setting references in binding values, as the Functions host does.</summary>
internal static partial class SettingResolver
{
    public static string Resolve(string value, IConfiguration configuration) =>
        SettingReference().Replace(value, m =>
            configuration[m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal)]
            ?? throw new InvalidOperationException($"The binding refers to the app setting '{m.Groups[1].Value}', which is not set."));

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
