using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>
/// The storage account named by a Functions connection setting (<c>AzureWebJobsStorage</c>), read
/// the way the Functions host reads it: either a connection string, or identity-based settings
/// <c>__accountName</c> or <c>__blobServiceUri</c>/<c>__queueServiceUri</c>/<c>__tableServiceUri</c>,
/// with <c>__credential=managedidentity</c> and <c>__clientId</c> for a user-assigned identity.
/// </summary>
public sealed class StorageConnection
{
    public const string DefaultSettingName = "AzureWebJobsStorage";

    private StorageConnection(string? connectionString, Uri? blobUri, Uri? queueUri, Uri? tableUri, TokenCredential? credential)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobUri;
        QueueServiceUri = queueUri;
        TableServiceUri = tableUri;
        Credential = credential;
    }

    /// <summary>The connection string, when the setting is one; otherwise <c>null</c> (identity-based).</summary>
    public string? ConnectionString { get; }

    public Uri? BlobServiceUri { get; }

    public Uri? QueueServiceUri { get; }

    public Uri? TableServiceUri { get; }

    public TokenCredential? Credential { get; }

    /// <summary>Reads the connection; throws naming the setting when it is missing or incomplete.</summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string settingName = DefaultSettingName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(settingName);
        var connectionString = section.Value;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageConnection(connectionString, null, null, null, null);
        }

        var accountName = section["accountName"];
        var blob = UriSetting(section, "blobServiceUri") ?? AccountUri(accountName, "blob");
        var queue = UriSetting(section, "queueServiceUri") ?? AccountUri(accountName, "queue");
        var table = UriSetting(section, "tableServiceUri") ?? AccountUri(accountName, "table");
        if (blob is null && queue is null && table is null)
        {
            throw new InvalidOperationException(
                $"Configuration key '{settingName}' is missing: set a connection string, or '{settingName}__accountName' (or the __blobServiceUri/__queueServiceUri/__tableServiceUri settings) for identity-based access.");
        }

        return new StorageConnection(null, blob, queue, table, CreateCredential(section));
    }

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) =>
        ConnectionString is not null
            ? new TableServiceClient(ConnectionString, options)
            : new TableServiceClient(Require(TableServiceUri, "tableServiceUri"), Credential!, options);

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        ConnectionString is not null
            ? new BlobServiceClient(ConnectionString, options)
            : new BlobServiceClient(Require(BlobServiceUri, "blobServiceUri"), Credential!, options);

    /// <summary>Queue clients use base64 message encoding, as the Functions queue trigger expects.</summary>
    public QueueServiceClient CreateQueueServiceClient(QueueClientOptions? options = null)
    {
        options ??= new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return ConnectionString is not null
            ? new QueueServiceClient(ConnectionString, options)
            : new QueueServiceClient(Require(QueueServiceUri, "queueServiceUri"), Credential!, options);
    }

    private static TokenCredential CreateCredential(IConfigurationSection section)
    {
        var clientId = section["clientId"];
        return string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static Uri? UriSetting(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value ? new Uri(value, UriKind.Absolute) : null;

    private static Uri? AccountUri(string? accountName, string service) =>
        string.IsNullOrEmpty(accountName) ? null : new Uri($"https://{accountName}.{service}.core.windows.net");

    private static Uri Require(Uri? uri, string key) =>
        uri ?? throw new InvalidOperationException($"Configuration key '{DefaultSettingName}__{key}' (or __accountName) is required for this service.");
}
