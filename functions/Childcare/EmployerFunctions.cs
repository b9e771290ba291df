using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>The employer's HR: read a request by its code, post the signed 就労証明書 under the company's 電子委任状.</summary>
public sealed class EmployerFunctions(EmploymentCertificates certificates, ICitizenAuthenticator citizens, ILogger<EmployerFunctions> logger)
{
    private const string Tag = "Childcare";

    [Function("GetEmploymentCertificateRequest")]
    [ApiOperation(Tag, "What HR needs to write the certificate (any citizen bearer holding the code): employer, applicant's name, municipality, procedure, due date, status open|fulfilled|closed.",
        Caller = ApiCaller.Citizen, ResponseBody = typeof(EmploymentRequestView), Responses = [200, 401, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "childcare/employment-certificate-requests/{requestCode}")] HttpRequest request,
        string requestCode,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await citizens.RequireCitizenAsync(request, cancellationToken);
            return ApiJson.Ok(await certificates.GetAsync(requestCode, cancellationToken));
        });

    [Function("SubmitEmploymentCertificate")]
    [ApiOperation(Tag, "HR posts the 就労証明書 signed (JCS form of `certificate`) with the certificate it accepted its delegation with; checked as POST /api/delegations/verifications would (procedure childcare.employment-certificate, agency = the municipality code or *). A refusal is 403 delegation_not_authorized with delegationCode.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(SubmitEmploymentCertificateRequest), ResponseBody = typeof(StatusAnswer), Responses = [201, 400, 401, 403, 404, 409, 422])]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "childcare/employment-certificate-requests/{requestCode}/certificate")] HttpRequest request,
        string requestCode,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var employee = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<SubmitEmploymentCertificateRequest>(request, cancellationToken);
            var fulfilled = await certificates.SubmitAsync(employee, requestCode, body, new DurableApplicationWorkflows(durable), cancellationToken);
            return ApiJson.Created(new StatusAnswer(fulfilled.Status));
        });
}
