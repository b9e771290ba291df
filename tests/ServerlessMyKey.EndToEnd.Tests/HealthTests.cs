using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.LocalStorage;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

public sealed class HealthTests(DevHostFixture app) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task Health_is_ok_when_tables_blobs_and_queues_answer()
    {
        var response = await app.Http.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(["blobs", "queues", "tables"], body.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order().ToList());
    }

    [Fact]
    public async Task Health_is_503_storage_unavailable_when_storage_stops()
    {
        var (blob, queue, table) = AzuriteProcess.FindFreePorts();
        var azurite = await AzuriteProcess.StartAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find(), BlobPort = blob, QueuePort = queue, TablePort = table });
        var dataPath = DevHostFixture.NewDataPath("down");
        await using var host = await DevHostFixture.StartAsync(azurite.ConnectionString, dataPath);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("api/health", UriKind.Relative))).StatusCode);

        await azurite.DisposeAsync();
        var response = await http.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("storage_unavailable", problem.GetProperty("code").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
