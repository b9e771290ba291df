using System.Text.Json.Nodes;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>
/// The production-operations resources (issue #18) are in the compiled template: storage redundancy
/// and blob recovery, the closed-network option with its private endpoints, DNS zones and egress
/// address, and the alerts. infra/build.sh builds and lints both deployment variants (infra/variants).
/// </summary>
public sealed class OperationsTemplateTests
{
    [Fact]
    public void Storage_redundancy_is_a_parameter_that_defaults_to_lrs_and_allows_zrs_and_gzrs()
    {
        var storageSku = CompiledTemplate.Root["parameters"]!["storageSku"]!;
        Assert.Equal("Standard_LRS", (string?)storageSku["defaultValue"]);
        var allowed = storageSku["allowedValues"]!.AsArray().Select(v => (string?)v).ToList();
        Assert.Contains("Standard_ZRS", allowed);
        Assert.Contains("Standard_GZRS", allowed);
        Assert.Equal("[parameters('storageSku')]", (string?)CompiledTemplate.Module("storage")["properties"]!["parameters"]!["skuName"]!["value"]);
        var account = Assert.Single(CompiledTemplate.OfType("Microsoft.Storage/storageAccounts"));
        Assert.Equal("[parameters('skuName')]", (string?)account["sku"]!["name"]);
    }

    [Fact]
    public void Blobs_have_soft_delete_container_soft_delete_and_versioning()
    {
        var blobService = Assert.Single(CompiledTemplate.OfType("Microsoft.Storage/storageAccounts/blobServices"))["properties"]!;
        Assert.True((bool)blobService["isVersioningEnabled"]!);
        Assert.True((bool)blobService["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((bool)blobService["containerDeleteRetentionPolicy"]!["enabled"]!);
    }

    [Fact]
    public void Table_exports_have_their_container_and_a_retention_rule()
    {
        Assert.Contains(CompiledTemplate.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => ((string?)c["name"])!.Contains("'table-backups'", StringComparison.Ordinal));
        var rules = Assert.Single(CompiledTemplate.OfType("Microsoft.Storage/storageAccounts/managementPolicies"))["properties"]!["policy"]!["rules"]!.AsArray();
        Assert.Contains(rules, r => (string?)r!["name"] == "table-backups-retention");
        Assert.Contains(rules, r => (string?)r!["name"] == "previous-versions");
    }

    [Fact]
    public void Private_networking_is_off_by_default_and_deploys_the_network_only_when_on()
    {
        Assert.False((bool)CompiledTemplate.Root["parameters"]!["privateNetworking"]!["defaultValue"]!);
        Assert.Equal("[parameters('privateNetworking')]", (string?)CompiledTemplate.Module("network")["condition"]);
    }

    [Theory]
    [InlineData("Microsoft.Network/virtualNetworks")]
    [InlineData("Microsoft.Network/natGateways")]
    [InlineData("Microsoft.Network/publicIPAddresses")]
    public void Network_module_declares(string type) =>
        Assert.Contains(ResourcesOf(CompiledTemplate.Module("network")), r => (string?)r["type"] == type);

    [Fact]
    public void Private_endpoints_and_dns_zones_cover_blob_queue_table_key_vault_and_service_bus()
    {
        var network = CompiledTemplate.Module("network")["properties"]!["template"]!.ToJsonString();
        foreach (var zone in new[] { "privatelink.blob.", "privatelink.queue.", "privatelink.table.", "privatelink.vaultcore.azure.net", "privatelink.servicebus.windows.net" })
        {
            Assert.Contains(zone, network, StringComparison.Ordinal);
        }

        foreach (var groupId in new[] { "\"groupId\":\"blob\"", "\"groupId\":\"queue\"", "\"groupId\":\"table\"", "\"groupId\":\"vault\"", "\"groupId\":\"namespace\"" })
        {
            Assert.Contains(groupId, network, StringComparison.Ordinal);
        }

        var types = ResourcesOf(CompiledTemplate.Module("network")).Select(r => (string?)r["type"]).ToList();
        Assert.Contains("Microsoft.Network/privateEndpoints", types);
        Assert.Contains("Microsoft.Network/privateDnsZones", types);
        Assert.Contains("Microsoft.Network/privateDnsZones/virtualNetworkLinks", types);
        Assert.Contains("Microsoft.Network/privateEndpoints/privateDnsZoneGroups", types);
    }

    [Fact]
    public void App_subnet_is_delegated_to_flex_consumption_and_egresses_through_the_nat_gateway()
    {
        var vnet = ResourcesOf(CompiledTemplate.Module("network")).Single(r => (string?)r["type"] == "Microsoft.Network/virtualNetworks");
        var app = vnet["properties"]!["subnets"]!.AsArray().Single(s => (string?)s!["name"] == "app")!["properties"]!;
        Assert.Equal("Microsoft.App/environments", (string?)app["delegations"]![0]!["properties"]!["serviceName"]);
        Assert.NotNull(app["natGateway"]);
        Assert.Equal(
            "[if(parameters('privateNetworking'), createObject('value', reference('network').outputs.appSubnetId.value), createObject('value', ''))]",
            (string?)CompiledTemplate.Module("api")["properties"]!["parameters"]!["virtualNetworkSubnetId"]);
        Assert.NotNull(CompiledTemplate.Root["outputs"]!["AZURE_EGRESS_IP_ADDRESS"]);
    }

    [Theory]
    [InlineData("storage", "Microsoft.Storage/storageAccounts")]
    [InlineData("keyvault", "Microsoft.KeyVault/vaults")]
    [InlineData("servicebus", "Microsoft.ServiceBus/namespaces")]
    public void Public_network_access_follows_private_networking(string module, string type)
    {
        var deployment = CompiledTemplate.Module(module);
        Assert.Equal("[parameters('privateNetworking')]", (string?)deployment["properties"]!["parameters"]!["privateNetworking"]!["value"]);
        var resource = ResourcesOf(deployment).Single(r => (string?)r["type"] == type);
        var access = (string)resource["properties"]!["publicNetworkAccess"]!;
        if (access.StartsWith("[variables('", StringComparison.Ordinal))
        {
            access = (string)deployment["properties"]!["template"]!["variables"]![access["[variables('".Length..^"')]".Length]]!;
        }

        Assert.Contains("parameters('privateNetworking')", access, StringComparison.Ordinal);
        Assert.Contains("'Disabled'", access, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_bus_is_premium_with_private_networking()
    {
        Assert.Equal(
            "[if(parameters('privateNetworking'), createObject('value', 'Premium'), createObject('value', parameters('serviceBusSku')))]",
            (string?)CompiledTemplate.Module("servicebus")["properties"]!["parameters"]!["sku"]);
    }

    [Theory]
    [InlineData("revocation-stale")]
    [InlineData("revocation-stale-soon")]
    [InlineData("crl-refresh-failed")]
    [InlineData("http-5xx-rate")]
    [InlineData("dependency-unavailable")]
    [InlineData("poison-queue")]
    [InlineData("orchestration-failed")]
    public void Log_alert_is_declared(string name)
    {
        var alerts = CompiledTemplate.Module("alerts")["properties"]!["template"]!.ToJsonString();
        Assert.Contains($"\"name\":\"{name}\"", alerts, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Microsoft.Insights/actionGroups")]
    [InlineData("Microsoft.Insights/scheduledQueryRules")]
    [InlineData("Microsoft.Insights/metricAlerts")]
    [InlineData("Microsoft.Insights/workbooks")]
    public void Alerts_module_declares(string type) =>
        Assert.Contains(ResourcesOf(CompiledTemplate.Module("alerts")), r => (string?)r["type"] == type);

    [Fact]
    public void Key_vault_throttling_alert_watches_status_429()
    {
        var metricAlert = ResourcesOf(CompiledTemplate.Module("alerts")).Single(r => (string?)r["type"] == "Microsoft.Insights/metricAlerts");
        var criterion = metricAlert["properties"]!["criteria"]!["allOf"]![0]!;
        Assert.Equal("ServiceApiResult", (string?)criterion["metricName"]);
        Assert.Equal("429", (string?)criterion["dimensions"]![0]!["values"]![0]);
    }

    private static IEnumerable<JsonObject> ResourcesOf(JsonObject deployment) =>
        CompiledTemplate.Resources(deployment["properties"]!["template"]!.AsObject());
}
