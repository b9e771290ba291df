using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// The address a request is attributed to for rate limiting: the TCP peer, or — only when configured
/// (<c>RateLimits:ClientAddressHeader</c>) — the last entry of a header the platform in front sets
/// (the entry the nearest, trusted, proxy appended). IPv6 addresses count per /64, the block one
/// subscriber usually holds.
/// </summary>
public static class ClientAddress
{
    /// <summary>The partition key, e.g. <c>203.0.113.7</c> or <c>2001:db8:1:2::/64</c>; <c>unknown</c> when there is none.</summary>
    public static string Of(HttpRequest request, string? trustedHeader)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.IsNullOrEmpty(trustedHeader)
            && request.Headers.TryGetValue(trustedHeader, out var values)
            && Parse(LastEntry(values.ToString())) is { } forwarded)
        {
            return Key(forwarded);
        }

        return request.HttpContext.Connection.RemoteIpAddress is { } peer ? Key(peer) : "unknown";
    }

    private static string LastEntry(string header)
    {
        var comma = header.LastIndexOf(',');
        return header[(comma + 1)..].Trim();
    }

    // "203.0.113.7", "203.0.113.7:51234", "2001:db8::1", "[2001:db8::1]:51234".
    private static IPAddress? Parse(string entry)
    {
        if (entry.Length is 0 or > 64)
        {
            return null;
        }

        if (IPAddress.TryParse(entry, out var address))
        {
            return address;
        }

        return IPEndPoint.TryParse(entry, out var endpoint) ? endpoint.Address : null;
    }

    private static string Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return new IPAddress(bytes) + "/64";
    }
}
