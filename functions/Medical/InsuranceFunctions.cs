using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>The insurance registry (insurers' member records) and 保険証利用登録 (the citizen's link).</summary>
public sealed class InsuranceFunctions(
    InsuranceRegistry registry,
    InsuranceLinks links,
    ServiceClientAuthenticator clients,
    ICitizenAuthenticator citizens,
    ILogger<InsuranceFunctions> logger)
{
    public const string Tag = "Medical";

    [Function("MedicalInsuranceMemberUpsert")]
    [ApiOperation(Tag, "An insurer loads one member record (idempotent: the same body again changes nothing). Numbers, name and birth date are stored envelope-encrypted.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Insurer, RequestBody = typeof(InsuranceMemberRequest), ResponseBody = typeof(InsuranceMemberResponse),
        Responses = [200, 401, 403, 409])]
    public Task<IActionResult> UpsertMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "medical/insurers/{insurerNumber}/members/{memberKey}")] HttpRequest request,
        string insurerNumber,
        string memberKey,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<InsuranceMemberRequest>(request, logger, clients, MedicalRoles.Insurer, async (insurer, body) =>
            ApiJson.Ok(await registry.UpsertAsync(insurerNumber, memberKey, body, insurer, cancellationToken)), cancellationToken);

    [Function("MedicalInsuranceLink")]
    [ApiOperation(Tag, "保険証利用登録: the citizen links their card to their insurance with a JPKI signature over the JCS form of {\"action\":\"link-insurance\",insurerNumber,symbol,number,branch}; the certificate's 氏名 and birth date must be the member's (else 422 member_mismatch). Answers the link with the numbers masked.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(InsuranceLinkRequest), ResponseBody = typeof(InsuranceLinkView), Responses = [201, 401, 422])]
    public Task<IActionResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/insurance-links")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync<InsuranceLinkRequest>(request, logger, citizens, async (citizen, body) =>
            ApiJson.Created(await links.LinkAsync(citizen, body, cancellationToken)), cancellationToken);

    [Function("MedicalInsuranceLinkMine")]
    [ApiOperation(Tag, "The citizen's own insurance link, numbers masked (記号 and 枝番 hidden, the 番号's last 2 characters shown).",
        Caller = ApiCaller.Citizen, ResponseBody = typeof(InsuranceLinkView), Responses = [200, 401, 404])]
    public Task<IActionResult> Mine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "medical/insurance-links/me")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync(request, logger, citizens, async citizen =>
            ApiJson.Ok(await links.GetAsync(citizen, cancellationToken)), cancellationToken);
}
