using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>
/// The one preamble of the medical routes: who calls (a service client with a medical role, or the citizen's
/// bearer token), then the JSON body, inside <see cref="ApiHandler.RunAsync"/> (problem+json on failure).
/// </summary>
internal static class MedicalRequests
{
    /// <summary>A service client with <paramref name="role"/> sends a <typeparamref name="TBody"/>.</summary>
    public static Task<IActionResult> ForClientAsync<TBody>(
        HttpRequest request, ILogger logger, ServiceClientAuthenticator clients, string role, Func<ServiceClient, TBody, Task<IActionResult>> handle, CancellationToken cancellationToken)
        where TBody : class =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = clients.RequireServiceClient(request, role);
            return await handle(client, await RequestBody.ReadJsonAsync<TBody>(request, cancellationToken));
        });

    /// <summary>The logged-in citizen sends a <typeparamref name="TBody"/>.</summary>
    public static Task<IActionResult> ForCitizenAsync<TBody>(
        HttpRequest request, ILogger logger, ICitizenAuthenticator citizens, Func<Citizen, TBody, Task<IActionResult>> handle, CancellationToken cancellationToken)
        where TBody : class =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            return await handle(citizen, await RequestBody.ReadJsonAsync<TBody>(request, cancellationToken));
        });

    /// <summary>The logged-in citizen reads (no body).</summary>
    public static Task<IActionResult> ForCitizenAsync(
        HttpRequest request, ILogger logger, ICitizenAuthenticator citizens, Func<Citizen, Task<IActionResult>> handle, CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () => await handle(await citizens.RequireCitizenAsync(request, cancellationToken)));
}
