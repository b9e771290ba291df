using System.Net.Http.Headers;
using Microsoft.DurableTask;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// Tells the delegator that the delegate accepted (GEPS notifies the representative of every agent
/// registration): one webhook to <c>Delegation:DelegatorWebhook:Url</c>, signed with
/// <c>x-mykey-signature</c>. At least once over hours: attempt n ≥ 2 comes after
/// <see cref="DelegatorNotificationSchedule.DelayBefore"/> (doubling, capped); after the last attempt the
/// notification is <b>dead-lettered</b> (visible in <c>GET /api/delegations/{id}</c>) until it is re-driven.
/// Receivers de-duplicate by <c>delegationId</c> + <c>event</c>. Input and events hold ids only.
/// </summary>
public sealed class DelegatorNotificationOrchestrator : TaskOrchestrator<DelegatorNotificationInput, string>
{
    private static readonly TaskOptions RecordRetry = new(new TaskRetryOptions(new RetryPolicy(5, TimeSpan.FromSeconds(5), backoffCoefficient: 2)));

    /// <summary>The instance of the first delivery (<paramref name="redrive"/> 0) and of each re-drive.</summary>
    public static string InstanceId(string delegationId, int redrive = 0) =>
        redrive == 0 ? "delegation-accepted-" + delegationId : $"delegation-accepted-{delegationId}-r{redrive}";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, DelegatorNotificationInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        string? code = null;
        for (var attempt = 1; attempt <= input.Schedule.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await context.CreateTimer(input.Schedule.DelayBefore(attempt), CancellationToken.None);
            }

            context.SetCustomStatus(new DelegatorNotificationProgress(attempt, code));
            DelegatorNotificationAttempt outcome;
            try
            {
                outcome = await context.CallActivityAsync<DelegatorNotificationAttempt>(NotifyDelegatorActivity.Name, input.DelegationId);
            }
            catch (TaskFailedException)
            {
                outcome = new DelegatorNotificationAttempt(false, "delivery_error");
            }

            if (outcome.Delivered)
            {
                await context.CallActivityAsync(RecordDelegatorNotificationActivity.Name, new DelegatorNotificationOutcome(input.DelegationId, DelegatorNotificationStatus.Delivered, attempt, null), RecordRetry);
                return DelegatorNotificationStatus.Delivered;
            }

            code = outcome.Code;
        }

        await context.CallActivityAsync(RecordDelegatorNotificationActivity.Name, new DelegatorNotificationOutcome(input.DelegationId, DelegatorNotificationStatus.DeadLettered, input.Schedule.MaxAttempts, code), RecordRetry);
        return DelegatorNotificationStatus.DeadLettered;
    }
}

/// <summary>
/// Posts the acceptance webhook once. Delivered on a 2xx; a 3xx (never followed), another status or a
/// transport failure is a failed attempt with its code (<c>http_503</c>, <c>connection_failed</c>…).
/// Nothing to send (no endpoint, not accepted) counts as delivered.
/// </summary>
[DurableTask(Name)]
public sealed class NotifyDelegatorActivity(IDelegationStore store, DelegationOptions options, DelegatorWebhookClient client, TimeProvider time) : TaskActivity<string, DelegatorNotificationAttempt>
{
    public const string Name = "NotifyDelegator";
    public const string Event = "delegation.accepted";

    public override async Task<DelegatorNotificationAttempt> RunAsync(TaskActivityContext context, string input)
    {
        if (options.DelegatorWebhook is not { } webhook || await store.FindAsync(input) is not { DelegateCertificate: not null } record)
        {
            return new DelegatorNotificationAttempt(true, null);
        }

        // No names: the receiver reads the document from GET /api/delegations/{id} if it needs them.
        using var document = System.Text.Json.JsonDocument.Parse(record.CanonicalDocument);
        var corporateNumber = document.RootElement.GetProperty("delegator").GetProperty("corporateNumber").GetString();
        var body = ApiJsonOptions.Serialize(new { @event = Event, delegationId = record.DelegationId, number = record.Number, corporateNumber, status = record.Status });
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(webhook.Secret, time.GetUtcNow(), body));
        try
        {
            using var response = await client.Http.SendAsync(request);
            return response.IsSuccessStatusCode
                ? new DelegatorNotificationAttempt(true, null)
                : new DelegatorNotificationAttempt(false, "http_" + (int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            return new DelegatorNotificationAttempt(false, "connection_failed");
        }
        catch (TaskCanceledException)
        {
            return new DelegatorNotificationAttempt(false, "timeout");
        }
    }
}

/// <summary>
/// Records the end of a delivery: delivered → the outbox row goes and the history says
/// <c>delegator-notified</c>; dead-lettered → the row is kept, marked, and the history says
/// <c>delegator-notification-dead-lettered</c> with the last attempt's code.
/// </summary>
[DurableTask(Name)]
public sealed class RecordDelegatorNotificationActivity(IDelegationStore store, IDelegatorNotificationOutbox outbox, TimeProvider time) : TaskActivity<DelegatorNotificationOutcome, bool>
{
    public const string Name = "RecordDelegatorNotification";

    public override async Task<bool> RunAsync(TaskActivityContext context, DelegatorNotificationOutcome input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        if (input.Status == DelegatorNotificationStatus.Delivered)
        {
            // The event first: once the row is gone, the history says when it was delivered.
            await store.AppendAsync(input.DelegationId, new DelegationEvent(now, "delegator-notified", Actor: "service"));
            await outbox.RemoveAsync(input.DelegationId);
        }
        else
        {
            await outbox.MarkDeadLetteredAsync(input.DelegationId, input.Attempts, input.Code, now);
            await store.AppendAsync(input.DelegationId, new DelegationEvent(now, "delegator-notification-dead-lettered", input.Code, "service"));
        }

        return true;
    }
}

/// <summary>The HTTP client of delegator webhooks (its own type, so it is not confused with other clients in the container).</summary>
public sealed class DelegatorWebhookClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
}

/// <summary><c>Delegation:DelegatorWebhook:Url</c> and <c>:Secret</c>, and the retry schedule.</summary>
public sealed record DelegatorWebhookEndpoint(Uri Url, byte[] Secret)
{
    public DelegatorNotificationSchedule Schedule { get; init; } = new();
}

/// <summary>
/// <c>Delegation:DelegatorWebhook:MaxAttempts</c> (20), <c>:RetryFirstSeconds</c> (30) and
/// <c>:RetryMaxSeconds</c> (3600): the wait before attempt n ≥ 2 is first × 2^(n−2), at most max — by
/// default about 13 hours from the first attempt to the dead letter.
/// </summary>
public sealed record DelegatorNotificationSchedule(int MaxAttempts = 20, double RetryFirstSeconds = 30, double RetryMaxSeconds = 3600)
{
    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(RetryMaxSeconds, RetryFirstSeconds * Math.Pow(2, Math.Min(attempt - 2, 30))));

    /// <summary>From the first attempt to the last (the attempts' own time aside).</summary>
    public TimeSpan Span => TimeSpan.FromSeconds(Enumerable.Range(2, Math.Max(0, MaxAttempts - 1)).Sum(n => DelayBefore(n).TotalSeconds));
}

/// <summary>The orchestration's input: the delegation id, which re-drive (0 = the first delivery), the schedule.</summary>
public sealed record DelegatorNotificationInput(string DelegationId, int Redrive, DelegatorNotificationSchedule Schedule);

/// <summary>One attempt's result; <c>Code</c> says why it failed.</summary>
public sealed record DelegatorNotificationAttempt(bool Delivered, string? Code);

/// <summary>Custom status while delivering.</summary>
public sealed record DelegatorNotificationProgress(int Attempt, string? LastCode);

/// <summary>The end of a delivery, recorded by <see cref="RecordDelegatorNotificationActivity"/>.</summary>
public sealed record DelegatorNotificationOutcome(string DelegationId, string Status, int Attempts, string? Code);

public static class DelegatorNotificationStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string DeadLettered = "deadLettered";
}
