using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>
/// A local-emulator setting only: <c>Storage:LoopbackMaxConnections</c> caps the connections the Table
/// client opens when its endpoint is on the loopback interface (Azurite, which serves every socket from
/// one Node.js thread). Requests beyond the cap wait in the client's connection pool. An endpoint that
/// is not loopback (Azure) never gets a cap, whatever the setting says. 0 (the default) = no cap.
/// </summary>
internal static class LoopbackTableConnections
{
    public const string SettingName = "Storage:LoopbackMaxConnections";

    public static TableClientOptions Options(StorageConnection connection, int maxConnections)
    {
        var options = new TableClientOptions();
        if (maxConnections > 0 && connection.CreateTableServiceClient().Uri.IsLoopback)
        {
            options.Transport = new HttpClientTransport(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = maxConnections,
                AllowAutoRedirect = false,
                UseCookies = false,
            });
        }

        return options;
    }
}
