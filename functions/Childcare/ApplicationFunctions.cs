using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>子育てワンストップ (API.md "Child-care one-stop"): the parent's routes and reading an application.</summary>
public sealed class ApplicationFunctions(
    ApplicationIntake intake,
    ApplicationReader reader,
    MunicipalityDesk desk,
    ICitizenAuthenticator citizens,
    ServiceClientAuthenticator clients,
    ILogger<ApplicationFunctions> logger)
{
    private const string Tag = "Childcare";

    [Function("SubmitChildcareApplication")]
    [ApiOperation(Tag, "The parent submits an application signed with the 署名用 certificate over the JCS form of `application`; answers applicationId, receiptNumber, status (awaiting_documents or received), the employment-certificate request codes to pass to each employer's HR and, for child-allowance.claim, deadline, late and paymentStartMonth.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(SubmitApplicationRequest), Idempotent = true, ResponseBody = typeof(ApplicationAccepted), Responses = [202, 400, 401, 422])]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<SubmitApplicationRequest>(request, cancellationToken);
            var answer = await intake.SubmitAsync(citizen.MyKeyId, body, StoredResponseResult.IdempotencyKeyOf(request), new DurableApplicationWorkflows(durable), cancellationToken);
            return new StoredResponseResult(new StoredResponse(StatusCodes.Status202Accepted, string.Empty, answer));
        });

    [Function("ListChildcareApplications")]
    [ApiOperation(Tag, "With x-api-key, the municipality pulls its applications (municipalityCode required; filters status, procedure, since = updated at or after; limit 1–100, 50). With the parent's bearer, the parent's own applications, newest first (limit 1–100, 20). Both paged with continuationToken.",
        Caller = ApiCaller.CitizenAndServiceClient, Role = MunicipalityDesk.Role, Query = ["municipalityCode", "status", "procedure", "since", "limit", "continuationToken"], ResponseBody = typeof(ApplicationPage), Responses = [200, 400, 401, 403, 404])]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "childcare/applications")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (!request.Headers.ContainsKey(RequestAuthentication.ApiKeyHeader))
            {
                var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
                return ApiJson.Ok(await reader.ListApplicantsAsync(citizen.MyKeyId, QueryParameters.Limit(request), QueryParameters.ContinuationToken(request), cancellationToken));
            }

            var client = clients.RequireServiceClient(request, MunicipalityDesk.Role);
            string? Query(string name) => request.Query[name].ToString() is { Length: > 0 } value ? value : null;
            return ApiJson.Ok(await desk.ListAsync(
                client.ClientId, Query("municipalityCode"), Query("status"), Query("procedure"), Query("since"),
                QueryParameters.Limit(request), QueryParameters.ContinuationToken(request), cancellationToken));
        });

    [Function("GetChildcareApplication")]
    [ApiOperation(Tag, "The application with its form, applicant (基本4情報 from the signing certificate), employment certificates, missing documents, status, history and notices: for the parent (bearer) or the municipality (x-api-key).",
        Caller = ApiCaller.CitizenAndServiceClient, Role = MunicipalityDesk.Role, ResponseBody = typeof(ApplicationView), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "childcare/applications/{applicationId}")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (request.Headers.ContainsKey(RequestAuthentication.ApiKeyHeader))
            {
                var client = clients.RequireServiceClient(request, MunicipalityDesk.Role);
                return ApiJson.Ok(await desk.GetAsync(client.ClientId, applicationId, cancellationToken));
            }

            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            return ApiJson.Ok(await reader.ViewAsync(await reader.RequireApplicantsAsync(citizen.MyKeyId, applicationId, cancellationToken), cancellationToken));
        });

    [Function("AmendChildcareApplication")]
    [ApiOperation(Tag, "After `returned`, the parent signs the application again (same body as the submission; same procedure, municipality and employers); it is `received` again.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(SubmitApplicationRequest), ResponseBody = typeof(StatusAnswer), Responses = [200, 400, 401, 404, 409, 422])]
    public Task<IActionResult> Amend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications/{applicationId}/amendments")] HttpRequest request,
        string applicationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<SubmitApplicationRequest>(request, cancellationToken);
            return ApiJson.Ok(await intake.AmendAsync(citizen.MyKeyId, applicationId, body, new DurableApplicationWorkflows(durable), cancellationToken));
        });

    [Function("WithdrawChildcareApplication")]
    [ApiOperation(Tag, "The parent withdraws, signing the JCS form of {\"action\":\"withdraw\",\"applicationId\":…}; open employment-certificate requests close.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(WithdrawalRequest), ResponseBody = typeof(StatusAnswer), Responses = [200, 400, 401, 404, 409, 422])]
    public Task<IActionResult> Withdraw(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications/{applicationId}/withdrawal")] HttpRequest request,
        string applicationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<WithdrawalRequest>(request, cancellationToken);
            return ApiJson.Ok(await intake.WithdrawAsync(citizen.MyKeyId, applicationId, body, new DurableApplicationWorkflows(durable), cancellationToken));
        });

    [Function("ClaimChildcareApplication")]
    [ApiOperation(Tag, "The parent claims an application Mynaportal sent before the signing certificate was linked to a MyKey ID (`held`), signing {\"action\":\"claim\",\"applicationId\":…} with that certificate; its workflow starts.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(ClaimRequest), ResponseBody = typeof(StatusAnswer), Responses = [200, 400, 401, 404, 409])]
    public Task<IActionResult> Claim(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications/{applicationId}/claim")] HttpRequest request,
        string applicationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<ClaimRequest>(request, cancellationToken);
            return ApiJson.Ok(await intake.ClaimAsync(citizen.MyKeyId, applicationId, body, new DurableApplicationWorkflows(durable), cancellationToken));
        });
}
