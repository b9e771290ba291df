using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.DevHost.FixtureApp;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>Starts a DevHost over the fixture app, on a free port, with its own queue, table and task hub.</summary>
public sealed class FixtureDevHost
{
    public FixtureDevHost(string connectionString, string? hubName = null)
    {
        ConnectionString = connectionString;
        Queue = AzuriteServer.UniqueName("work-");
        Table = AzuriteServer.UniqueName("records");
        HubName = hubName ?? AzuriteServer.UniqueName("hub");
    }

    /// <summary>The lease of a dequeued message, short so that a test can outlast it.</summary>
    public static readonly TimeSpan QueueMessageLease = TimeSpan.FromSeconds(5);

    public string ConnectionString { get; }

    public string Queue { get; }

    public string Table { get; }

    public string HubName { get; }

    public TableClient Records => new(ConnectionString, Table);

    public Task<DevHostApp> StartAsync(bool enableTimers = true) =>
        DevHostApp.StartAsync(new DevHostOptions
        {
            FunctionsAssembly = typeof(FixtureFunctions).Assembly,
            ConfigureServices = (services, configuration) => services.AddFixtureApp(configuration),
            ReadLocalSettingsFiles = false,
            EnableTimers = enableTimers,
            DurableHubName = HubName,
            QueueMessageLease = QueueMessageLease,
            ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning),
            Settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = ConnectionString,
                ["urls"] = "http://127.0.0.1:0",
                ["Fixture:Queue"] = Queue,
                ["Fixture:Table"] = Table,
            },
        });

    /// <summary>Rows the fixture's functions recorded for <paramref name="kind"/>.</summary>
    public async Task<List<TableEntity>> RecordsAsync(string kind)
    {
        await Records.CreateIfNotExistsAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in Records.QueryAsync<TableEntity>(e => e.PartitionKey == kind))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (condition(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }
}
