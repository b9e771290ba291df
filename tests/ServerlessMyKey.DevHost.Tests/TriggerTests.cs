using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>HTTP, queue (with poison handling) and timer triggers of the fixture app, through one DevHost.</summary>
public sealed class TriggerTests(TriggerTests.RunningFixtureApp app) : IClassFixture<TriggerTests.RunningFixtureApp>
{
    private readonly FixtureDevHost _fixture = app.Fixture;
    private readonly DevHostApp _host = app.Host;
    private readonly HttpClient _http = app.Http;

    /// <summary>One DevHost for the whole class.</summary>
    public sealed class RunningFixtureApp : IAsyncLifetime
    {
        public FixtureDevHost Fixture { get; private set; } = null!;

        public DevHostApp Host { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Fixture = new FixtureDevHost(await AzuriteServer.GetConnectionStringAsync());
            Host = await Fixture.StartAsync();
            Http = new HttpClient { BaseAddress = Host.BaseAddress };
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Http_trigger_binds_route_values_with_constraints()
    {
        var response = await _http.GetAsync(new Uri("api/echo/alice/3?q=x", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("alice", body.GetProperty("name").GetString());
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        Assert.Equal("x", body.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Route_constraint_mismatch_is_a_problem_404()
    {
        var response = await _http.GetAsync(new Uri("api/echo/alice/notanumber", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_a_problem_405()
    {
        var response = await _http.DeleteAsync(new Uri("api/echo/alice/3", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Queue_message_is_processed_once_and_deleted()
    {
        var queue = new QueueClient(_fixture.ConnectionString, _fixture.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello-queue");

        var rows = await FixtureDevHost.EventuallyAsync(() => _fixture.RecordsAsync("queue"), r => r.Any(e => e.RowKey.StartsWith("hello-queue-", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        var processed = Assert.Single(rows, e => e.RowKey.StartsWith("hello-queue-", StringComparison.Ordinal));
        Assert.Equal("1", processed.GetString("Value"));

        // Deleted (the count includes invisible, in-flight messages): it can never be delivered again.
        await FixtureDevHost.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, count => count == 0, TimeSpan.FromSeconds(20));
        Assert.Single(await _fixture.RecordsAsync("queue"), e => e.RowKey.StartsWith("hello-queue-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_whose_function_outlasts_its_lease_is_renewed_and_runs_once()
    {
        var queue = new QueueClient(_fixture.ConnectionString, _fixture.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("slow-lease");

        await FixtureDevHost.EventuallyAsync(() => _fixture.RecordsAsync("queue"), r => r.Any(e => e.RowKey.StartsWith("slow-lease-", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        await FixtureDevHost.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, count => count == 0, TimeSpan.FromSeconds(60));

        // Without renewal the message would have come back after 5 s and run again (dequeue count 2).
        var run = Assert.Single(await _fixture.RecordsAsync("queue"), e => e.RowKey.StartsWith("slow-lease-", StringComparison.Ordinal));
        Assert.Equal("1", run.GetString("Value"));
    }

    [Fact]
    public async Task Failing_message_is_retried_then_moved_to_the_poison_queue_after_maxDequeueCount()
    {
        var queue = new QueueClient(_fixture.ConnectionString, _fixture.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        // Read as sent (not decoded): the poison queue is shared with the undecodable message's test.
        var poison = new QueueClient(_fixture.ConnectionString, _fixture.Queue + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var sent = Convert.ToBase64String(Encoding.UTF8.GetBytes("fail-always"));
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("fail-always");

        await FixtureDevHost.EventuallyAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Any(m => m.MessageText == sent), ok => ok, TimeSpan.FromSeconds(30));

        Assert.Single((await poison.PeekMessagesAsync(32)).Value, m => m.MessageText == sent);
        var attempts = (await _fixture.RecordsAsync("queue")).Where(e => e.RowKey.StartsWith("fail-always-", StringComparison.Ordinal)).Select(e => e.GetString("Value")).Order().ToList();
        Assert.Equal(["1", "2"], attempts); // host.json maxDequeueCount = 2

        // The host copies the message to the poison queue and then deletes it: wait for the delete.
        var left = await FixtureDevHost.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, count => count == 0, TimeSpan.FromSeconds(20));
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task Undecodable_message_goes_to_the_poison_queue_without_running_the_function()
    {
        var raw = new QueueClient(_fixture.ConnectionString, _fixture.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var poison = new QueueClient(_fixture.ConnectionString, _fixture.Queue + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync("not base64 at all!");

        await FixtureDevHost.EventuallyAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync(10)).Value.Any(m => m.MessageText == "not base64 at all!"), ok => ok, TimeSpan.FromSeconds(30));
        Assert.Contains((await poison.PeekMessagesAsync(10)).Value, m => m.MessageText == "not base64 at all!");
    }

    [Fact]
    public async Task Timer_trigger_fires_on_its_six_field_cron_schedule()
    {
        var ticks = await FixtureDevHost.EventuallyAsync(() => _fixture.RecordsAsync("timer"), r => r.Count >= 2, TimeSpan.FromSeconds(15));

        Assert.True(ticks.Count >= 2, $"expected at least two ticks of a every-second schedule, saw {ticks.Count}");
        Assert.All(ticks, t => Assert.NotEqual("none", t.GetString("Value")));
    }

    [Fact]
    public void Every_function_in_the_metadata_is_hosted()
    {
        var metadataPath = Path.Combine(Path.GetDirectoryName(typeof(FixtureApp.FixtureFunctions).Assembly.Location)!, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var names = document.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order().ToList();

        Assert.Equal(["ApprovalOrchestrator", "Echo", "SayHello", "Shout", "StartApproval", "Tick", "Work"], names);
        Assert.Equal(names, _host.Catalog.Functions.Select(f => f.Name).Order().ToList());
    }
}
