using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessMyKey.DevHost.Hosting;

/// <summary>What to host and how.</summary>
public sealed record DevHostOptions
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>The Functions app's assembly; its folder holds functions.metadata and host.json.</summary>
    public required Assembly FunctionsAssembly { get; init; }

    /// <summary>The app's service registrations (the same call Program.cs makes).</summary>
    public Action<IServiceCollection, IConfiguration>? ConfigureServices { get; init; }

    /// <summary>Settings that override local.settings files and the environment (tests use this).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Settings derived at start-up from the configuration and the DevHost's data folder (e.g. the
    /// development PKI's files): above local.settings.sample.json, below every setting of yours.
    /// </summary>
    public Func<DevHostContext, IReadOnlyDictionary<string, string?>>? DerivedDefaults { get; init; }

    /// <summary>Whether to read local.settings.sample.json and functions/local.settings.json from the repository.</summary>
    public bool ReadLocalSettingsFiles { get; init; } = true;

    /// <summary>Whether timer triggers run (tests of other features can turn them off).</summary>
    public bool EnableTimers { get; init; } = true;

    /// <summary>Overrides host.json's Durable task hub name (tests give each run its own hub).</summary>
    public string? DurableHubName { get; init; }

    /// <summary>Overrides host.json's Durable partition count.</summary>
    public int? DurablePartitionCount { get; init; }

    /// <summary>Overrides the lease of a dequeued queue message (<see cref="Metadata.HostSettings.QueueMessageLease"/>).</summary>
    public TimeSpan? QueueMessageLease { get; init; }

    /// <summary>
    /// Adds middleware and endpoints of the host itself (static files, development helpers) before
    /// the functions' routes; runs after CORS, before routing.
    /// </summary>
    public Action<Microsoft.AspNetCore.Builder.WebApplication, DevHostContext>? ConfigureApp { get; init; }

    /// <summary>Where log lines go; <c>null</c> logs to the console.</summary>
    public Action<Microsoft.Extensions.Logging.ILoggingBuilder>? ConfigureLogging { get; init; }

    internal string AppDirectory => Path.GetDirectoryName(FunctionsAssembly.Location)!;
}

/// <summary>What <see cref="DevHostOptions.DerivedDefaults"/> can look at.</summary>
public sealed record DevHostContext(IConfiguration Configuration, string DataPath)
{
    public bool IsDevelopment => string.Equals(Configuration["AZURE_FUNCTIONS_ENVIRONMENT"], "Development", StringComparison.OrdinalIgnoreCase);
}
