using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using ServerlessMyKey.LocalStorage;
using Xunit;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>
/// A private Azurite on "free" ports when one of them is taken between the look and the bind (as another
/// process's socket can take it): the start is not mistaken for a success because something else answers
/// on the taken port, and the start on free ports tries other ports.
/// </summary>
public sealed class AzuriteStartTests
{
    [Fact]
    public async Task A_taken_port_fails_the_start_as_address_in_use_though_every_port_accepts_connections()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var (blob, queue, _) = AzuriteProcess.FindFreePorts();
        var options = new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find(), BlobPort = blob, QueuePort = queue, TablePort = Port(taken) };

        // Blob and queue bind, the table port is someone else's: all three accept connections for a moment.
        var error = await Assert.ThrowsAsync<AzuriteStartException>(() => AzuriteProcess.StartAsync(options));

        Assert.True(error.AddressInUse, error.Message);
    }

    [Fact]
    public async Task The_start_on_free_ports_tries_other_ports_when_one_was_taken_meanwhile()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var picks = new Queue<(int, int, int)>();
        var (blob, queue, _) = AzuriteProcess.FindFreePorts();
        picks.Enqueue((blob, queue, Port(taken)));
        picks.Enqueue(AzuriteProcess.FindFreePorts());
        var messages = new List<string>();

        await using var azurite = await AzuriteProcess.StartOnFreePortsAsync(
            new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() }, picks.Dequeue, messages.Add, attempts: 2, CancellationToken.None);

        Assert.Empty(picks);
        Assert.NotEqual(Port(taken), azurite.Options.TablePort);
        Assert.Contains(messages, m => m.Contains("trying other ports", StringComparison.Ordinal));
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("started");
        Assert.Equal("started", (await table.CreateIfNotExistsAsync()).Value.Name);
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
