using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.DevHost.Invocation;
using ServerlessMyKey.DevHost.Metadata;

namespace ServerlessMyKey.DevHost.Queues;

/// <summary>
/// Polls one storage queue for one queue-triggered function the way the Functions host does:
/// batches of <c>batchSize</c>, the next batch fetched once at most <c>newBatchThreshold</c> messages are
/// still running (half the batch size by default), a lease renewed while the function runs (<see cref="MessageLease"/>;
/// one minute here, ten on the host), delete on success, the message
/// made visible again after <c>visibilityTimeout</c> on failure, and moved to
/// <c>&lt;queue&gt;-poison</c> once it has been dequeued <c>maxDequeueCount</c> times.
/// </summary>
internal sealed class QueueTriggerListener(
    HostedFunction function,
    QueueClient queue,
    QueueClient poisonQueue,
    HostSettings host,
    IServiceProvider services,
    ILogger logger) : BackgroundService
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var threshold = host.QueueNewBatchThreshold ?? host.QueueBatchSize / 2;
        var running = new HashSet<Task>();
        var delay = MinimumPollingInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // As the host: the next batch is fetched once no more than newBatchThreshold messages are still running.
                while (running.Count > threshold)
                {
                    running.Remove(await Task.WhenAny(running));
                }

                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(host.QueueBatchSize, host.QueueMessageLease, stoppingToken)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Polling queue {Queue} failed; retrying", queue.Name);
                    messages = [];
                }

                if (messages.Length == 0)
                {
                    try
                    {
                        await Task.Delay(delay, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, host.QueueMaxPollingInterval.Ticks));
                    running.RemoveWhere(t => t.IsCompleted);
                    continue;
                }

                delay = MinimumPollingInterval;
                foreach (var message in messages)
                {
                    running.Add(ProcessAsync(message, stoppingToken));
                }
            }
        }
        finally
        {
            // ProcessAsync settles every outcome itself; shutting down waits for what runs.
            await Task.WhenAll(running);
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        Exception? failure = null;
        var lease = new MessageLease(queue, message, host.QueueMessageLease, logger);
        try
        {
            var text = Decode(message.MessageText);
            await using var scope = services.CreateAsyncScope();
            await function.InvokeAsync(new InvocationContext
            {
                Services = scope.ServiceProvider,
                CancellationToken = stoppingToken,
                TriggerValue = text,
                DurableClient = scope.ServiceProvider.GetService<DurableTaskClient>(),
                BindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
                {
                    ["id"] = message.MessageId,
                    ["dequeueCount"] = message.DequeueCount,
                    ["insertionTime"] = message.InsertedOn,
                    ["expirationTime"] = message.ExpiresOn,
                    ["nextVisibleTime"] = message.NextVisibleOn,
                    ["popReceipt"] = message.PopReceipt,
                    ["queueTrigger"] = text,
                },
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the lease expires and the message comes back.
            await lease.DisposeAsync();
            return;
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await lease.DisposeAsync();
        if (failure is null)
        {
            await DeleteAsync(message, lease.PopReceipt);
        }
        else
        {
            await HandleFailureAsync(message, lease.PopReceipt, failure);
        }
    }

    private async Task DeleteAsync(QueueMessage message, string popReceipt)
    {
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease runs out and the message runs again; handlers are idempotent.
            logger.LogWarning(ex, "Could not delete message {MessageId} of queue {Queue}; it will run again", message.MessageId, queue.Name);
        }
    }

    private async Task HandleFailureAsync(QueueMessage message, string popReceipt, Exception error)
    {
        try
        {
            if (message.DequeueCount >= host.QueueMaxDequeueCount || error is FormatException)
            {
                logger.LogError(error, "Function {FunctionName} failed on message {MessageId} (dequeue count {DequeueCount}); moving it to {PoisonQueue}",
                    function.Name, message.MessageId, message.DequeueCount, poisonQueue.Name);
                await poisonQueue.CreateIfNotExistsAsync();
                await poisonQueue.SendMessageAsync(message.MessageText);
                await queue.DeleteMessageAsync(message.MessageId, popReceipt);
            }
            else
            {
                logger.LogWarning(error, "Function {FunctionName} failed on message {MessageId} (dequeue count {DequeueCount}); it will be retried",
                    function.Name, message.MessageId, message.DequeueCount);
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: host.QueueVisibilityTimeout);
            }
        }
        catch (Exception ex)
        {
            // The lease runs out and the message comes back; nothing is lost.
            logger.LogWarning(ex, "Could not settle message {MessageId} of queue {Queue}", message.MessageId, queue.Name);
        }
    }

    private string Decode(string messageText)
    {
        if (host.QueueMessageEncoding == "none")
        {
            return messageText;
        }

        // FormatException here sends the message straight to the poison queue, as the host does.
        return Encoding.UTF8.GetString(Convert.FromBase64String(messageText));
    }
}
