using System.Text;
using Azure.Messaging.ServiceBus;
using Moq;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Tests.Messaging;

public sealed class ServiceBusPublisherTests
{
    private readonly Mock<ServiceBusClient> _client = new();
    private readonly Dictionary<string, Mock<ServiceBusSender>> _senders = [];
    private readonly List<(string Topic, ServiceBusMessage Message)> _sent = [];

    public ServiceBusPublisherTests()
    {
        _client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns((string topic) =>
        {
            var sender = new Mock<ServiceBusSender>();
            sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
                .Callback((ServiceBusMessage m, CancellationToken _) => _sent.Add((topic, m)))
                .Returns(Task.CompletedTask);
            _senders[topic] = sender;
            return sender.Object;
        });
    }

    private static OutboundMessage Message(string id = "delegation-42:accepted") =>
        new(id, "DelegationAccepted", Encoding.UTF8.GetBytes("""{"delegationId":"42"}"""))
        {
            CorrelationId = "req-7",
        };

    /// <summary>A publisher that has a sender for <paramref name="topic"/> whose next sends fail with <paramref name="reason"/>.</summary>
    private async Task<ServiceBusPublisher> PublisherWhoseSendsFailAsync(string topic, ServiceBusFailureReason reason)
    {
        var publisher = new ServiceBusPublisher(_client.Object);
        await publisher.PublishAsync(topic, Message());
        _senders[topic].Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException(reason.ToString(), reason));
        return publisher;
    }

    [Fact]
    public async Task Publishes_id_subject_content_type_correlation_and_body()
    {
        await using var publisher = new ServiceBusPublisher(_client.Object);

        await publisher.PublishAsync("delegation-events", Message());

        var (topic, sent) = Assert.Single(_sent);
        Assert.Equal("delegation-events", topic);
        Assert.Equal("delegation-42:accepted", sent.MessageId);
        Assert.Equal("DelegationAccepted", sent.Subject);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal("req-7", sent.CorrelationId);
        Assert.Equal("""{"delegationId":"42"}""", sent.Body.ToString());
    }

    [Fact]
    public async Task Republishing_keeps_the_message_id_for_duplicate_detection()
    {
        await using var publisher = new ServiceBusPublisher(_client.Object);

        await publisher.PublishAsync("delegation-events", Message());
        await publisher.PublishAsync("delegation-events", Message());

        Assert.Equal(["delegation-42:accepted", "delegation-42:accepted"], _sent.Select(s => s.Message.MessageId));
    }

    [Fact]
    public async Task Senders_are_cached_per_topic_and_disposed_with_the_publisher()
    {
        var publisher = new ServiceBusPublisher(_client.Object);

        await publisher.PublishAsync("a", Message("1"));
        await publisher.PublishAsync("a", Message("2"));
        await publisher.PublishAsync("b", Message("3"));
        await publisher.DisposeAsync();
        await publisher.DisposeAsync();

        _client.Verify(c => c.CreateSender("a"), Times.Once);
        _client.Verify(c => c.CreateSender("b"), Times.Once);
        _senders["a"].Verify(s => s.DisposeAsync(), Times.Once);
        _senders["b"].Verify(s => s.DisposeAsync(), Times.Once);
        _client.Verify(c => c.DisposeAsync(), Times.Once);
    }

    [Fact]
    public async Task Transient_failures_map_to_dependency_unavailable()
    {
        await using var publisher = await PublisherWhoseSendsFailAsync("a", ServiceBusFailureReason.ServiceBusy);

        var error = await Assert.ThrowsAsync<ServiceException>(() => publisher.PublishAsync("a", Message()));

        Assert.Equal(ErrorCodes.DependencyUnavailable, error.Error);
    }

    [Fact]
    public async Task Missing_topic_is_a_configuration_error_naming_it()
    {
        await using var publisher = await PublisherWhoseSendsFailAsync("a", ServiceBusFailureReason.MessagingEntityNotFound);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync("a", Message()));

        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Messages_without_an_id_are_refused(string id)
    {
        await using var publisher = new ServiceBusPublisher(_client.Object);

        await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync("a", Message(id)));
        Assert.Empty(_sent);
    }
}
