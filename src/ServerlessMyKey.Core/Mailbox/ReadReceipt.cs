using Microsoft.DurableTask;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Mailbox;

/// <summary>
/// 開封通知: tells the sender's webhook (<c>Clients:&lt;id&gt;:WebhookUrl</c>) <c>mailbox.viewed</c>, signed
/// with <c>x-mykey-signature</c>, retried with back-off. One instance per message
/// (<see cref="InstanceId"/>), started only when none exists, so the sender is told once.
/// </summary>
public sealed class ReadReceiptOrchestrator : TaskOrchestrator<string, bool>
{
    public static string InstanceId(string messageId) => "mailbox-viewed-" + messageId;

    public override Task<bool> RunAsync(TaskOrchestrationContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.CallActivityAsync<bool>(
            TellSenderViewedActivity.Name,
            input,
            new TaskOptions(new TaskRetryOptions(new RetryPolicy(8, TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(10)))));
    }
}

/// <summary>Posts the read receipt; false when the sender has no webhook. A non-2xx answer throws, so the policy retries.</summary>
[DurableTask(Name)]
public sealed class TellSenderViewedActivity(MailboxService mailbox, ClientWebhooks webhooks) : TaskActivity<string, bool>
{
    public const string Name = "TellSenderViewed";
    public const string Event = "mailbox.viewed";

    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        if (await mailbox.FindDeliveryAsync(input) is not { ViewedAt: { } viewedAt } delivery)
        {
            return false;
        }

        // Ids and times only: the sender knows what it sent.
        var body = ApiJsonOptions.Serialize(new { @event = Event, messageId = delivery.MessageId, viewedAt });
        return await webhooks.PostAsync(delivery.SenderId, body);
    }
}
