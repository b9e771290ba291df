using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Testing;

/// <summary>
/// Storage that can go down and come back: loopback TCP forwarders in front of the test Azurite's
/// blob, queue and table ports. <see cref="Stop"/> closes the listeners and resets every open
/// connection (a request in flight may or may not have reached storage — the ambiguous case retries
/// must survive), so the app sees storage as gone; <see cref="Start"/> listens on the same ports
/// again. Azurite's data is untouched, as after a restart with persistent storage.
/// </summary>
public sealed partial class StorageOutage : IAsyncDisposable
{
    private readonly Forwarder[] _forwarders;

    private StorageOutage(Forwarder[] forwarders) => _forwarders = forwarders;

    /// <summary>The connection string the app under test uses (through the forwarders).</summary>
    public string ConnectionString => AzuriteOptions.BuildConnectionString(_forwarders[0].Port, _forwarders[1].Port, _forwarders[2].Port);

    /// <summary>Whether storage is reachable now.</summary>
    public bool IsUp { get; private set; }

    /// <summary>Forwarders to the storage of <paramref name="targetConnectionString"/> (an Azurite connection string with explicit endpoints).</summary>
    public static StorageOutage Start(string targetConnectionString)
    {
        int Port(string service) => int.Parse(
            Regex.Match(targetConnectionString, $@"{service}Endpoint=http://127\.0\.0\.1:(?<port>\d+)/").Groups["port"].Value,
            System.Globalization.CultureInfo.InvariantCulture);

        var (blob, queue, table) = AzuriteProcess.FindFreePorts();
        var outage = new StorageOutage([new Forwarder(blob, Port("Blob")), new Forwarder(queue, Port("Queue")), new Forwarder(table, Port("Table"))]);
        outage.Start();
        return outage;
    }

    /// <summary>Storage comes back on the same ports.</summary>
    public void Start()
    {
        foreach (var forwarder in _forwarders)
        {
            forwarder.Start();
        }

        IsUp = true;
    }

    /// <summary>Storage goes away: new connections are refused, open ones reset.</summary>
    public void Stop()
    {
        IsUp = false;
        foreach (var forwarder in _forwarders)
        {
            forwarder.Stop();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private sealed class Forwarder(int port, int targetPort)
    {
        private readonly ConcurrentDictionary<Socket, byte> _open = new();
        private TcpListener? _listener;

        public int Port => port;

        public void Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _ = AcceptAsync(listener);
        }

        public void Stop()
        {
            _listener?.Stop();
            _listener = null;
            foreach (var socket in _open.Keys)
            {
                Reset(socket);
            }
        }

        private async Task AcceptAsync(TcpListener listener)
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // stopped
                }

                _ = ForwardAsync(client);
            }
        }

        private async Task ForwardAsync(Socket client)
        {
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _open[client] = 0;
            _open[upstream] = 0;
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, targetPort);
                await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                Reset(client);
                Reset(upstream);
            }
        }

        private static async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[16384];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private void Reset(Socket socket)
        {
            if (_open.TryRemove(socket, out _))
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0); // RST, as when the server dies
                    socket.Close();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }
}
