using System.Globalization;

namespace ServerlessMyKey.LoadTest;

/// <summary>
/// Established TCP connections to a loopback port (Azurite's Table service), counted from /proc/net/tcp on
/// the server side (local port = the port): how many sockets Azurite's single Node.js thread serves. Linux only; -1 elsewhere.
/// </summary>
internal static class OpenConnections
{
    public static int To(int port)
    {
        const string Table = "/proc/net/tcp";
        if (!File.Exists(Table))
        {
            return -1;
        }

        var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines(Table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields.Length > 3 && fields[1].EndsWith(suffix, StringComparison.Ordinal) && fields[3] == "01");
    }
}
