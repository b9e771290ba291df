using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.DevHost.Queues;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>
/// The lease of a queue message whose function ends while a renewal's answer is on its way: storage has
/// already renewed it (the pop receipt the message had is void), so the lease waits for the answer and its
/// new pop receipt rather than cancelling the renewal and leaving the delete a void receipt.
/// </summary>
public sealed class MessageLeaseTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_renewal_answered_after_the_function_ended_gives_the_receipt_the_message_is_deleted_with()
    {
        var answer = new HeldRenewalAnswer();
        var options = new QueueClientOptions();
        options.AddPolicy(answer, HttpPipelinePosition.PerCall);
        var queue = new QueueClient(azurite.ConnectionString, AzuriteServer.UniqueName("lease"), options);
        await queue.CreateAsync();
        await queue.SendMessageAsync("work");
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);

        var lease = new MessageLease(queue, message, TimeSpan.FromSeconds(3), NullLogger.Instance); // renewed every second
        await answer.Renewed.WaitAsync(TimeSpan.FromSeconds(60));
        var ending = lease.DisposeAsync().AsTask(); // the function has ended; the renewal's answer is still on its way
        answer.Release();
        await ending.WaitAsync(TimeSpan.FromSeconds(60));

        await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    /// <summary>Holds the answer to the first renewal (a PUT on the message with its pop receipt) after storage has carried it out.</summary>
    private sealed class HeldRenewalAnswer : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _renewed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public Task Renewed => _renewed.Task;

        public void Release() => _release.TrySetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method == RequestMethod.Put
                && message.Request.Uri.Query.Contains("popreceipt=", StringComparison.OrdinalIgnoreCase)
                && Interlocked.Exchange(ref _held, 1) == 0)
            {
                _renewed.TrySetResult();
                await _release.Task.WaitAsync(message.CancellationToken);
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The lease renews asynchronously.");
    }
}
