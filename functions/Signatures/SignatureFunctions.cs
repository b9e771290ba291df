using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Signatures;

/// <summary>JPKI signatures (API.md "JPKI signatures"): verification with sealed receipts.</summary>
public sealed class SignatureFunctions(
    SignatureVerifications verifications,
    SignatureReceipts receipts,
    ServiceClientAuthenticator clients,
    ILogger<SignatureFunctions> logger)
{
    private const string Tag = "Signatures";

    [Function("VerifySignature")]
    [ApiOperation(Tag, "Verifies a raw (data or SHA-256 digest) or CMS signature made with a JPKI signing certificate; a refusal is 200 {valid:false, code}. Every verdict is sealed into a receipt.",
        Caller = ApiCaller.ServiceClient, Role = SignatureRoles.Verify, RequestBody = typeof(SignatureVerificationRequest), Responses = [200, 400, 401, 403])]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "signatures/verifications")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            clients.RequireServiceClient(request, SignatureRoles.Verify);
            var body = await RequestBody.ReadJsonAsync<SignatureVerificationRequest>(request, cancellationToken);
            return ApiJson.Ok(await verifications.VerifyAsync(body, cancellationToken));
        });

    [Function("GetSignatureReceipt")]
    [ApiOperation(Tag, "A sealed verification receipt: the compact JWS (ES256, kid in GET /api/auth/jwks) and its decoded evidence.",
        Caller = ApiCaller.ServiceClient, Role = SignatureRoles.Verify, Responses = [200, 401, 403, 404])]
    public Task<IActionResult> GetReceipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "signatures/receipts/{receiptId}")] HttpRequest request,
        string receiptId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            clients.RequireServiceClient(request, SignatureRoles.Verify);
            return ApiJson.Ok(await receipts.GetAsync(receiptId, cancellationToken));
        });
}
