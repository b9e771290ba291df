using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>The municipality's processing status and decision (role <c>childcare.municipality</c>, its own applications only).</summary>
public sealed class MunicipalityFunctions(MunicipalityDesk desk, ServiceClientAuthenticator clients, ILogger<MunicipalityFunctions> logger)
{
    private const string Tag = "Childcare";

    [Function("SetChildcareApplicationStatus")]
    [ApiOperation(Tag, "Processing status: {\"status\":\"in_review\",\"note\"?} from received.",
        Caller = ApiCaller.ServiceClient, Role = MunicipalityDesk.Role, RequestBody = typeof(ProcessingStatusRequest), ResponseBody = typeof(StatusAnswer), Responses = [200, 400, 401, 403, 404, 409])]
    public Task<IActionResult> SetStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications/{applicationId}/status")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = clients.RequireServiceClient(request, MunicipalityDesk.Role);
            var body = await RequestBody.ReadJsonAsync<ProcessingStatusRequest>(request, cancellationToken);
            return ApiJson.Ok(await desk.SetStatusAsync(client.ClientId, applicationId, body, cancellationToken));
        });

    [Function("DecideChildcareApplication")]
    [ApiOperation(Tag, "The decision (approved, rejected, returned) with a notice {subject, body} that the workflow delivers to the parent's mailbox (sender = this client).",
        Caller = ApiCaller.ServiceClient, Role = MunicipalityDesk.Role, RequestBody = typeof(DecisionRequest), ResponseBody = typeof(StatusAnswer), Responses = [200, 400, 401, 403, 404, 409])]
    public Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/applications/{applicationId}/decision")] HttpRequest request,
        string applicationId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var client = clients.RequireServiceClient(request, MunicipalityDesk.Role);
            var body = await RequestBody.ReadJsonAsync<DecisionRequest>(request, cancellationToken);
            return ApiJson.Ok(await desk.DecideAsync(client.ClientId, applicationId, body, new DurableApplicationWorkflows(durable), cancellationToken));
        });
}
