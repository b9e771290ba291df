using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Testing;

/// <summary>
/// Storage that can go down and come back: loopback TCP forwarders in front of the test Azurite's
/// blob, queue and table ports. <see cref="Stop"/> resets every open connection (a request in flight
/// may or may not have reached storage — the ambiguous case retries must survive) and every new one
/// until <see cref="Start"/>, so the app sees storage as gone. The listeners stay bound throughout,
/// on ports the OS gave them: closing and binding the same port again would let another process take
/// it in between. Azurite's data is untouched, as after a restart with persistent storage.
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

        var outage = new StorageOutage([new Forwarder(Port("Blob")), new Forwarder(Port("Queue")), new Forwarder(Port("Table"))]);
        outage.Start();
        return outage;
    }

    /// <summary>Storage comes back (on the same ports, which never closed).</summary>
    public void Start()
    {
        foreach (var forwarder in _forwarders)
        {
            forwarder.Start();
        }

        IsUp = true;
    }

    /// <summary>Storage goes away: open connections and new ones are reset.</summary>
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
        foreach (var forwarder in _forwarders)
        {
            forwarder.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Forwarder : IDisposable
    {
        private readonly ConcurrentDictionary<Socket, byte> _open = new();
        private readonly Lock _gate = new();
        private readonly TcpListener _listener;
        private readonly int _targetPort;
        private bool _up;

        public Forwarder(int targetPort)
        {
            _targetPort = targetPort;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync();
        }

        public int Port { get; }

        public void Start()
        {
            lock (_gate)
            {
                _up = true;
            }
        }

        public void Stop()
        {
            Socket[] open;
            lock (_gate)
            {
                _up = false;
                open = [.. _open.Keys];
            }

            foreach (var socket in open)
            {
                Reset(socket);
            }
        }

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // disposed
                }

                _ = ForwardAsync(client);
            }
        }

        private async Task ForwardAsync(Socket client)
        {
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            bool up;
            lock (_gate)
            {
                // Registered under the gate: a Stop either sees these sockets or has already cleared _up.
                up = _up;
                _open[client] = 0;
                _open[upstream] = 0;
            }

            try
            {
                if (!up)
                {
                    return; // storage is down: reset at once, as a dead server's port would
                }

                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort);
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
