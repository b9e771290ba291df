using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Jpki;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Delegation;

/// <summary><c>Delegation:*</c> is read at start-up; a bad value stops the app naming its key.</summary>
public sealed class DelegationOptionsTests
{
    [Fact]
    public void Defaults_follow_the_contract()
    {
        var options = DelegationServiceCollectionExtensions.ReadOptions(Configuration());
        Assert.Equal(["childcare.employment-certificate", "procurement.bid", "procurement.contract", "radio.application"], options.Procedures.Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(3600), options.AckTimeout);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(60), options.RetryBackoff);
        Assert.Empty(options.RecipientTopics);
        Assert.Null(options.DelegatorWebhook);
    }

    [Fact]
    public void Settings_are_read_as_configured()
    {
        var options = DelegationServiceCollectionExtensions.ReadOptions(Configuration(
            ("Delegation:Procedures", "a.b, c.d"),
            ("Delegation:Recipients:city-hall:Topic", "delegation-city-hall"),
            ("Delegation:AckTimeoutSeconds", "30"),
            ("Delegation:MaxAttempts", "5"),
            ("Delegation:DelegatorWebhook:Url", "https://portal.example/hooks/delegation"),
            ("Delegation:DelegatorWebhook:Secret", "0123456789abcdef")));
        Assert.Equal(["a.b", "c.d"], options.Procedures.Order(StringComparer.Ordinal));
        Assert.Equal("delegation-city-hall", options.RecipientTopics["city-hall"]);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AckTimeout);
        Assert.Equal(5, options.MaxAttempts);
        Assert.Equal(new Uri("https://portal.example/hooks/delegation"), options.DelegatorWebhook!.Url);
    }

    [Theory]
    [InlineData("Delegation:MaxAttempts", "0", "Delegation:MaxAttempts")]
    [InlineData("Delegation:AckTimeoutSeconds", "soon", "Delegation:AckTimeoutSeconds")]
    [InlineData("Delegation:RetryBackoffSeconds", "-1", "Delegation:RetryBackoffSeconds")]
    [InlineData("Delegation:Recipients:bad id:Topic", "t", "Delegation:Recipients:bad id:Topic")]
    [InlineData("Delegation:DelegatorWebhook:Url", "ftp://x", "Delegation:DelegatorWebhook:Url")]
    [InlineData("Delegation:DelegatorWebhook:Url", "https://portal.example/", "Delegation:DelegatorWebhook:Secret")]
    public void Bad_settings_fail_naming_their_key(string key, string value, string named)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DelegationServiceCollectionExtensions.ReadOptions(Configuration((key, value))));
        Assert.Contains($"'{named}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Delegation:DelegatorTrustAnchors", "/nonexistent/corporate-ca.pem", "Delegation:DelegatorTrustAnchors")]
    [InlineData("Delegation:DelegatorTrustAnchors:0", "", "Delegation:DelegatorTrustAnchors")]
    [InlineData("Delegation:DelegatorCrlFiles:0", " ", "Delegation:DelegatorCrlFiles")]
    public void Bad_corporate_delegator_settings_fail_at_start_up_naming_their_key(string key, string value, string named)
    {
        var error = Assert.Throws<JpkiConfigurationException>(() => new ServiceCollection().AddDelegation(Configuration((key, value))));
        Assert.Equal(named, error.Key);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
