using System.Net;
using System.Net.Sockets;

namespace ServerlessMyKey.Testing;

/// <summary>
/// A loopback port the system says is free now. DurableTaskTestHost otherwise picks one at random in
/// 30000–40000, which overlaps Linux's ephemeral range (32768–60999) and so, in a busy test run, the ports of
/// open client sockets: "address already in use".
/// </summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
