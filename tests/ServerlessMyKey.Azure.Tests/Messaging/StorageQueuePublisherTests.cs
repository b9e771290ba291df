using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Core.Messaging;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Messaging;

public sealed class StorageQueuePublisherTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly QueueClientOptions Base64 = new() { MessageEncoding = QueueMessageEncoding.Base64 };

    private StorageQueuePublisher CreatePublisher() => new(new QueueServiceClient(azurite.ConnectionString, Base64));

    private QueueClient Queue(string name) => new(azurite.ConnectionString, name, Base64);

    [Fact]
    public async Task Publishes_the_whole_message_as_a_json_envelope()
    {
        var destination = AzuriteServer.UniqueName("outbound");
        var body = Encoding.UTF8.GetBytes("""{"delegationId":"42","名前":"x"}""");
        var message = new OutboundMessage("delegation-42:accepted", "DelegationAccepted", body) { CorrelationId = "req-7" };

        await CreatePublisher().PublishAsync(destination, message);

        var received = (await Queue(destination).ReceiveMessageAsync()).Value;
        using var json = JsonDocument.Parse(received.Body.ToMemory());
        var root = json.RootElement;
        Assert.Equal("delegation-42:accepted", root.GetProperty("messageId").GetString());
        Assert.Equal("DelegationAccepted", root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("contentType").GetString());
        Assert.Equal("req-7", root.GetProperty("correlationId").GetString());
        Assert.Equal(Convert.ToBase64String(body), root.GetProperty("body").GetString());
        var decoded = StorageQueueEnvelope.Parse(received.Body).ToMessage();
        Assert.Equal((message.MessageId, message.Subject, message.ContentType, message.CorrelationId), (decoded.MessageId, decoded.Subject, decoded.ContentType, decoded.CorrelationId));
        Assert.Equal(body, decoded.Body.ToArray());
    }

    [Fact]
    public async Task Republishing_keeps_the_idempotent_message_id()
    {
        var destination = AzuriteServer.UniqueName("outbound");
        var publisher = CreatePublisher();
        var message = new OutboundMessage("points-7:granted", "PointsGranted", Encoding.UTF8.GetBytes("{}"));

        await publisher.PublishAsync(destination, message);
        await publisher.PublishAsync(destination, message);

        var received = (await Queue(destination).ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(["points-7:granted", "points-7:granted"], received.Select(m => StorageQueueEnvelope.Parse(m.Body).MessageId));
    }

    [Fact]
    public async Task Destination_is_sanitized_to_a_queue_name()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var publisher = CreatePublisher();

        await publisher.PublishAsync($"Delegation.Events_{suffix}", new OutboundMessage("m1", "S", Encoding.UTF8.GetBytes("{}")));

        var received = (await Queue($"delegation-events-{suffix}").ReceiveMessageAsync()).Value;
        Assert.Equal("m1", StorageQueueEnvelope.Parse(received.Body).MessageId);
    }

    [Theory]
    [InlineData("delegation-events", "delegation-events")]
    [InlineData("Delegation.Events", "delegation-events")]
    [InlineData("--mykey__points--", "mykey-points")]
    [InlineData("tv/disaster  alerts", "tv-disaster-alerts")]
    public void Queue_name_follows_the_naming_rules(string destination, string expected)
    {
        Assert.Equal(expected, StorageQueuePublisher.QueueName(destination));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("___")]
    [InlineData("日本語")]
    [InlineData("a-very-long-destination-name-that-goes-on-and-on-past-the-sixty-three-character-limit")]
    public void Short_long_or_empty_names_get_a_hash_and_stay_valid(string destination)
    {
        var name = StorageQueuePublisher.QueueName(destination);

        Assert.Matches("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$", name);
        Assert.Equal(name, StorageQueuePublisher.QueueName(destination));
    }

    [Fact]
    public void Long_names_that_share_a_prefix_stay_distinct()
    {
        var prefix = new string('x', 70);

        Assert.NotEqual(StorageQueuePublisher.QueueName(prefix + "1"), StorageQueuePublisher.QueueName(prefix + "2"));
    }
}
