using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.DurableTask;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Messaging;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// 送信 of a delegation to a recipient (the certified operator's "transmission"): seal the delegation
/// as a JWS of the service's token-signing key, publish it to the recipient's topic, wait for the
/// recipient's <c>Ack</c> event, retry with back-off, end <c>acknowledged</c> or <c>failed</c>.
/// Deterministic: all I/O is in <see cref="SealDelegationActivity"/> and <see cref="PublishDelegationActivity"/>.
/// Nothing personal passes through the task hub (which keeps every input and output in its history):
/// the input holds ids, and the sealed delegation (names inside) travels from the seal to the publish
/// activity only envelope-encrypted (issue #17, finding 3).
/// </summary>
public sealed class DelegationTransmissionOrchestrator : TaskOrchestrator<TransmissionInput, TransmissionResult>
{
    public const string AckEvent = "Ack";

    public override async Task<TransmissionResult> RunAsync(TaskOrchestrationContext context, TransmissionInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);

        // Sealing reads the delegation and the signing key: a storage or key outage is retried for about a minute,
        // and a seal that still fails ends the transmission as failed (never pending for ever).
        EncryptedEnvelope? sealedDelegation;
        try
        {
            sealedDelegation = await context.CallActivityAsync<EncryptedEnvelope?>(
                SealDelegationActivity.Name,
                new SealRequest(input.TransmissionId, input.DelegationId),
                new TaskOptions(new TaskRetryOptions(new RetryPolicy(6, TimeSpan.FromSeconds(2), backoffCoefficient: 2))));
        }
        catch (TaskFailedException)
        {
            return new TransmissionResult(TransmissionStatus.Failed, 0, null, Errors.ErrorCodes.StorageUnavailable.Code);
        }

        if (sealedDelegation is null)
        {
            return new TransmissionResult(TransmissionStatus.Failed, 0, null, Errors.ErrorCodes.DelegationNotActive.Code);
        }

        // One outstanding wait for the whole run: an ack during a back-off is not lost.
        var ack = context.WaitForExternalEvent<TransmissionAck>(AckEvent);
        for (var attempt = 1; attempt <= input.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                context.SetCustomStatus(new TransmissionProgress(TransmissionStatus.Sent, attempt - 1));
                var backoff = TimeSpan.FromTicks(input.RetryBackoff.Ticks << Math.Min(attempt - 2, 16));
                if (await AcknowledgedWithinAsync(context, ack, backoff))
                {
                    return Acknowledged(context, attempt - 1);
                }
            }

            context.SetCustomStatus(new TransmissionProgress(TransmissionStatus.Pending, attempt));
            try
            {
                await context.CallActivityAsync(
                    PublishDelegationActivity.Name,
                    new PublishRequest(input.Topic, input.TransmissionId, attempt, sealedDelegation),
                    new TaskOptions(new TaskRetryOptions(new RetryPolicy(3, TimeSpan.FromSeconds(1), backoffCoefficient: 2))));
            }
            catch (TaskFailedException)
            {
                // The transport is down: this attempt is spent; the next one comes after the back-off.
                continue;
            }

            context.SetCustomStatus(new TransmissionProgress(TransmissionStatus.Sent, attempt));
            if (await AcknowledgedWithinAsync(context, ack, input.AckTimeout))
            {
                return Acknowledged(context, attempt);
            }
        }

        return new TransmissionResult(TransmissionStatus.Failed, input.MaxAttempts, null, "ack_timeout");
    }

    private static async Task<bool> AcknowledgedWithinAsync(TaskOrchestrationContext context, Task<TransmissionAck> ack, TimeSpan wait)
    {
        if (ack.IsCompleted)
        {
            return true;
        }

        using var cancel = new CancellationTokenSource();
        var timer = context.CreateTimer(context.CurrentUtcDateTime.Add(wait), cancel.Token);
        var winner = await Task.WhenAny(ack, timer);
        if (winner == ack)
        {
            // The losing timer must be cancelled, or the orchestration would wait for it. Synchronously:
            // an orchestrator must not await anything but durable tasks (CancelAsync runs elsewhere).
            cancel.Cancel();
            return true;
        }

        return false;
    }

    private static TransmissionResult Acknowledged(TaskOrchestrationContext context, int attempts) =>
        new(TransmissionStatus.Acknowledged, attempts, context.CurrentUtcDateTime, null);
}

/// <summary>
/// Seals the delegation as it stands now and returns the JWS envelope-encrypted (the transmission id as
/// associated data), since the output lands in the task hub's history; null when it is no longer active.
/// </summary>
[DurableTask(Name)]
public sealed class SealDelegationActivity(IDelegationStore store, IKeyService keys, EnvelopeEncryption envelopes, TimeProvider time) : TaskActivity<SealRequest, EncryptedEnvelope?>
{
    public const string Name = "SealDelegation";

    public override async Task<EncryptedEnvelope?> RunAsync(TaskActivityContext context, SealRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var record = await store.FindAsync(input.DelegationId);
        var now = time.GetUtcNow();
        if (record is null || record.EffectiveStatus(now) != DelegationStatus.Active)
        {
            return null;
        }

        using var document = JsonDocument.Parse(record.CanonicalDocument);
        var payload = ApiJsonOptions.Serialize(new SealedDelegation(
            input.TransmissionId, record.DelegationId, record.Number, record.Status, document.RootElement.Clone(),
            record.DelegatorCertificate, record.DelegateCertificate, now.ToUnixTimeSeconds()));
        var jws = await ServiceJws.SignAsync(
            keys, kid => ApiJsonOptions.Serialize(new { alg = "ES256", kid, typ = "JOSE", cty = "application/vnd.serverlessmykey.delegation+json" }), payload);
        var sealedDelegation = await envelopes.EncryptAsync(Encoding.ASCII.GetBytes(jws), AssociatedData(input.TransmissionId));

        // On record before anything can be published: a retry under the key after the instance is purged must not send it again.
        await store.RecordTransmissionSealedAsync(record.DelegationId, input.TransmissionId);
        return sealedDelegation;
    }

    /// <summary>Binds a sealed delegation's envelope to its transmission.</summary>
    internal static byte[] AssociatedData(string transmissionId) => Encoding.UTF8.GetBytes("delegation-transmission\n" + transmissionId);
}

/// <summary>
/// Publishes one attempt. The message id is <c>&lt;transmissionId&gt;-&lt;attempt&gt;</c>: a retried
/// activity is dropped by duplicate detection, while a new attempt is a new message. The sealed
/// delegation is decrypted here, just before it leaves.
/// </summary>
[DurableTask(Name)]
public sealed class PublishDelegationActivity(IOutboundPublisher publisher, EnvelopeEncryption envelopes) : TaskActivity<PublishRequest, bool>
{
    public const string Name = "PublishDelegation";
    public const string Subject = "delegation.transmission";

    public override async Task<bool> RunAsync(TaskActivityContext context, PublishRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var jws = Encoding.ASCII.GetString(await envelopes.DecryptAsync(input.SealedDelegation, SealDelegationActivity.AssociatedData(input.TransmissionId)));
        var body = ApiJsonOptions.Serialize(new { transmissionId = input.TransmissionId, attempt = input.Attempt, jws });
        await publisher.PublishAsync(input.Topic, new OutboundMessage($"{input.TransmissionId}-{input.Attempt}", Subject, body) { CorrelationId = input.TransmissionId });
        return true;
    }
}

/// <summary>The orchestration's input: everything it needs, so it reads no configuration itself.</summary>
public sealed record TransmissionInput(
    string TransmissionId,
    string DelegationId,
    string DelegateMyKeyId,
    string Recipient,
    string Topic,
    TimeSpan AckTimeout,
    int MaxAttempts,
    TimeSpan RetryBackoff);

public sealed record SealRequest(string TransmissionId, string DelegationId);

/// <summary>One attempt to publish; <see cref="SealedDelegation"/> is the JWS envelope-encrypted by the seal activity.</summary>
public sealed record PublishRequest(string Topic, string TransmissionId, int Attempt, EncryptedEnvelope SealedDelegation);

/// <summary>The recipient's acknowledgement event.</summary>
public sealed record TransmissionAck(string Recipient, DateTimeOffset ReceivedAt);

/// <summary>Custom status while running.</summary>
public sealed record TransmissionProgress(string Status, int Attempts);

/// <summary>The outcome: <c>acknowledged</c> or <c>failed</c> (with <c>code</c>).</summary>
public sealed record TransmissionResult(string Status, int Attempts, DateTimeOffset? AcknowledgedAt, string? Code);

/// <summary>The JWS payload a recipient receives.</summary>
public sealed record SealedDelegation(
    string TransmissionId,
    string DelegationId,
    string Number,
    string Status,
    JsonElement Delegation,
    CertificateReference DelegatorCertificate,
    CertificateReference? DelegateCertificate,
    long Iat);

public static class TransmissionStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Acknowledged = "acknowledged";
    public const string Failed = "failed";
}
