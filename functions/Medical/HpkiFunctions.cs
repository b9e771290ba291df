using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>HPKI verification of a health professional's signature, with the JPKI complement.</summary>
public sealed class HpkiFunctions(HpkiVerifications verifications, ServiceClientAuthenticator clients, ILogger<HpkiFunctions> logger)
{
    [Function("MedicalHpkiVerification")]
    [ApiOperation(InsuranceFunctions.Tag, "Verifies an HPKI signature, raw {certificate, signature, data|digest} or CMS {cms, data?}, against Medical:Hpki:TrustAnchors and their CRLs → {valid, hcRole, name, jpkiMatch?}; with jpki:{certificate, signature} (the same person's JPKI signing certificate over the same data) jpkiMatch says whether 氏名 and birth date agree. A refusal is {valid:false, code}.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(HpkiVerificationRequest), ResponseBody = typeof(HpkiVerificationResponse), Responses = [200, 401, 403])]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/hpki/verifications")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<HpkiVerificationRequest>(request, logger, clients, MedicalRoles.Facility, async (caller, body) =>
            ApiJson.Ok(await verifications.VerifyAsync(body, caller, cancellationToken)), cancellationToken);
}
