using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Core.Tests;

/// <summary>
/// Starts a <see cref="DurableTaskTestHost"/> on a free loopback port. A port is only known free when it is
/// looked at: another process (a client socket's ephemeral port, another test run) can take it before the
/// host binds it, so a start that fails because the address is in use is tried again on another port.
/// </summary>
internal static class DurableTestHosts
{
    private const int Attempts = 5;

    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> tasks, Action<IServiceCollection> services, Func<int>? freePort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(tasks, new DurableTaskTestHostOptions { Port = (freePort ?? LoopbackPorts.Free)(), ConfigureServices = services });
            }
            catch (Exception e) when (attempt < Attempts && IsAddressInUse(e))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception? e) =>
        e is not null
        && (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
            || e.GetType().Name == "AddressInUseException" // Kestrel's, in Microsoft.AspNetCore.Connections
            || (e is AggregateException all && all.InnerExceptions.Any(IsAddressInUse))
            || IsAddressInUse(e.InnerException));
}
