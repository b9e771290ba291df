using System.Net;
using System.Net.Sockets;

namespace ServerlessMyKey.LocalStorage;

/// <summary>
/// Loopback ports the system says are free now (bound to port 0, read back, released): for a private Azurite,
/// and for DurableTaskTestHost, which otherwise picks one at random in 30000–40000 — a range that overlaps
/// Linux's ephemeral ports (32768–60999) and so, in a busy test run, those of open client sockets.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>One free port.</summary>
    public static int Free() => Free(1)[0];

    /// <summary><paramref name="count"/> distinct free ports (all are held until every one is known).</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
