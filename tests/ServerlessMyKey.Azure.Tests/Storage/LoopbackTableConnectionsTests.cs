using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Storage;
using static ServerlessMyKey.Azure.Tests.Hosting.DeploymentEnvironmentTests;

namespace ServerlessMyKey.Azure.Tests.Storage;

/// <summary>The cap on the Table client's connections applies to a loopback endpoint (Azurite) only, never to Azure.</summary>
public sealed class LoopbackTableConnectionsTests
{
    private const string Azurite = "UseDevelopmentStorage=true";
    private const string AzureAccount = "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==;EndpointSuffix=core.windows.net";

    [Fact]
    public void A_loopback_endpoint_gets_its_own_capped_transport()
    {
        var options = LoopbackTableConnections.Options(Connection(Azurite), 16);

        Assert.NotSame(new TableClientOptions().Transport, options.Transport);
    }

    [Fact]
    public void An_azure_endpoint_keeps_the_default_transport_whatever_the_setting()
    {
        var options = LoopbackTableConnections.Options(Connection(AzureAccount), 16);

        Assert.Same(new TableClientOptions().Transport, options.Transport);
    }

    [Fact]
    public void Zero_means_no_cap_on_loopback_either()
    {
        var options = LoopbackTableConnections.Options(Connection(Azurite), 0);

        Assert.Same(new TableClientOptions().Transport, options.Transport);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1025")]
    [InlineData("sixteen")]
    public void An_invalid_setting_fails_naming_it(string value)
    {
        var configuration = Configuration(("AzureWebJobsStorage", Azurite), (LoopbackTableConnections.SettingName, value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddStorage(configuration));

        Assert.Contains($"'{LoopbackTableConnections.SettingName}'", error.Message, StringComparison.Ordinal);
    }

    private static StorageConnection Connection(string connectionString) =>
        StorageConnection.FromConfiguration(Configuration(("AzureWebJobsStorage", connectionString)));
}
