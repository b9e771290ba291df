using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Delegation;

/// <summary>電子委任状 (API.md "Delegation"): registration, the delegate's answer, revocation, reading, act verification.</summary>
public sealed class DelegationFunctions(
    DelegationService delegations,
    DelegatorNotifications notifications,
    ICitizenAuthenticator citizens,
    ServiceClientAuthenticator clients,
    ILogger<DelegationFunctions> logger)
{
    public const string VerifyRole = "delegations.verify";
    public const string NotifyRole = "delegations.notify";
    private const string Tag = "Delegation";

    [Function("CreateDelegation")]
    [ApiOperation(Tag, "Registers a delegation signed by the delegator's JPKI signing certificate over its RFC 8785 canonical form; the same signed document again returns the same delegation.",
        RequestBody = typeof(CreateDelegationRequest), Idempotent = true, Responses = [201, 400, 401, 422])]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<CreateDelegationRequest>(request, cancellationToken);
            var created = await delegations.CreateAsync(body, StoredResponseResult.IdempotencyKeyOf(request), cancellationToken);
            return ApiJson.Created(created, $"/api/delegations/{created.DelegationId}");
        });

    [Function("AcceptDelegation")]
    [ApiOperation(Tag, "The delegate accepts: bearer token of delegate.myKeyId and a signature over the JCS form of {\"action\":\"accept\",\"delegationId\":…} by a signing certificate in delegate.name.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(DelegationStatementRequest), Responses = [200, 401, 403, 404, 409, 422])]
    public Task<IActionResult> Accept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/{delegationId}/acceptance")] HttpRequest request,
        string delegationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<DelegationStatementRequest>(request, cancellationToken);
            var accepted = await delegations.AcceptAsync(delegationId, citizen, body, cancellationToken);

            // Also on a repeated acceptance; should this fail, the outbox row makes the sweep schedule it.
            await notifications.EnsureScheduledAsync(new DurableDelegatorNotificationScheduler(durable), delegationId, cancellationToken);
            return ApiJson.Ok(accepted);
        });

    [Function("RejectDelegation")]
    [ApiOperation(Tag, "The delegate declines, as for acceptance with {\"action\":\"reject\",\"delegationId\":…}.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(DelegationStatementRequest), Responses = [200, 401, 403, 404, 409, 422])]
    public Task<IActionResult> Reject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/{delegationId}/rejection")] HttpRequest request,
        string delegationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<DelegationStatementRequest>(request, cancellationToken);
            return ApiJson.Ok(await delegations.RejectAsync(delegationId, citizen, body, cancellationToken));
        });

    [Function("RevokeDelegation")]
    [ApiOperation(Tag, "The delegator revokes with the certificate that signed the delegation, over {\"action\":\"revoke\",\"delegationId\":…}.",
        RequestBody = typeof(DelegationStatementRequest), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/{delegationId}/revocation")] HttpRequest request,
        string delegationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<DelegationStatementRequest>(request, cancellationToken);
            return ApiJson.Ok(await delegations.RevokeAsync(delegationId, body, cancellationToken));
        });

    [Function("GetDelegation")]
    [ApiOperation(Tag, "The document, status, one page of history (limit 1–500, default 100; historyContinuationToken → continuationToken) and the delegator notification while undelivered: for the delegate (bearer token) or a client with delegations.verify (x-api-key).",
        Caller = ApiCaller.CitizenAndServiceClient, Role = VerifyRole, Query = ["limit", "continuationToken"], Responses = [200, 400, 401, 403, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegations/{delegationId}")] HttpRequest request,
        string delegationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            Citizen? citizen = null;
            if (request.Headers.ContainsKey(RequestAuthentication.ApiKeyHeader))
            {
                clients.RequireServiceClient(request, VerifyRole);
            }
            else
            {
                citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            }

            return ApiJson.Ok(await delegations.GetAsync(delegationId, citizen, QueryParameters.Limit(request), QueryParameters.ContinuationToken(request), cancellationToken));
        });

    [Function("RedriveDelegatorNotification")]
    [ApiOperation(Tag, "Re-queues a dead-lettered delegator notification (the full retry schedule again): for a client with delegations.notify (the delegators' portal). Idempotent: a re-drive under way is answered again.",
        Caller = ApiCaller.ServiceClient, Role = NotifyRole, Responses = [202, 401, 403, 404, 409])]
    public Task<IActionResult> Redrive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/{delegationId}/notification/redrive")] HttpRequest request,
        string delegationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = clients.RequireServiceClient(request, NotifyRole);
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken);
            await delegations.RequireExistingAsync(delegationId, cancellationToken);
            var view = await notifications.RedriveAsync(new DurableDelegatorNotificationScheduler(durable), delegationId, cancellationToken);
            logger.LogInformation("Delegator notification of delegation {DelegationId} re-driven by {ClientId}", delegationId, client.ClientId);
            return ApiJson.Accepted(view);
        });

    [Function("VerifyDelegatedAct")]
    [ApiOperation(Tag, "Checks that an act is signed by the delegate's accepted certificate, under an active delegation, inside its powers; answers authorized or the refusal's code.",
        Caller = ApiCaller.ServiceClient, Role = VerifyRole, RequestBody = typeof(ActVerificationRequest), Responses = [200, 400, 401, 403])]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations/verifications")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = clients.RequireServiceClient(request, VerifyRole);
            var body = await RequestBody.ReadJsonAsync<ActVerificationRequest>(request, cancellationToken);
            return ApiJson.Ok(await delegations.VerifyActAsync(body, client.ClientId, cancellationToken));
        });
}
