namespace ServerlessMyKey.Infra.Tests;

/// <summary>
/// Configuration cannot drift between local runs and Azure: every setting in
/// local.settings.sample.json is set on the Function App by the Bicep, unless it is listed with a
/// reason in infra/local-only-settings.json. Adding a setting to the sample makes the matching case
/// fail until the Bicep (or the local-only list) says where its Azure value comes from.
/// </summary>
public sealed class AppSettingsParityTests
{
    public static TheoryData<string> SampleSettings() => new(SettingsCatalog.SampleNames());

    public static TheoryData<string> LocalOnlyEntries() => new(SettingsCatalog.LocalOnly().Keys);

    [Theory]
    [MemberData(nameof(SampleSettings))]
    public void Sample_setting_is_set_on_the_function_app_unless_local_only(string name)
    {
        if (SettingsCatalog.LocalOnly().Keys.Any(entry => SettingsCatalog.Matches(entry, name)))
        {
            return;
        }

        Assert.True(
            SettingsCatalog.FunctionAppNames().Any(declared => SettingsCatalog.Matches(declared, name)),
            $"'{name}' is in {SettingsCatalog.SamplePath} but not set on the Function App: add it to appSettings in " +
            $"{SettingsCatalog.FunctionAppPath}, or to {SettingsCatalog.LocalOnlyPath} with the reason it stays local.");
    }

    [Theory]
    [MemberData(nameof(LocalOnlyEntries))]
    public void Local_only_entry_names_a_sample_setting(string entry)
    {
        Assert.False(string.IsNullOrWhiteSpace(SettingsCatalog.LocalOnly()[entry]), $"'{entry}' in {SettingsCatalog.LocalOnlyPath} needs a reason.");
        Assert.True(
            SettingsCatalog.SampleNames().Any(name => SettingsCatalog.Matches(entry, name)),
            $"'{entry}' in {SettingsCatalog.LocalOnlyPath} matches no setting in {SettingsCatalog.SamplePath}: remove the stale entry.");
    }

    [Theory]
    [MemberData(nameof(LocalOnlyEntries))]
    public void Local_only_entry_is_not_also_set_on_the_function_app(string entry)
    {
        var literalNames = SettingsCatalog.FunctionAppNames().Where(n => !n.Contains('*', StringComparison.Ordinal));
        Assert.DoesNotContain(literalNames, name => SettingsCatalog.Matches(entry, name));
    }

    // Read by the Functions host, Durable Functions and the app's own clients in Azure; they have no
    // counterpart in the sample (locally, AzureWebJobsStorage is a connection string).
    [Theory]
    [InlineData("AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage__queueServiceUri")]
    [InlineData("AzureWebJobsStorage__tableServiceUri")]
    [InlineData("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")]
    [InlineData("KeyVault__Uri")]
    [InlineData("KeyVault__ClientId")]
    [InlineData("ServiceBus__FullyQualifiedNamespace")]
    [InlineData("Clients__*__ApiKey")]
    [InlineData("Clients__*__WebhookUrl")]
    [InlineData("Clients__*__WebhookSecret")]
    [InlineData("Webhooks__*__Secret")]
    [InlineData("Delegation__Recipients__*__Topic")]
    public void Azure_setting_is_declared(string name) =>
        Assert.Contains(name, SettingsCatalog.FunctionAppNames());
}
