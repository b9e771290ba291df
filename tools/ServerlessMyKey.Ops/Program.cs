using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Core.Operations;

// mykey-ops tables export | tables restore <backupId> | disaster migrate-tv-keys
// Storage from AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName (the
// operator's az login / DefaultAzureCredential; needs Storage Blob Data Contributor and Storage Table
// Data Contributor on the account). See docs/operations.md, "Restoring data", and docs/disaster.md, "Upgrading".
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
if (args is not ["tables", "export"] and not ["tables", "restore", _] and not ["disaster", "migrate-tv-keys"])
{
    await Console.Error.WriteLineAsync("usage: mykey-ops tables export | mykey-ops tables restore <backupId> | mykey-ops disaster migrate-tv-keys\n(set AzureWebJobsStorage__accountName=<account>, or AzureWebJobsStorage=<connection string>)");
    return 2;
}

await using var services = new ServiceCollection()
    .AddSingleton(TimeProvider.System)
    .AddStorage(configuration)
    .AddOperations(configuration)
    .BuildServiceProvider();
if (args[0] == "disaster")
{
    var migrated = await new TvKeyMigration(services.GetRequiredService<TableServiceClient>()).RunAsync();
    Console.WriteLine($"migrated: {migrated.Links} TV links, {migrated.IndexRows} index rows, {migrated.Deliveries} deliveries, {migrated.LogRows} log rows, " +
        $"{migrated.WatchAlerts} watch alerts, {migrated.CapIdentities} CAP identities; deleted: {migrated.Tombstones} tombstones, {migrated.WithoutPlatform} rows naming no platform");
    return 0;
}

var backup = services.GetRequiredService<ITableBackup>();
var result = args[1] == "export" ? await backup.ExportAsync() : await backup.RestoreAsync(args[2]);
Console.WriteLine($"{(args[1] == "export" ? "exported" : "restored")} {result.BackupId}");
foreach (var (table, count) in result.EntitiesByTable)
{
    Console.WriteLine($"  {table}: {count} entities");
}

return 0;
