using System.Data.Common;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.DevHost.Hosting;

/// <summary>
/// Starts Azurite when the storage connection points at loopback and nothing listens there yet;
/// leaves remote accounts and an Azurite you started yourself alone.
/// </summary>
internal static class LocalStorageStarter
{
    public static async Task<AzuriteProcess?> EnsureAsync(string connectionString, string dataPath, string? repositoryRoot, ILogger logger, CancellationToken cancellationToken)
    {
        if (!TryGetLoopbackPorts(connectionString, out var blob, out var queue, out var table))
        {
            return null;
        }

        if (await AzuriteProcess.IsListeningAsync(blob, queue, table, cancellationToken))
        {
            logger.LogInformation("Using the storage emulator already listening on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}", blob, queue, table);
            return null;
        }

        if (repositoryRoot is null)
        {
            throw new InvalidOperationException("Nothing listens on the local storage ports and the repository (with package.json for Azurite) was not found; start Azurite yourself.");
        }

        logger.LogInformation("Starting Azurite on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}", blob, queue, table);
        try
        {
            return await AzuriteProcess.StartAsync(
                new AzuriteOptions { RepositoryRoot = repositoryRoot, BlobPort = blob, QueuePort = queue, TablePort = table, DataPath = Path.Combine(dataPath, "azurite") },
                message => logger.LogInformation("{AzuriteMessage}", message),
                cancellationToken);
        }
        catch (InvalidOperationException)
        {
            if (!await AzuriteProcess.IsListeningAsync(blob, queue, table, cancellationToken))
            {
                throw;
            }

            // Another process (another DevHost, a test) started an emulator on these ports meanwhile: use it.
            logger.LogInformation("Azurite could not bind 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort} because an emulator already listens there; using it", blob, queue, table);
            return null;
        }
    }

    /// <summary>The blob/queue/table ports when the connection string names the local emulator.</summary>
    internal static bool TryGetLoopbackPorts(string connectionString, out int blob, out int queue, out int table)
    {
        (blob, queue, table) = (10000, 10001, 10002);
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev?.ToString(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var endpoints = new[] { "BlobEndpoint", "QueueEndpoint", "TableEndpoint" }
            .Select(k => builder.TryGetValue(k, out var v) && Uri.TryCreate(v?.ToString(), UriKind.Absolute, out var uri) ? uri : null)
            .ToArray();
        if (endpoints.Any(e => e is null || !e.IsLoopback))
        {
            return false;
        }

        (blob, queue, table) = (endpoints[0]!.Port, endpoints[1]!.Port, endpoints[2]!.Port);
        return true;
    }
}
