using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Delegation;

/// <summary>
/// 送信 (API.md "Delegation"): the delegate starts a transmission to a configured recipient; its
/// status; the recipient's acknowledgement. The workflow is <see cref="DelegationTransmissionOrchestrator"/>;
/// below are its one-line adapters.
/// </summary>
public sealed class DelegationTransmissionFunctions(
    DelegationService delegations,
    ICitizenAuthenticator citizens,
    ServiceClientAuthenticator clients,
    SealDelegationActivity seal,
    PublishDelegationActivity publish,
    NotifyDelegatorActivity notify,
    RecordDelegatorNotificationActivity record,
    DurablePurgeOptions purge,
    ILogger<DelegationTransmissionFunctions> logger)
{
    private const string Tag = "Delegation";

    [Function("StartDelegationTransmission")]
    [ApiOperation(Tag, "The delegate has the delegation sealed (JWS) and sent to a configured recipient; answers the transmission id at once.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(TransmissionRequest), Idempotent = true, Responses = [202, 401, 404, 409, 422])]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/{delegationId}/transmissions")] HttpRequest request,
        string delegationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<TransmissionRequest>(request, cancellationToken);
            var prepared = await delegations.PrepareTransmissionAsync(delegationId, citizen, body, StoredResponseResult.IdempotencyKeyOf(request), cancellationToken);
            var input = prepared.Input;
            if (await durable.GetInstanceAsync(input.TransmissionId, cancellationToken) is null)
            {
                // No instance: the first request stopped before it started one, or it was sealed, sent and purged
                // (by the timer under any retention, or by hand): that one is not sent again.
                await delegations.RefuseIfPurgedAsync(prepared, purge.Retention, cancellationToken);
                await durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationTransmissionOrchestrator), input, new StartOrchestrationOptions(input.TransmissionId), cancellationToken);
            }

            var accepted = ApiJson.Accepted(new TransmissionStarted(input.TransmissionId));
            accepted.Headers["Location"] = $"/api/delegations/transmissions/{input.TransmissionId}";
            return accepted;
        });

    [Function("GetDelegationTransmission")]
    [ApiOperation(Tag, "Status of a transmission (pending, sent, acknowledged, failed) with its attempts: for the delegate (bearer token) or the recipient (x-api-key).",
        Caller = ApiCaller.CitizenAndServiceClient, Responses = [200, 401, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegations/transmissions/{transmissionId}")] HttpRequest request,
        string transmissionId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            // Authenticated before the lookup, so that 401 and 404 say nothing about which ids exist.
            var client = request.Headers.ContainsKey(RequestAuthentication.ApiKeyHeader) ? AuthenticateClient(request) : null;
            var citizen = client is null ? await citizens.RequireCitizenAsync(request, cancellationToken) : null;
            var (instance, input) = await FindAsync(durable, transmissionId, cancellationToken);
            if (client is not null)
            {
                RequireRecipient(client, input);
            }
            else if (citizen!.MyKeyId != input.DelegateMyKeyId)
            {
                throw new ServiceException(ErrorCodes.TransmissionNotFound);
            }

            return ApiJson.Ok(View(instance, input));
        });

    [Function("AcknowledgeDelegationTransmission")]
    [ApiOperation(Tag, "The recipient (its own x-api-key) acknowledges a transmission it received.",
        Caller = ApiCaller.ServiceClient, Responses = [202, 401, 404, 409])]
    public Task<IActionResult> Acknowledge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/transmissions/{transmissionId}/ack")] HttpRequest request,
        string transmissionId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = AuthenticateClient(request);
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken);
            var (instance, input) = await FindAsync(durable, transmissionId, cancellationToken);
            var recipient = RequireRecipient(client, input);
            var view = View(instance, input);
            if (view.Status == TransmissionStatus.Failed)
            {
                throw new ServiceException(ErrorCodes.TransmissionClosed);
            }

            if (view.Status != TransmissionStatus.Acknowledged)
            {
                await durable.RaiseEventAsync(transmissionId, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck(recipient.ClientId, DateTimeOffset.UtcNow), cancellationToken);
                logger.LogInformation("Transmission {TransmissionId} acknowledged by {ClientId}", transmissionId, recipient.ClientId);
            }

            return ApiJson.Accepted(view with { Status = TransmissionStatus.Acknowledged });
        });

    [Function(nameof(DelegationTransmissionOrchestrator))]
    public static Task<TransmissionResult> RunTransmission([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new DelegationTransmissionOrchestrator().RunAsync(context, context.GetInput<TransmissionInput>()!);

    [Function(SealDelegationActivity.Name)]
    public Task<EncryptedEnvelope?> Seal([ActivityTrigger] SealRequest input, string instanceId) =>
        seal.RunAsync(new AdapterActivityContext(SealDelegationActivity.Name, instanceId), input);

    [Function(PublishDelegationActivity.Name)]
    public Task<bool> Publish([ActivityTrigger] PublishRequest input, string instanceId) =>
        publish.RunAsync(new AdapterActivityContext(PublishDelegationActivity.Name, instanceId), input);

    [Function(nameof(DelegatorNotificationOrchestrator))]
    public static Task<string> RunDelegatorNotification([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new DelegatorNotificationOrchestrator().RunAsync(context, context.GetInput<DelegatorNotificationInput>()!);

    [Function(NotifyDelegatorActivity.Name)]
    public Task<DelegatorNotificationAttempt> NotifyDelegator([ActivityTrigger] string input, string instanceId) =>
        notify.RunAsync(new AdapterActivityContext(NotifyDelegatorActivity.Name, instanceId), input);

    [Function(RecordDelegatorNotificationActivity.Name)]
    public Task<bool> RecordDelegatorNotification([ActivityTrigger] DelegatorNotificationOutcome input, string instanceId) =>
        record.RunAsync(new AdapterActivityContext(RecordDelegatorNotificationActivity.Name, instanceId), input);

    private ServiceClient AuthenticateClient(HttpRequest request) =>
        clients.Authenticate(request.Headers[RequestAuthentication.ApiKeyHeader].ToString())
            ?? throw new ServiceException(ErrorCodes.Unauthenticated);

    // Another client is answered as for a missing id: a transmission exists only for its parties.
    private static ServiceClient RequireRecipient(ServiceClient client, TransmissionInput input) =>
        client.ClientId == input.Recipient ? client : throw new ServiceException(ErrorCodes.TransmissionNotFound);

    private static async Task<(OrchestrationMetadata Instance, TransmissionInput Input)> FindAsync(DurableTaskClient durable, string transmissionId, CancellationToken cancellationToken)
    {
        var instance = transmissionId is { Length: 32 } && transmissionId.All(char.IsAsciiHexDigitLower)
            ? await durable.GetInstanceAsync(transmissionId, getInputsAndOutputs: true, cancellationToken)
            : null;
        return instance?.ReadInputAs<TransmissionInput>() is { } input && instance.Name == nameof(DelegationTransmissionOrchestrator)
            ? (instance, input)
            : throw new ServiceException(ErrorCodes.TransmissionNotFound);
    }

    private static TransmissionView View(OrchestrationMetadata instance, TransmissionInput input)
    {
        if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && instance.ReadOutputAs<TransmissionResult>() is { } result)
        {
            return new TransmissionView(input.TransmissionId, input.DelegationId, input.Recipient, result.Status, result.Attempts, result.AcknowledgedAt, result.Code);
        }

        if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
        {
            return new TransmissionView(input.TransmissionId, input.DelegationId, input.Recipient, TransmissionStatus.Failed, 0, null, "internal_error");
        }

        var progress = instance.ReadCustomStatusAs<TransmissionProgress>();
        return new TransmissionView(input.TransmissionId, input.DelegationId, input.Recipient, progress?.Status ?? TransmissionStatus.Pending, progress?.Attempts ?? 0, null, null);
    }

    private sealed class AdapterActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = instanceId;
    }
}
