using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>
/// Certificate status jobs for up to 100,000 certificates (API.md "Certificate status"). A job is
/// uploaded in parts so that no request passes the 1 MiB body limit; see README "Certificate status jobs".
/// </summary>
public sealed class CertificateStatusJobFunctions(StatusJobService jobs, IStatusJobStore store, ServiceClientAuthenticator clients, ILogger<CertificateStatusJobFunctions> logger)
{
    private const string Tag = "Certificates";

    [Function("CreateCertificateStatusJob")]
    [ApiOperation(Tag, "Creates a status job: with 'certificates' a one-part job that is queued at once; with 'parts' (1–1,000) a job that waits for its parts (PUT …/parts/{part}), up to 100,000 certificates in all.",
        Caller = ApiCaller.ServiceClient, Role = CertificateRoles.Status, RequestBody = typeof(StatusJobRequest), Idempotent = true,
        Responses = [201, 202, 400, 401, 403, 413, 422])]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "certificates/status-jobs")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateRoles.Status);
            var body = await RequestBody.ReadJsonAsync<StatusJobRequest>(request, cancellationToken);
            return Answer(await jobs.CreateAsync(body, StoredResponseResult.IdempotencyKeyOf(request), caller, cancellationToken));
        });

    [Function("PutCertificateStatusJobPart")]
    [ApiOperation(Tag, "Uploads part {part} of a job (1–1,000 certificates); the same part again is accepted as a retry. The upload that completes the job queues it (202).",
        Caller = ApiCaller.ServiceClient, Role = CertificateRoles.Status, RequestBody = typeof(StatusJobPartRequest), Responses = [200, 202, 400, 401, 403, 404, 409, 413, 422])]
    public Task<IActionResult> PutPart(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "certificates/status-jobs/{jobId}/parts/{part}")] HttpRequest request,
        string jobId,
        string part,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateRoles.Status);
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new ServiceException(ErrorCodes.InvalidRequest, "The part number must be a positive integer.");
            }

            var body = await RequestBody.ReadJsonAsync<StatusJobPartRequest>(request, cancellationToken);
            var accepted = await jobs.PutPartAsync(jobId, number, body, caller, cancellationToken);
            return accepted.Status == "receiving" ? ApiJson.Ok(accepted) : ApiJson.Accepted(accepted);
        });

    [Function("GetCertificateStatusJob")]
    [ApiOperation(Tag, "A job's progress (receiving, queued, running, completed, rejected) with counts; when completed, also 'results' in upload order (parts in order, certificates in order within each part).",
        Caller = ApiCaller.ServiceClient, Role = CertificateRoles.Status, Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "certificates/status-jobs/{jobId}")] HttpRequest request,
        string jobId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateRoles.Status);
            return new StatusJobResult(await jobs.GetAsync(jobId, caller, cancellationToken), store);
        });

    [Function("DeleteCertificateStatusJob")]
    [ApiOperation(Tag, "Deletes a job now, with any certificates not yet checked and its results (otherwise the storage lifecycle rule deletes jobs after their retention period).",
        Caller = ApiCaller.ServiceClient, Role = CertificateRoles.Status, Responses = [204, 401, 403, 404])]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "certificates/status-jobs/{jobId}")] HttpRequest request,
        string jobId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateRoles.Status);
            await jobs.DeleteAsync(jobId, caller, cancellationToken);
            return new NoContentResult();
        });

    private static JsonBodyResult Answer(StatusJobAccepted accepted)
    {
        var location = "/api/certificates/status-jobs/" + accepted.JobId;
        if (accepted.Status == "receiving")
        {
            return ApiJson.Created(accepted, location);
        }

        var result = ApiJson.Accepted(accepted);
        result.Headers["Location"] = location;
        return result;
    }
}
