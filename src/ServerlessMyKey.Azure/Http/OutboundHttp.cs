using System.Net;
using System.Net.Sockets;

namespace ServerlessMyKey.Azure.Http;

/// <summary>
/// The HTTP clients that call out to addresses from configuration (webhooks). They never follow
/// redirects — a 3xx is a failed delivery, so a receiver cannot make the service re-send a signed body
/// elsewhere — and, outside Development, they refuse to connect to loopback, private, link-local and
/// other non-public addresses (checked on the address actually connected to, so DNS cannot rebind it).
/// </summary>
public static class OutboundHttp
{
    /// <param name="allowPrivateTargets">Development only: loopback receivers of local runs and tests.</param>
    public static HttpClient CreateClient(bool allowPrivateTargets, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (!allowPrivateTargets)
        {
            handler.ConnectCallback = ConnectToPublicAddressAsync;
        }

        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>True for addresses a webhook must not reach outside Development.</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast, site-local.
            var first = address.GetAddressBytes();
            return (first[0] & 0xFE) == 0xFC || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,                     // this network, RFC 1918, loopback
            100 => b[1] is >= 64 and <= 127,            // RFC 6598 shared (CGNAT)
            169 => b[1] == 254,                         // link-local, incl. the instance metadata service
            172 => b[1] is >= 16 and <= 31,             // RFC 1918
            192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0), // RFC 1918, IETF protocol assignments
            198 => b[1] is 18 or 19,                    // benchmarking
            >= 224 => true,                             // multicast and reserved
            _ => false,
        };
    }

    private static async ValueTask<Stream> ConnectToPublicAddressAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var target = addresses.FirstOrDefault(a => !IsNonPublic(a))
            ?? throw new HttpRequestException($"The webhook host '{host}' resolves only to non-public addresses, which are refused outside Development.");

        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
