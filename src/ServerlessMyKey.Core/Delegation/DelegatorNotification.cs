using System.Net.Http.Headers;
using Microsoft.DurableTask;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// Tells the delegator that the delegate accepted (GEPS notifies the representative of every agent
/// registration): one webhook to <c>Delegation:DelegatorWebhook:Url</c>, signed with
/// <c>x-mykey-signature</c>, retried by the activity's retry policy. At least once: receivers
/// de-duplicate by <c>delegationId</c> + <c>event</c>.
/// </summary>
public sealed class DelegatorNotificationOrchestrator : TaskOrchestrator<string, bool>
{
    public static string InstanceId(string delegationId) => "delegation-accepted-" + delegationId;

    public override Task<bool> RunAsync(TaskOrchestrationContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.CallActivityAsync<bool>(
            NotifyDelegatorActivity.Name,
            input,
            new TaskOptions(new TaskRetryOptions(new RetryPolicy(6, TimeSpan.FromSeconds(5), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(5)))));
    }
}

/// <summary>Posts the acceptance webhook; false when no endpoint is configured. A non-2xx answer throws, so the policy retries.</summary>
[DurableTask(Name)]
public sealed class NotifyDelegatorActivity(IDelegationStore store, DelegationOptions options, DelegatorWebhookClient client, TimeProvider time) : TaskActivity<string, bool>
{
    public const string Name = "NotifyDelegator";
    public const string Event = "delegation.accepted";

    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        if (options.DelegatorWebhook is not { } webhook || await store.FindAsync(input) is not { DelegateCertificate: not null } record)
        {
            return false;
        }

        // No names: the receiver reads the document from GET /api/delegations/{id} if it needs them.
        using var document = System.Text.Json.JsonDocument.Parse(record.CanonicalDocument);
        var corporateNumber = document.RootElement.GetProperty("delegator").GetProperty("corporateNumber").GetString();
        var body = ApiJsonOptions.Serialize(new { @event = Event, delegationId = record.DelegationId, number = record.Number, corporateNumber, status = record.Status });
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(webhook.Secret, time.GetUtcNow(), body));
        using var response = await client.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return true;
    }
}

/// <summary>The HTTP client of delegator webhooks (its own type, so it is not confused with other clients in the container).</summary>
public sealed class DelegatorWebhookClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
}

/// <summary><c>Delegation:DelegatorWebhook:Url</c> and <c>:Secret</c>.</summary>
public sealed record DelegatorWebhookEndpoint(Uri Url, byte[] Secret);
