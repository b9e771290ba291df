using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Tests.Messaging;

/// <summary>
/// Against a real namespace, only when <c>ServiceBus__FullyQualifiedNamespace</c> is set (with a
/// signed-in identity that has "Azure Service Bus Data Sender"); publishes to the topic in
/// <c>ServiceBus__LiveTestTopic</c> (default <c>live-test</c>). Skipped otherwise.
/// </summary>
public sealed class ServiceBusLiveTests
{
    [SkippableFact]
    public async Task Publishes_to_the_real_namespace()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        Skip.If(string.IsNullOrWhiteSpace(configuration[MessagingServiceCollectionExtensions.NamespaceSetting]), "ServiceBus__FullyQualifiedNamespace is not set");
        await using var services = new ServiceCollection().AddOutboundMessaging(configuration).BuildServiceProvider();
        var publisher = services.GetRequiredService<IOutboundPublisher>();
        Assert.IsType<ServiceBusPublisher>(publisher);

        await publisher.PublishAsync(
            configuration["ServiceBus:LiveTestTopic"] ?? "live-test",
            new OutboundMessage(Guid.NewGuid().ToString("N"), "LiveTest", Encoding.UTF8.GetBytes("{}")));
    }
}
