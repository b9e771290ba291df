using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;
using static ServerlessMyKey.Functions.Http.StoredResponseResult;

namespace ServerlessMyKey.Functions.Points;

/// <summary>The Points API (API.md "Points"): merchants, credits, assignments, debits, statements, default municipality.</summary>
public sealed class PointsFunctions(
    PointsLedgerService points,
    ServiceClientAuthenticator clients,
    ICitizenAuthenticator citizens,
    ILogger<PointsFunctions> logger)
{
    private const string Tag = "Points";

    [Function("PointsRegisterMerchant")]
    [ApiOperation(Tag, "Registers a merchant (加盟店); it takes only its municipality's points.", Caller = ApiCaller.ServiceClient, Role = PointsRoles.Admin,
        RequestBody = typeof(MerchantRegistration), Idempotent = true, Responses = [201, 401, 403, 409, 422])]
    public Task<IActionResult> RegisterMerchant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "points/merchants")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, PointsRoles.Admin);
            var body = await RequestBody.ReadJsonAsync<MerchantRegistration>(request, cancellationToken);
            return new StoredResponseResult(await points.RegisterMerchantAsync(body, IdempotencyKeyOf(request), caller, cancellationToken));
        });

    [Function("PointsCredit")]
    [ApiOperation(Tag, "Credits points: a partner conversion into holding, or a municipal grant into that municipality.", Caller = ApiCaller.ServiceClient,
        Role = PointsRoles.Credit, RequestBody = typeof(CreditRequest), Idempotent = true, Responses = [201, 401, 403, 409, 422])]
    public Task<IActionResult> Credit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "points/accounts/{myKeyId}/credits")] HttpRequest request,
        string myKeyId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, PointsRoles.Credit);
            var body = await RequestBody.ReadJsonAsync<CreditRequest>(request, cancellationToken);
            var response = await points.CreditAsync(myKeyId, body, IdempotencyKeyOf(request), caller, cancellationToken);
            logger.LogInformation("Points credited to {MyKeyId} by {ClientId}", myKeyId, caller.ClientId);
            return new StoredResponseResult(response);
        });

    [Function("PointsAssign")]
    [ApiOperation(Tag, "The citizen assigns holding points to a municipality (within the holding period).", Caller = ApiCaller.Citizen,
        RequestBody = typeof(AssignmentRequest), Idempotent = true, Responses = [201, 401, 403, 409, 422])]
    public Task<IActionResult> Assign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "points/accounts/{myKeyId}/assignments")] HttpRequest request,
        string myKeyId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await citizens.RequireCitizenAsync(request, myKeyId, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<AssignmentRequest>(request, cancellationToken);
            return new StoredResponseResult(await points.AssignAsync(myKeyId, body, IdempotencyKeyOf(request), cancellationToken));
        });

    [Function("PointsDebit")]
    [ApiOperation(Tag, "A merchant takes points of its municipality; needs the merchant's API key and the citizen's bearer token.",
        Caller = ApiCaller.CitizenAndServiceClient, Role = PointsRoles.Debit, RequestBody = typeof(DebitRequest), Idempotent = true,
        Responses = [201, 401, 403, 404, 409])]
    public Task<IActionResult> Debit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "points/accounts/{myKeyId}/debits")] HttpRequest request,
        string myKeyId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var merchant = clients.RequireServiceClient(request, PointsRoles.Debit);
            await citizens.RequireCitizenAsync(request, myKeyId, merchant, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<DebitRequest>(request, cancellationToken);
            var response = await points.DebitAsync(myKeyId, body, IdempotencyKeyOf(request), merchant, cancellationToken);
            logger.LogInformation("Points debited from {MyKeyId} by {ClientId}", myKeyId, merchant.ClientId);
            return new StoredResponseResult(response);
        });

    [Function("PointsGetAccount")]
    [ApiOperation(Tag, "Balances and entries (newest first, paged by continuationToken; limit 1–200) of the citizen's own account, or any with role points.read.", Query = ["limit", "continuationToken"],
        Caller = ApiCaller.CitizenAndServiceClient, Role = PointsRoles.Read, Responses = [200, 401, 403])]
    public Task<IActionResult> GetAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "points/accounts/{myKeyId}")] HttpRequest request,
        string myKeyId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (request.Headers.ContainsKey(RequestAuthentication.ApiKeyHeader))
            {
                clients.RequireServiceClient(request, PointsRoles.Read);
            }
            else
            {
                await citizens.RequireCitizenAsync(request, myKeyId, cancellationToken);
            }

            return ApiJson.Ok(await points.GetStatementAsync(myKeyId, QueryParameters.ContinuationToken(request), QueryParameters.Limit(request), cancellationToken));
        });

    [Function("PointsSetDefaultMunicipality")]
    [ApiOperation(Tag, "The citizen sets the municipality that receives holding points not assigned in time.", Caller = ApiCaller.Citizen,
        RequestBody = typeof(DefaultMunicipalityRequest), Responses = [200, 401, 403, 422])]
    public Task<IActionResult> SetDefaultMunicipality(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "points/accounts/{myKeyId}/default-municipality")] HttpRequest request,
        string myKeyId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await citizens.RequireCitizenAsync(request, myKeyId, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<DefaultMunicipalityRequest>(request, cancellationToken);
            return new StoredResponseResult(await points.SetDefaultMunicipalityAsync(myKeyId, body, cancellationToken));
        });
}
