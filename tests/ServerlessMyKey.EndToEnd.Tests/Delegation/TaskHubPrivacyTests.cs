using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>
/// The Durable task hub keeps every orchestration's inputs, outputs and events: after a whole
/// transmission (and the delegator's notification) no table or blob of the hub holds a name of the
/// document or the sealed JWS (issue #17, finding 3).
/// </summary>
public sealed class TaskHubPrivacyTests
{
    private const string CorporationName = "株式会社サンプル";

    [Fact]
    public async Task A_whole_transmission_leaves_no_name_and_no_sealed_delegation_in_the_task_hub()
    {
        var storage = await AzuriteServer.GetConnectionStringAsync();
        var dataPath = DevHostFixture.NewDataPath("hub");
        var hub = AzuriteServer.UniqueName("e2ehub");
        var topic = AzuriteServer.UniqueName("delegation-privacy-");
        await using var receiver = LoopbackWebhookReceiver.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Clients:city-hall:ApiKey"] = RecipientKey,
            ["Clients:city-hall:Roles"] = "points.read",
            ["Delegation:Recipients:city-hall:Topic"] = topic,
            ["Delegation:AckTimeoutSeconds"] = "600",
            ["Delegation:DelegatorWebhook:Url"] = new Uri(receiver.BaseAddress, "delegator-hook").ToString(),
            ["Delegation:DelegatorWebhook:Secret"] = WebhookSecret,
        };
        await using var host = await DevHostFixture.StartAsync(storage, dataPath, settings, durableHubName: hub);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var (id, transmissionId, token) = await TransmissionRestartTests.TransmitAsync(http, dataPath);
        await TransmissionRestartTests.WaitForStatusAsync(http, transmissionId, token, "sent");

        // What the recipient got: the sealed delegation, names inside.
        var queue = new QueueClient(storage, StorageQueuePublisher.QueueName(topic), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var message = StorageQueueEnvelope.Parse((await queue.ReceiveMessageAsync()).Value.Body).ToMessage();
        var jws = JsonDocument.Parse(message.Body).RootElement.GetProperty("jws").GetString()!;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Base64(jws.Split('.')[1])));
        Assert.Contains(Forms(CorporationName), form => payload.Contains(form, StringComparison.Ordinal));

        using var ack = new HttpRequestMessage(HttpMethod.Post, $"api/delegations/transmissions/{transmissionId}/ack");
        ack.Headers.Add("x-api-key", RecipientKey);
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(ack)).StatusCode);
        await TransmissionRestartTests.WaitForStatusAsync(http, transmissionId, token, "acknowledged");
        await host.DurableClient!.WaitForInstanceCompletionAsync(ServerlessMyKey.Core.Delegation.DelegatorNotificationOrchestrator.InstanceId(id), getInputsAndOutputs: true);

        string[] secrets = [jws, jws.Split('.')[1], .. Forms(Representative.Name), .. Forms(Agent.Name), .. Forms(CorporationName), .. Forms("鈴木"), .. Forms("花子")];
        var (scanned, found) = await ScanTaskHubAsync(storage, hub, secrets);
        Assert.True(scanned > 10, $"Only {scanned} task hub rows and blobs were read.");
        Assert.Empty(found);
    }

    /// <summary>Every row of the hub's tables and every blob of its containers (large messages are gzip): where a secret occurs.</summary>
    internal static async Task<(int Scanned, List<string> Found)> ScanTaskHubAsync(string storage, string hub, IReadOnlyList<string> secrets)
    {
        var found = new List<string>();
        var scanned = 0;
        var tables = new TableServiceClient(storage);
        await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(hub) >= 0 && t.Name.CompareTo(hub + "~") < 0))
        {
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                scanned++;
                foreach (var (key, value) in row)
                {
                    var text = value switch
                    {
                        string s => s,
                        byte[] bytes => Encoding.UTF8.GetString(Unzipped(bytes)),
                        BinaryData data => Encoding.UTF8.GetString(Unzipped(data.ToArray())),
                        _ => null,
                    };
                    found.AddRange(secrets.Where(secret => text?.Contains(secret, StringComparison.Ordinal) == true).Select(_ => $"{table.Name}/{row.PartitionKey}/{row.RowKey}/{key}"));
                }
            }
        }

        var blobs = new BlobServiceClient(storage);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: hub.ToLowerInvariant()))
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                scanned++;
                var text = Encoding.UTF8.GetString(Unzipped((await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray()));
                found.AddRange(secrets.Where(secret => text.Contains(secret, StringComparison.Ordinal)).Select(_ => $"{container.Name}/{blob.Name}"));
            }
        }

        return (scanned, found);
    }

    /// <summary>A text as it may be stored: as is, and JSON-escaped (\uXXXX, either case).</summary>
    internal static IEnumerable<string> Forms(string text)
    {
        var escaped = string.Concat(text.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:x4}"));
        return [text, escaped, escaped.ToUpperInvariant().Replace("\\U", "\\u", StringComparison.Ordinal)];
    }

    private static byte[] Unzipped(byte[] bytes)
    {
        if (bytes is not [0x1f, 0x8b, ..])
        {
            return bytes;
        }

        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static string Base64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}
