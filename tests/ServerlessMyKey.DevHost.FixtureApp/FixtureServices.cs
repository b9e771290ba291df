using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessMyKey.DevHost.FixtureApp;

public static class FixtureServices
{
    public static IServiceCollection AddFixtureApp(this IServiceCollection services, IConfiguration configuration)
    {
        var table = new TableClient(configuration["AzureWebJobsStorage"], configuration["Fixture:Table"] ?? "fixturerecords");
        services.AddSingleton(new Recorder(table));
        return services;
    }
}

/// <summary>Writes what the functions did to a table, so tests can observe it from outside.</summary>
public sealed class Recorder(TableClient table)
{
    public async Task RecordAsync(string kind, string key, string value)
    {
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity(kind, key + "-" + Guid.NewGuid().ToString("N")) { ["Value"] = value });
    }
}
