using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace ServerlessMyKey.DevHost.Queues;

/// <summary>
/// Keeps a dequeued message invisible while its function runs, as the Functions host does (it
/// dequeues for 10 minutes and renews at half of that): here the lease is
/// <see cref="Metadata.HostSettings.QueueMessageLease"/> (a minute) and is renewed every third of it, so a message whose dequeue answer was lost in a storage outage, or whose
/// failure could not be settled, comes back within a minute instead of ten. Each renewal returns a new
/// pop receipt; <see cref="PopReceipt"/> is the one to delete or update the message with. A failed
/// renewal is retried at the next tick; if the lease runs out meanwhile, another poll may run the
/// message again, which queue handlers, being idempotent, allow.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _duration;
    private readonly Task _renewals;
    private volatile string _popReceipt;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan duration, ILogger logger)
    {
        _duration = duration;
        _queue = queue;
        _messageId = message.MessageId;
        _popReceipt = message.PopReceipt;
        _logger = logger;
        _renewals = RenewAsync(_stop.Token);
    }

    /// <summary>The message's latest pop receipt (stop the lease before using it).</summary>
    public string PopReceipt => _popReceipt;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewals;
        _stop.Dispose();
    }

    private async Task RenewAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_duration / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    // Not cancelled by the stop: a renewal storage has carried out voids the pop receipt the
                    // message had, and only its answer tells the new one. Cancelled on the way back when the
                    // function ended, it left the delete a void receipt, and the message ran again.
                    var renewed = await _queue.UpdateMessageAsync(_messageId, _popReceipt, visibilityTimeout: _duration, cancellationToken: CancellationToken.None);
                    _popReceipt = renewed.Value.PopReceipt;
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(ex, "Could not renew the lease of message {MessageId} of queue {Queue}; retrying", _messageId, _queue.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: the function has finished.
        }
    }
}
