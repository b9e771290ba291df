using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Messaging;
using static ServerlessMyKey.Azure.Tests.Hosting.DeploymentEnvironmentTests;

namespace ServerlessMyKey.Azure.Tests.Hosting;

public sealed class ServiceCollectionExtensionsTests
{
    private const string Development = "AZURE_FUNCTIONS_ENVIRONMENT";

    [Fact]
    public void Without_a_vault_development_uses_local_key_files()
    {
        using var folder = new TemporaryDirectory();
        var configuration = Configuration((Development, "Development"), ("Keys:LocalPath", folder.Path));

        using var services = new ServiceCollection().AddServiceKeys(configuration).BuildServiceProvider();

        var keys = Assert.IsType<LocalKeyFileService>(services.GetRequiredService<IKeyService>());
        Assert.Equal(folder.Path, keys.Directory);
    }

    [Fact]
    public void Local_keys_default_to_the_devhost_data_folder()
    {
        Assert.Equal(Path.GetFullPath(Path.Combine(".devhost", "keys")), LocalKeyFileService.ResolveDirectory(Configuration()));
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "keys")), LocalKeyFileService.ResolveDirectory(Configuration(("DevHost:DataPath", "data"))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Production")]
    public void Without_a_vault_outside_development_start_up_fails_naming_the_setting(string? environment)
    {
        var configuration = Configuration((Development, environment));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddServiceKeys(configuration));

        Assert.Contains("'KeyVault:Uri'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vault_uri_selects_key_vault_with_mapped_key_names()
    {
        var configuration = Configuration(
            ("KeyVault:Uri", "https://contoso.vault.azure.net/"),
            ("KeyVault:ClientId", "00000000-0000-0000-0000-000000000001"),
            ("KeyVault:Keys:token_signing", "jwt-key"));

        using var services = new ServiceCollection().AddServiceKeys(configuration).BuildServiceProvider();

        var keys = Assert.IsType<KeyVaultKeyService>(services.GetRequiredService<IKeyService>());
        Assert.Equal(new Uri("https://contoso.vault.azure.net/"), keys.VaultUri);
    }

    [Theory]
    [InlineData("http://contoso.vault.azure.net/")]
    [InlineData("contoso.vault.azure.net")]
    [InlineData("https://contoso.vault.azure.net/keys/x")]
    public void An_invalid_vault_uri_fails_naming_the_setting(string uri)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddServiceKeys(Configuration(("KeyVault:Uri", uri))));

        Assert.Contains("'KeyVault:Uri'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_key_vault_key_name_fails_naming_the_setting()
    {
        var configuration = Configuration(("KeyVault:Uri", "https://contoso.vault.azure.net/"), ("KeyVault:Keys:token-signing", "not a name"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddServiceKeys(configuration));

        Assert.Contains("'KeyVault:Keys:token-signing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_namespace_outbound_messages_go_to_storage_queues()
    {
        var configuration = Configuration(("AzureWebJobsStorage", "UseDevelopmentStorage=true"));

        using var services = new ServiceCollection().AddStorage(configuration).AddOutboundMessaging(configuration).BuildServiceProvider();

        Assert.IsType<StorageQueuePublisher>(services.GetRequiredService<IOutboundPublisher>());
    }

    [Theory]
    [InlineData("contoso.servicebus.windows.net")]
    [InlineData("sb://contoso.servicebus.windows.net/")]
    public async Task A_namespace_selects_service_bus(string fullyQualifiedNamespace)
    {
        var configuration = Configuration(("ServiceBus:FullyQualifiedNamespace", fullyQualifiedNamespace));

        await using var services = new ServiceCollection().AddOutboundMessaging(configuration).BuildServiceProvider();

        Assert.IsType<ServiceBusPublisher>(services.GetRequiredService<IOutboundPublisher>());
    }

    [Fact]
    public void An_invalid_namespace_fails_naming_the_setting()
    {
        var configuration = Configuration(("ServiceBus:FullyQualifiedNamespace", "not a host"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddOutboundMessaging(configuration));

        Assert.Contains("'ServiceBus:FullyQualifiedNamespace'", error.Message, StringComparison.Ordinal);
    }
}
