using System.Text.Json;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>Finds applications for their parties (anyone else gets <c>application_not_found</c>) and builds the full view.</summary>
public sealed class ApplicationReader(IApplicationStore store, ApplicationDocuments documents, ChildcareOptions options)
{
    /// <summary>The application when <paramref name="myKeyId"/> is its applicant.</summary>
    public async Task<ApplicationRecord> RequireApplicantsAsync(string myKeyId, string applicationId, CancellationToken cancellationToken = default) =>
        (ApplicationIds.IsApplicationId(applicationId) ? await store.FindAsync(applicationId, cancellationToken) : null) is { } record
        && record.ApplicantMyKeyId.Length > 0 && record.ApplicantMyKeyId == myKeyId
            ? record
            : throw new ServiceException(ErrorCodes.ApplicationNotFound);

    /// <summary>The application when <paramref name="clientId"/> is one of its municipality's clients (404 for any other, not 403).</summary>
    public async Task<ApplicationRecord> RequireMunicipalitysAsync(string clientId, string applicationId, CancellationToken cancellationToken = default) =>
        ApplicationIds.IsApplicationId(applicationId) && options.IsMunicipalityClient(ApplicationIds.MunicipalityOf(applicationId), clientId)
        && await store.FindAsync(applicationId, cancellationToken) is { } record
            ? record
            : throw new ServiceException(ErrorCodes.ApplicationNotFound);

    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>The parent's own applications, newest first (from the applicant index; each read from its row, so the status is current).</summary>
    public async Task<ApplicationPage> ListApplicantsAsync(string myKeyId, int? limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit || continuationToken is { Length: > 512 })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxLimit}, and continuationToken one this API returned.");
        }

        var (ids, next) = await store.ListApplicantsAsync(myKeyId, size, continuationToken, cancellationToken);
        var records = await Task.WhenAll(ids.Select(id => store.FindAsync(id, cancellationToken)));

        // The index is written after the application and only for its applicant; a row that does not lead back to one is skipped.
        var mine = records.OfType<ApplicationRecord>().Where(r => r.ApplicantMyKeyId == myKeyId).Select(ApplicationSummary.Of).ToList();
        return new ApplicationPage(mine, next);
    }

    public async Task<ApplicationView> ViewAsync(ApplicationRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stored = await documents.GetAsync<StoredApplication>(record.CurrentDocument, cancellationToken)
            ?? throw new InvalidOperationException($"Application {record.ApplicationId} has no document.");
        var certificates = new List<EmploymentCertificateView>();
        var missing = new List<MissingDocument>();
        foreach (var slot in record.Requests)
        {
            var request = await store.FindRequestAsync(slot.RequestCode, cancellationToken);
            if (request is { Status: EmploymentRequestStatus.Fulfilled, ReceiptId: { } receiptId }
                && await documents.GetAsync<StoredEmploymentCertificate>(ApplicationDocuments.CertificateName(record.ApplicationId, slot.RequestCode, receiptId), cancellationToken) is { } certificate)
            {
                certificates.Add(new EmploymentCertificateView(slot.RequestCode, slot.CorporateNumber, certificate.Certificate, certificate.SignerName, certificate.DelegationNumber, certificate.ReceiptId, certificate.ReceivedAt));
            }
            else
            {
                missing.Add(new MissingDocument("employment-certificate", slot.RequestCode, slot.CorporateNumber, request?.Status ?? EmploymentRequestStatus.Open));
            }
        }

        var application = stored.Application;
        var employers = application.TryGetProperty("employers", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.Deserialize<List<EmployerEntry>>(Idempotency.ApiJsonOptions.Options) ?? []
            : [];
        return new ApplicationView(
            record.ApplicationId, record.ReceiptNumber, record.Procedure, record.FormVersion, record.MunicipalityCode, record.Status, record.SubmittedAt, record.UpdatedAt,
            application.GetProperty("form"), employers, stored.Applicant, certificates, missing, record.History, stored.SignatureReceiptId, record.Notices ?? [],
            record.Timing?.Deadline.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), record.Timing?.Late, record.Timing?.PaymentStartMonth);
    }
}
