using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>A setting that names a Storage queue (a queue trigger reads it as <c>%key%</c>): checked at start-up.</summary>
internal static partial class QueueNameSetting
{
    /// <summary>The configured name, or <paramref name="defaultName"/> when the key is empty; an invalid name stops the app, naming the key.</summary>
    public static string Read(IConfiguration configuration, string key, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration[key];
        if (string.IsNullOrEmpty(name))
        {
            return defaultName;
        }

        return ValidQueueName().IsMatch(name)
            ? name
            : throw new InvalidOperationException($"Configuration key '{key}' must be a queue name: 3–63 lowercase letters, digits and single hyphens.");
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]\\z")]
    private static partial Regex ValidQueueName();
}
