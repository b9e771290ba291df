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

/// <summary>The consent ledger of regional medical networks and the patient's access log.</summary>
public sealed class ConsentFunctions(ConsentLedger consents, MedicalAccessLog accessLog, ServiceClientAuthenticator clients, ICitizenAuthenticator citizens, ILogger<ConsentFunctions> logger)
{
    [Function("MedicalConsentCreate")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient consents: {consent:{action:\"consent\", network, facilities:[codes]|\"*\", categories:[medication|checkups|clinical], validTo}, signature:{certificate, signature over the JCS form of consent}} → {consentId, status}. The same signed consent again answers the same consent.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(ConsentRequest), ResponseBody = typeof(ConsentCreated), Responses = [201, 401, 409, 422])]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/consents")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync<ConsentRequest>(request, logger, citizens, async (citizen, body) =>
            ApiJson.Created(await consents.ConsentAsync(citizen, body, cancellationToken)), cancellationToken);

    [Function("MedicalConsentList")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient's consents, newest first, withdrawn ones included.",
        Caller = ApiCaller.Citizen, ResponseBody = typeof(ConsentList), Responses = [200, 401])]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "medical/consents")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync(request, logger, citizens, async citizen =>
            ApiJson.Ok(await consents.ListAsync(citizen, cancellationToken)), cancellationToken);

    [Function("MedicalConsentWithdraw")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient withdraws a consent with {signature} over the JCS form of {\"action\":\"withdraw\",\"consentId\":id}, by a signing certificate of the same person (氏名 and birth date).",
        Caller = ApiCaller.Citizen, RequestBody = typeof(ConsentWithdrawalRequest), ResponseBody = typeof(ConsentView), Responses = [200, 401, 403, 404, 409])]
    public Task<IActionResult> Withdraw(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/consents/{consentId}/withdrawal")] HttpRequest request,
        string consentId,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync<ConsentWithdrawalRequest>(request, logger, citizens, async (citizen, body) =>
            ApiJson.Ok(await consents.WithdrawAsync(citizen, consentId, body, cancellationToken)), cancellationToken);

    [Function("MedicalConsentCheck")]
    [ApiOperation(InsuranceFunctions.Tag, "A facility asks before an access: {patientNumber|myKeyId, category, facilityCode?} → {allowed, consentId?}; written to the patient's access log.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(ConsentCheckRequest), ResponseBody = typeof(ConsentCheckResponse), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/consents/checks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<ConsentCheckRequest>(request, logger, clients, MedicalRoles.Facility, async (facility, body) =>
            ApiJson.Ok(await consents.CheckAsync(body, facility, cancellationToken)), cancellationToken);

    [Function("MedicalAccessLog")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient's access log, newest first: {entries:[{at, facilityCode, kind: eligibility|consent-check|checkin, category?, allowed, code?}], next?}; ?limit=1–200 (50), ?after=<next>.",
        Caller = ApiCaller.Citizen, ResponseBody = typeof(AccessLogPage), Query = ["limit", "after"], Responses = [200, 401])]
    public Task<IActionResult> Log(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "medical/access-log")] HttpRequest request,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync(request, logger, citizens, async citizen =>
        {
            var after = request.Query["after"].ToString() is { Length: > 0 } value ? value : null;
            return ApiJson.Ok(await accessLog.ReadAsync(citizen, QueryParameters.Limit(request), after, cancellationToken));
        }, cancellationToken);
}
