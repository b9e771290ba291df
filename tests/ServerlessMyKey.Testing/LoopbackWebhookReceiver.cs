using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessMyKey.Testing;

/// <summary>
/// A webhook receiver on a free loopback port (Kestrel): records every POST (path, signature header,
/// raw body) and answers with the next status of <see cref="Statuses"/> (then 200), so tests can
/// make deliveries fail and see them retried.
/// </summary>
public sealed class LoopbackWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackWebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Statuses to answer the next deliveries with, in order; 200 once empty.</summary>
    public ConcurrentQueue<int> Statuses { get; } = new();

    /// <summary>Runs on each POST before it is answered (e.g. a platform that logs the display first).</summary>
    public Func<ReceivedWebhook, Task>? BeforeAnswer { get; set; }

    public static LoopbackWebhookReceiver Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new LoopbackWebhookReceiver(builder.Build());
        receiver._app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var received = new ReceivedWebhook(context.Request.Path, context.Request.Headers["x-mykey-signature"].ToString(), buffer.ToArray());
            receiver.Received.Enqueue(received);
            if (receiver.BeforeAnswer is { } beforeAnswer)
            {
                await beforeAnswer(received);
            }

            context.Response.StatusCode = receiver.Statuses.TryDequeue(out var status) ? status : StatusCodes.Status200OK;
        });
        receiver._app.StartAsync().GetAwaiter().GetResult();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>One delivery as received.</summary>
public sealed record ReceivedWebhook(string Path, string Signature, byte[] Body);
