using System.Buffers.Text;
using System.Security.Cryptography;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Keys;

/// <summary>The keyed-hash key shared by the cardholder identity and the medical index, on real Azurite.</summary>
public sealed class KeyedHashKeyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string _table = "t" + Guid.NewGuid().ToString("N")[..8] + "Keys";
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private TableKeyedHashKeyRow Row() => new(new LazyTable(new TableServiceClient(azurite.ConnectionString), _table), "keys", "index");

    [Fact]
    public async Task Processes_creating_the_key_at_once_all_use_the_one_stored()
    {
        using var keys = new LocalKeyFileService(_folder.Path);

        // Each instance stands for a process: its own row adapter and its own cache.
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new KeyedHashKey(Row(), keys).GetAsync()));
        var later = await new KeyedHashKey(Row(), keys).GetAsync();

        Assert.Equal(32, later.Length);
        Assert.All(created, key => Assert.Equal(later, key));
        var rows = new List<TableEntity>();
        await foreach (var row in new TableServiceClient(azurite.ConnectionString).GetTableClient(_table).QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        Assert.Single(rows);
        Assert.IsType<byte[]>(rows[0]["Value"]);
    }

    [Fact]
    public async Task A_key_stored_as_base64url_text_reads_as_the_same_key()
    {
        // The insurance index key was written with Value as base64url text before the two keyed hashes shared one component.
        using var keys = new LocalKeyFileService(_folder.Path);
        var secret = RandomNumberGenerator.GetBytes(32);
        var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, secret);
        var client = new TableServiceClient(azurite.ConnectionString).GetTableClient(_table);
        await client.CreateIfNotExistsAsync();
        await client.AddEntityAsync(new TableEntity("keys", "index") { ["KeyId"] = wrapped.KeyId, ["Algorithm"] = wrapped.Algorithm, ["Value"] = Base64Url.EncodeToString(wrapped.Value) });

        Assert.Equal(secret, await new KeyedHashKey(Row(), keys).GetAsync());
    }
}
