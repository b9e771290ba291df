using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>Role assignments use built-in role ids that are known to be right, and azd's parameters match the template.</summary>
public sealed partial class TemplateTests
{
    // Built-in role definition ids are the same in every tenant. These are the ones listed in
    // shared/design/AZURE-NOTES.md §5 (taken from the functions quickstart and confirmed in public
    // Bicep files), keyed by the variable name the templates use for them.
    private static readonly Dictionary<string, string> KnownRoles = new(StringComparer.Ordinal)
    {
        ["storageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["storageBlobDataContributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ["storageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["storageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["monitoringMetricsPublisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
        ["keyVaultSecretsUser"] = "4633458b-17de-408a-b874-0445c86b69e6",
        ["keyVaultCryptoUser"] = "12338af0-0e69-4776-bea7-57ae8d297424",
        ["keyVaultCryptoOfficer"] = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
        ["keyVaultAdministrator"] = "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        ["azureServiceBusDataOwner"] = "090c5cfd-751d-490a-894a-3ce6f1109419",
        ["azureServiceBusDataSender"] = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
        ["azureServiceBusDataReceiver"] = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    };

    public static TheoryData<string, string> RoleVariables()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, guid) in RepositoryFiles.BicepFiles().SelectMany(f => BicepSource.GuidVariables(File.ReadAllText(f))))
        {
            data.Add(name, guid);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoleVariables))]
    public void Role_variable_holds_the_built_in_role_id_of_its_name(string variable, string roleId)
    {
        Assert.True(KnownRoles.TryGetValue(variable, out var known), $"'{variable}' is not a known built-in role: add its id to {nameof(KnownRoles)} from a trusted source.");
        Assert.Equal(known, roleId, ignoreCase: true);
    }

    [Fact]
    public void Every_guid_in_the_templates_is_a_named_role_variable()
    {
        Assert.All(RepositoryFiles.BicepFiles(), file => Assert.Empty(BicepSource.GuidLiteralsOutsideVariables(File.ReadAllText(file))));
    }

    [Fact]
    public void Parameters_file_sets_only_parameters_of_main_bicep()
    {
        var declared = ParamRegex().Matches(RepositoryFiles.ReadAllText("infra/main.bicep")).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        using var parameters = JsonDocument.Parse(RepositoryFiles.ReadAllText("infra/main.parameters.json"));
        Assert.All(parameters.RootElement.GetProperty("parameters").EnumerateObject(), p => Assert.Contains(p.Name, declared));
    }

    [GeneratedRegex(@"(?m)^param\s+(?<name>\w+)\s")]
    private static partial Regex ParamRegex();
}
