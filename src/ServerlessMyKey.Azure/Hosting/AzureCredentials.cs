using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.Azure.Hosting;

/// <summary>
/// The identity an adapter uses for an Azure service (Key Vault, Service Bus): the user-assigned
/// managed identity named by <c>{Section}:ClientId</c>, else the one the storage connection names
/// (<c>AzureWebJobsStorage:clientId</c>, as azd's Functions template sets it), else
/// <see cref="DefaultAzureCredential"/> (developer sign-in, workload or system-assigned identity).
/// </summary>
internal static class AzureCredentials
{
    public static TokenCredential ForService(IConfiguration configuration, string sectionName)
    {
        var clientId = configuration[$"{sectionName}:ClientId"];
        if (string.IsNullOrWhiteSpace(clientId))
        {
            clientId = configuration[$"{Storage.StorageConnection.DefaultSettingName}:clientId"];
        }

        return string.IsNullOrWhiteSpace(clientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.Trim()));
    }
}
