using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>オンライン資格確認 at a facility's reader.</summary>
public sealed class EligibilityFunctions(EligibilityChecks eligibility, ServiceClientAuthenticator clients, ILogger<EligibilityFunctions> logger)
{
    [Function("MedicalEligibilityCheck")]
    [ApiOperation(InsuranceFunctions.Tag, "The facility's reader sends the patient's login proof (a medical_eligibility challenge it asked for with its key at POST /api/auth/challenges; another purpose or reader: 409 challenge_purpose_mismatch) → {eligible:true, insurance, patient} or {eligible:false, code: not_linked|coverage_ended|coverage_not_started|certificate_expired|certificate_revoked|…}. An authentication certificate expired less than 3 months ago is accepted here only. facilityCode when the client acts for several facilities.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(EligibilityCheckRequest), ResponseBody = typeof(EligibilityResponse),
        Responses = [200, 401, 403, 404, 409])]
    public Task<IActionResult> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/eligibility-checks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<EligibilityCheckRequest>(request, logger, clients, MedicalRoles.Facility, async (facility, body) =>
            ApiJson.Ok(await eligibility.CheckAsync(body, facility, cancellationToken)), cancellationToken);
}
