using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary><c>Certificates:StatusJobQueue</c> is checked at start-up, naming the key.</summary>
public sealed class StatusJobSettingsTests
{
    [Theory]
    [InlineData("Not_A_Queue")]
    [InlineData("two--hyphens")]
    [InlineData("ab")]
    public void An_invalid_queue_name_stops_the_app_naming_the_key(string name)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Certificates:StatusJobQueue"] = name }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddCertificateStatusJobs(configuration));

        Assert.Contains("'Certificates:StatusJobQueue'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_name_or_none_is_taken()
    {
        var none = new ConfigurationBuilder().Build();
        var named = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Certificates:StatusJobQueue"] = "status-chunks-1" }).Build();

        Assert.Equal(StorageQueueStatusJobQueue.DefaultQueueName, QueueNameSetting.Read(none, StorageQueueStatusJobQueue.QueueSetting, StorageQueueStatusJobQueue.DefaultQueueName));
        Assert.Equal("status-chunks-1", QueueNameSetting.Read(named, StorageQueueStatusJobQueue.QueueSetting, StorageQueueStatusJobQueue.DefaultQueueName));
        Assert.NotEmpty(new ServiceCollection().AddCertificateStatusJobs(none));
        Assert.NotEmpty(new ServiceCollection().AddCertificateStatusJobs(named));
    }
}
