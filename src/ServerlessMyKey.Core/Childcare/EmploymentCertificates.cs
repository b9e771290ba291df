using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Json;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// The employer's side: HR reads a request by the code the parent passed on and posts the 就労証明書
/// signed under the company's 電子委任状 (procedure <c>childcare.employment-certificate</c>, agency = the
/// application's municipality code or <c>*</c>), checked exactly as <c>POST /api/delegations/verifications</c>.
/// </summary>
public sealed class EmploymentCertificates(
    IApplicationStore store,
    ApplicationDocuments documents,
    ApplicationSigner signer,
    DelegationService delegations,
    TimeProvider time,
    ILogger<EmploymentCertificates> logger)
{
    public const string Procedure = "childcare.employment-certificate";
    public const string RelyingParty = "childcare";

    /// <summary>What HR sees (any logged-in citizen holding the code): the employer, the applicant's name, the municipality, the due date.</summary>
    public async Task<EmploymentRequestView> GetAsync(string requestCode, CancellationToken cancellationToken = default)
    {
        var request = await RequireAsync(requestCode, cancellationToken);
        var record = await store.FindAsync(request.ApplicationId, cancellationToken) ?? throw new ServiceException(ErrorCodes.EmploymentRequestNotFound);
        var stored = await documents.GetAsync<StoredApplication>(record.CurrentDocument, cancellationToken)
            ?? throw new InvalidOperationException($"Application {record.ApplicationId} has no document.");
        return new EmploymentRequestView(request.RequestCode, request.CorporateNumber, request.EmployerName, stored.Applicant.Name, request.MunicipalityCode, request.Procedure, request.DueBy, request.Status);
    }

    /// <summary>HR posts the signed certificate; answers the event the workflow must be told of.</summary>
    public async Task<EmploymentRequestRecord> SubmitAsync(Citizen employee, string requestCode, SubmitEmploymentCertificateRequest body, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(employee);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(workflows);
        var request = await RequireAsync(requestCode, cancellationToken);
        if (body.Certificate.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'certificate' must be a JSON object.");
        }

        if (request.Status != EmploymentRequestStatus.Open)
        {
            throw new ServiceException(ErrorCodes.RequestClosed, $"The request is {request.Status}.");
        }

        ChildcareForms.Require(ChildcareForms.EmploymentCertificateForm, 1, body.Certificate, "/certificate");
        if (body.Certificate.GetProperty("corporateNumber").GetString() != request.CorporateNumber)
        {
            throw new ServiceException(ErrorCodes.CorporationMismatch, "certificate.corporateNumber is not the employer this request is for.");
        }

        var canonical = JsonCanonicalizer.Canonicalize(body.Certificate);

        // 属性認証: the writer had the company's authority for this municipality.
        var act = await delegations.VerifyActAsync(
            new ActVerificationRequest(body.DelegationNumber, new DelegatedAct(Procedure, request.MunicipalityCode), Convert.ToBase64String(canonical), body.Signature),
            RelyingParty, cancellationToken);
        var refusal = act.Authorized ? await DelegateRefusalAsync(employee, act.DelegationId!, cancellationToken) : act.Code;
        if (refusal is not null)
        {
            logger.LogInformation("Employment certificate for request {RequestCode} refused: {Code}", request.RequestCode, refusal);
            throw new ServiceException(ErrorCodes.DelegationNotAuthorized, $"The delegation does not authorize this certificate ({refusal}).")
            {
                Extensions = new Dictionary<string, object> { ["delegationCode"] = refusal },
            };
        }

        var signed = await signer.VerifyAsync(body.Signature, canonical, cancellationToken);
        var now = time.GetUtcNow();
        var number = DelegationNumber.Normalize(body.DelegationNumber)!;
        await documents.PutAsync(
            ApplicationDocuments.CertificateName(request.ApplicationId, request.RequestCode, signed.ReceiptId),
            new StoredEmploymentCertificate(body.Certificate, signed.Holder.Name, number, signed.ReceiptId, now),
            cancellationToken);
        var fulfilled = request with { Status = EmploymentRequestStatus.Fulfilled, ReceiptId = signed.ReceiptId, DelegationNumber = number, FulfilledAt = now };
        if (!await store.TryUpdateRequestAsync(fulfilled, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.RequestClosed, "The request was fulfilled or closed meanwhile.");
        }

        await workflows.RaiseAsync(request.ApplicationId, ApplicationOrchestrator.CertificateEvent(request.RequestCode), new ApplicationSignal(EmploymentRequestStatus.Fulfilled, 1), cancellationToken);
        logger.LogInformation("Employment certificate for request {RequestCode} of application {ApplicationId} received under delegation {DelegationNumber}", request.RequestCode, request.ApplicationId, number);
        return fulfilled;
    }

    /// <summary>The bearer must be the delegate the delegation names (the signer already is its accepted certificate).</summary>
    private async Task<string?> DelegateRefusalAsync(Citizen employee, string delegationId, CancellationToken cancellationToken)
    {
        try
        {
            await delegations.GetAsync(delegationId, employee, cancellationToken);
            return null;
        }
        catch (ServiceException ex) when (ex.Error == ErrorCodes.DelegationNotFound)
        {
            return ErrorCodes.SignerNotDelegate.Code;
        }
    }

    private async Task<EmploymentRequestRecord> RequireAsync(string requestCode, CancellationToken cancellationToken) =>
        (ApplicationIds.IsRequestCode(requestCode) ? await store.FindRequestAsync(requestCode, cancellationToken) : null)
        ?? throw new ServiceException(ErrorCodes.EmploymentRequestNotFound);
}
