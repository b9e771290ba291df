using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary><c>Clients:&lt;id&gt;:WebhookUrl</c> / <c>:WebhookSecret</c> and <c>Certificates:WatchQueue</c> are checked at start-up, naming the key.</summary>
public sealed class WatchSettingsTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_client_with_both_settings_has_a_webhook()
    {
        var webhooks = CertificateWatchServiceCollectionExtensions.ReadClientWebhooks(Configuration(
            ("AZURE_FUNCTIONS_ENVIRONMENT", "Production"),
            ("Clients:insurer:ApiKey", "key"),
            ("Clients:insurer:WebhookUrl", "https://insurer.example/hooks/mykey"),
            ("Clients:insurer:WebhookSecret", Secret),
            ("Clients:shop:ApiKey", "key")));
        Assert.Equal(new Uri("https://insurer.example/hooks/mykey"), Assert.Single(webhooks).Value.Url);
    }

    [Theory]
    [InlineData("Production", "http://insurer.example/hook", Secret, "Clients:insurer:WebhookUrl")]
    [InlineData("Development", "/relative", Secret, "Clients:insurer:WebhookUrl")]
    [InlineData("Development", "", Secret, "Clients:insurer:WebhookUrl")]
    [InlineData("Production", "https://insurer.example/hook", "too-short", "Clients:insurer:WebhookSecret")]
    [InlineData("Production", "https://insurer.example/hook", "", "Clients:insurer:WebhookSecret")]
    [InlineData("Production", "https://insurer.example/hook", "@Microsoft.KeyVault(SecretName=hook)", "Clients:insurer:WebhookSecret")]
    public void Bad_settings_fail_naming_their_key(string environment, string url, string secret, string named)
    {
        var error = Assert.Throws<InvalidOperationException>(() => CertificateWatchServiceCollectionExtensions.ReadClientWebhooks(Configuration(
            ("AZURE_FUNCTIONS_ENVIRONMENT", environment), ("Clients:insurer:WebhookUrl", url), ("Clients:insurer:WebhookSecret", secret))));
        Assert.Contains($"'{named}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_is_accepted_in_Development_only() =>
        Assert.Single(CertificateWatchServiceCollectionExtensions.ReadClientWebhooks(Configuration(
            ("AZURE_FUNCTIONS_ENVIRONMENT", "Development"), ("Clients:insurer:WebhookUrl", "http://127.0.0.1:5000/hook"), ("Clients:insurer:WebhookSecret", Secret))));

    [Fact]
    public void A_bad_queue_name_fails_naming_its_key()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var error = Assert.Throws<InvalidOperationException>(() => services.AddCertificateWatches(Configuration(("Certificates:WatchQueue", "Not_A_Queue"))));
        Assert.Contains("'Certificates:WatchQueue'", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
