using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Json;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// The parent's side of the one-stop service: a signed application (from the parent, or from
/// Mynaportal), its amendment after <c>returned</c>, its withdrawal, and a held application claimed.
/// The form and the 基本4情報 go into an encrypted document; the table and the workflow get ids.
/// </summary>
public sealed class ApplicationIntake(
    IApplicationStore store,
    ApplicationDocuments documents,
    ApplicationSigner signer,
    ApplicationReader reader,
    IIdempotencyClaims claims,
    ChildcareOptions options,
    TimeProvider time,
    ILogger<ApplicationIntake> logger)
{
    public const string Applicant = "applicant";
    public const int MaxApplicationBytes = 256 * 1024;
    public const int MaxEmployers = 4;

    private static readonly JsonSerializerOptions DocumentJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>
    /// A parent's submission: the answer's JSON, kept and replayed byte for byte for the same
    /// <c>Idempotency-Key</c> (the key fixes the application id, so a retry finds the first application).
    /// </summary>
    public Task<byte[]> SubmitAsync(string myKeyId, SubmitApplicationRequest request, string? idempotencyKey, IApplicationWorkflows workflows, CancellationToken cancellationToken = default) =>
        AcceptAsync(myKeyId, myKeyId, request, "childcare.submit", myKeyId, idempotencyKey, workflows, cancellationToken);

    /// <summary>
    /// A Mynaportal submission, idempotent by <paramref name="eventId"/>: it runs as the parent's own
    /// when the signing certificate is linked to a MyKey ID (by an earlier application of the parent);
    /// otherwise it is <c>held</c> until the parent claims it.
    /// </summary>
    public async Task<byte[]> SubmitFromMynaportalAsync(string eventId, SubmitApplicationRequest request, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        var (certificate, _) = DelegationSignatures.ParseProof(request.Signature);
        var myKeyId = await store.FindSignerAsync(ApplicationSigner.SignerKey(certificate), cancellationToken);
        return await AcceptAsync(myKeyId, null, request, "childcare.mynaportal", string.Empty, eventId, workflows, cancellationToken);
    }

    /// <summary>After <c>returned</c>: the parent signs the application again; it is <c>received</c> again.</summary>
    public async Task<StatusAnswer> AmendAsync(string myKeyId, string applicationId, SubmitApplicationRequest request, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        var record = await reader.RequireApplicantsAsync(myKeyId, applicationId, cancellationToken);
        var (canonical, document) = Parse(request.Application);
        RequireSubmitter(document, myKeyId);
        if (document.Procedure != record.Procedure || document.MunicipalityCode != record.MunicipalityCode)
        {
            throw ChildcareForms.Invalid([new FormViolation("/application/procedure", "An amendment keeps the procedure and the municipality of the application.")]);
        }

        var employers = Validate(document);
        if (!employers.Select(e => e.CorporateNumber).Order().SequenceEqual(record.Requests.Select(r => r.CorporateNumber).Order()))
        {
            throw ChildcareForms.Invalid([new FormViolation("/application/employers", "An amendment keeps the employers of the application.")]);
        }

        RequireAmendable(record);
        var signed = await signer.VerifyAsync(request.Signature, canonical, cancellationToken);
        await RequireSameApplicantAsync(record, signed, "amendment", cancellationToken);
        ApplicationRecord amended;
        while (true)
        {
            // The workflow writes the record too (the notice it delivered): re-read and retry on a changed ETag.
            // Each attempt writes its own blob; the record points at it only when this attempt's ETag-guarded update wins.
            var version = record.DocumentVersion + 1;
            var name = ApplicationDocuments.AmendmentName(record.ApplicationId, version, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            await documents.PutAsync(name, new StoredApplication(request.Application, signed.Holder, signed.ReceiptId), cancellationToken);
            amended = record.MovedTo(ApplicationStatus.Received, time.GetUtcNow(), Applicant) with { DocumentVersion = version, DocumentName = name, AmendmentSeq = record.AmendmentSeq + 1 };
            if (await store.TryUpdateAsync(amended, cancellationToken))
            {
                break;
            }

            await documents.DeleteAsync(name, cancellationToken);
            record = await reader.RequireApplicantsAsync(myKeyId, applicationId, cancellationToken);
            RequireAmendable(record);
        }

        await workflows.RaiseAsync(record.ApplicationId, ApplicationOrchestrator.AmendedEvent, new ApplicationSignal(ApplicationStatus.Received, amended.AmendmentSeq), cancellationToken);
        logger.LogInformation("Application {ApplicationId} amended (version {Version})", record.ApplicationId, amended.DocumentVersion);
        return new StatusAnswer(ApplicationStatus.Received);
    }

    /// <summary>The parent withdraws, signing <c>{"action":"withdraw","applicationId":…}</c>; open requests close.</summary>
    public async Task<StatusAnswer> WithdrawAsync(string myKeyId, string applicationId, WithdrawalRequest request, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        var record = await reader.RequireApplicantsAsync(myKeyId, applicationId, cancellationToken);
        var signed = await signer.VerifyAsync(request.Signature, Statement("withdraw", record.ApplicationId), cancellationToken);
        await RequireSameApplicantAsync(record, signed, "withdrawal", cancellationToken);
        while (true)
        {
            if (record.Status == ApplicationStatus.Withdrawn)
            {
                return new StatusAnswer(ApplicationStatus.Withdrawn);
            }

            if (ApplicationStatus.IsFinal(record.Status))
            {
                throw new ServiceException(ErrorCodes.ApplicationStateConflict, $"The application is already {record.Status}.");
            }

            if (await store.TryUpdateAsync(record.MovedTo(ApplicationStatus.Withdrawn, time.GetUtcNow(), Applicant), cancellationToken))
            {
                break;
            }

            record = await reader.RequireApplicantsAsync(myKeyId, applicationId, cancellationToken);
        }

        await workflows.RaiseAsync(record.ApplicationId, ApplicationOrchestrator.WithdrawnEvent, new ApplicationSignal(ApplicationStatus.Withdrawn, 1), cancellationToken);
        logger.LogInformation("Application {ApplicationId} withdrawn", record.ApplicationId);
        return new StatusAnswer(ApplicationStatus.Withdrawn);
    }

    /// <summary>The parent claims a held Mynaportal application with the certificate that signed it; its workflow starts.</summary>
    public async Task<StatusAnswer> ClaimAsync(string myKeyId, string applicationId, ClaimRequest request, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        var record = (ApplicationIds.IsApplicationId(applicationId) ? await store.FindAsync(applicationId, cancellationToken) : null)
            ?? throw new ServiceException(ErrorCodes.ApplicationNotFound);
        // The claimant's MyKey ID is in the signed statement: a statement intercepted and posted by another account does not verify.
        var signed = await signer.VerifyAsync(request.Signature, ClaimStatement(record.ApplicationId, myKeyId), cancellationToken);
        if (signed.SignerKey != record.SignerKey || (record.ApplicantMyKeyId.Length > 0 && record.ApplicantMyKeyId != myKeyId))
        {
            // Not the signer of this application: as if it did not exist.
            throw new ServiceException(ErrorCodes.ApplicationNotFound);
        }

        if (record.Status == ApplicationStatus.Held)
        {
            var status = record.Requests.Count > 0 ? ApplicationStatus.AwaitingDocuments : ApplicationStatus.Received;
            var claimed = record.MovedTo(status, time.GetUtcNow(), Applicant) with { ApplicantMyKeyId = myKeyId };
            if (!await store.TryUpdateAsync(claimed, cancellationToken))
            {
                throw new ServiceException(ErrorCodes.ApplicationStateConflict, "The application changed meanwhile; try again.");
            }

            record = claimed;
        }

        await store.LinkSignerAsync(record.SignerKey, myKeyId, cancellationToken);
        await store.IndexApplicantAsync(record, cancellationToken);
        await StartAsync(record, workflows, cancellationToken);
        return new StatusAnswer(record.Status);
    }

    /// <summary>The JCS bytes of a statement the parent signs.</summary>
    public static byte[] Statement(string action, string applicationId) => JsonCanonicalizer.Serialize(new { action, applicationId }, DocumentJson);

    /// <summary>The JCS bytes of a claim: <c>{"action":"claim","applicationId":…,"myKeyId":…}</c>, bound to the claimant.</summary>
    public static byte[] ClaimStatement(string applicationId, string myKeyId) => JsonCanonicalizer.Serialize(new { action = "claim", applicationId, myKeyId }, DocumentJson);

    /// <param name="myKeyId">The applicant the application runs as (null: held).</param>
    /// <param name="submitter">The bearer who posts it (null from Mynaportal): the signed application must name them.</param>
    private async Task<byte[]> AcceptAsync(string? myKeyId, string? submitter, SubmitApplicationRequest request, string operation, string scope, string? idempotencyKey, IApplicationWorkflows workflows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        var (canonical, document) = Parse(request.Application);
        var employers = Validate(document);
        if (submitter is not null)
        {
            RequireSubmitter(document, submitter);
        }
        else if (document.ApplicantMyKeyId is { } named && named != myKeyId)
        {
            // From Mynaportal, naming someone the signer's link does not lead to: held until the signer claims it.
            myKeyId = null;
        }

        var claim = await claims.ClaimIfKeyedAsync(operation, scope, idempotencyKey, new { application = Encoding.UTF8.GetString(canonical), request.Signature }, cancellationToken);
        var applicationId = ApplicationIds.NewApplicationId(document.MunicipalityCode!, claim?.KeyHash);
        if (await store.FindAsync(applicationId, cancellationToken) is { } existing)
        {
            return await ReplayAsync(existing, workflows, cancellationToken);
        }

        var signed = await signer.VerifyAsync(request.Signature, canonical, cancellationToken);
        if (myKeyId is not null && await store.FindSignerAsync(signed.SignerKey, cancellationToken) is { } linked && linked != myKeyId)
        {
            // A signed application is replayable: another account must not take over the signer's link (and with it the signer's Mynaportal applications).
            throw new ServiceException(ErrorCodes.HolderNameMismatch, "The signing certificate belongs to another holder's applications.");
        }

        var now = time.GetUtcNow();
        var timing = document.Procedure == ChildcareProcedures.ChildAllowanceClaim
            ? ChildAllowanceRule.Evaluate(DateOnly.ParseExact(document.Form.GetProperty("eventDate").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture), now)
            : null;
        var requests = employers.Select(e => new EmploymentRequestSlot(ApplicationIds.NewRequestCode(), e.CorporateNumber!, e.Name!)).ToList();
        var status = myKeyId is null ? ApplicationStatus.Held : requests.Count > 0 ? ApplicationStatus.AwaitingDocuments : ApplicationStatus.Received;
        var receiptNumber = ApplicationIds.ReceiptNumber(applicationId, now);
        var accepted = new ApplicationAccepted(
            applicationId, receiptNumber, status, requests.Select(r => new EmploymentRequestCode(r.RequestCode, r.CorporateNumber)).ToList(),
            timing?.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), timing?.Late, timing?.PaymentStartMonth);
        var firstResponse = ApiJsonOptions.Serialize(accepted);
        var record = new ApplicationRecord(
            applicationId, document.MunicipalityCode!, receiptNumber, document.Procedure!, document.FormVersion!.Value, status, myKeyId ?? string.Empty,
            now, now, requests, [new ApplicationHistoryEntry(status, now, myKeyId is null ? "mynaportal" : Applicant)],
            Encoding.UTF8.GetString(firstResponse), signed.SignerKey, timing);

        // The encrypted document first, the application row next, the index rows (request codes, the signer's link) last.
        await documents.PutAsync(ApplicationDocuments.ApplicationName(applicationId, 1), new StoredApplication(request.Application, signed.Holder, signed.ReceiptId), cancellationToken);
        if (!await store.TryCreateAsync(record, cancellationToken))
        {
            return await ReplayAsync(await store.FindAsync(applicationId, cancellationToken) ?? throw new ServiceException(ErrorCodes.Conflict), workflows, cancellationToken);
        }

        logger.LogInformation("Application {ApplicationId} ({Procedure}) submitted to {MunicipalityCode}: {Status}", applicationId, record.Procedure, record.MunicipalityCode, status);
        return await ReplayAsync(record, workflows, cancellationToken);
    }

    /// <summary>Completes what a submission writes after the application row (idempotently) and answers its first response.</summary>
    private async Task<byte[]> ReplayAsync(ApplicationRecord record, IApplicationWorkflows workflows, CancellationToken cancellationToken)
    {
        foreach (var request in record.Requests)
        {
            await store.EnsureRequestAsync(
                new EmploymentRequestRecord(request.RequestCode, record.ApplicationId, record.MunicipalityCode, record.Procedure, request.CorporateNumber, request.EmployerName,
                    EmploymentRequestStatus.Open, record.SubmittedAt.Add(options.EmployerResponseWait)),
                cancellationToken);
        }

        if (record.ApplicantMyKeyId.Length > 0)
        {
            await store.LinkSignerAsync(record.SignerKey, record.ApplicantMyKeyId, cancellationToken);
            await store.IndexApplicantAsync(record, cancellationToken);
            await StartAsync(record, workflows, cancellationToken);
        }

        return Encoding.UTF8.GetBytes(record.FirstResponse);
    }

    /// <summary>
    /// Starts the workflow of an application still in its first state (a submission or a claim replayed
    /// after a crash before the start). One past it had its workflow already: once finished, the purge
    /// removes its instance, and a replay must not start it again (reminders, hand-overs, notices).
    /// </summary>
    private Task StartAsync(ApplicationRecord record, IApplicationWorkflows workflows, CancellationToken cancellationToken) =>
        IsInFirstState(record)
            ? workflows.EnsureStartedAsync(new ApplicationWorkflowInput(record.ApplicationId, record.Requests.Select(r => r.RequestCode).ToList(), options.EmployerResponseWait), cancellationToken)
            : Task.CompletedTask;

    private static bool IsInFirstState(ApplicationRecord record) =>
        record.Status is ApplicationStatus.AwaitingDocuments or ApplicationStatus.Received
        && record.History.Count(h => h.Status != ApplicationStatus.Held) == 1;

    /// <summary>
    /// A signed application is replayable by whoever obtains it: it runs only for the account it names
    /// inside what was signed, so another account posting it first cannot become its applicant.
    /// </summary>
    private static void RequireSubmitter(ApplicationDocument document, string myKeyId)
    {
        if (document.ApplicantMyKeyId is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(document.ApplicantMyKeyId), Encoding.UTF8.GetBytes(myKeyId)))
        {
            throw new ServiceException(ErrorCodes.SignerNotSubmitter, "application.applicantMyKeyId must be the MyKey ID of the caller, inside the signed application.");
        }
    }

    /// <summary>Only a returned application, and only as many times as the workflow follows rounds of decision and amendment.</summary>
    private static void RequireAmendable(ApplicationRecord record)
    {
        if (record.Status != ApplicationStatus.Returned)
        {
            throw new ServiceException(ErrorCodes.ApplicationStateConflict, $"Only a returned application can be amended; this one is {record.Status}.");
        }

        if (record.AmendmentSeq + 1 >= ApplicationOrchestrator.MaxRounds)
        {
            throw new ServiceException(ErrorCodes.ApplicationStateConflict, $"An application can be amended at most {ApplicationOrchestrator.MaxRounds - 1} times; apply again.");
        }
    }

    private async Task RequireSameApplicantAsync(ApplicationRecord record, SignedBy signed, string what, CancellationToken cancellationToken)
    {
        var stored = await documents.GetAsync<StoredApplication>(record.CurrentDocument, cancellationToken)
            ?? throw new InvalidOperationException($"Application {record.ApplicationId} has no document.");
        if (!HolderNames.AreSame(stored.Applicant.Name, signed.Holder.Name) || stored.Applicant.DateOfBirth != signed.Holder.DateOfBirth)
        {
            throw new ServiceException(ErrorCodes.HolderNameMismatch, $"The {what} is not signed by the applicant.");
        }
    }

    private static (byte[] Canonical, ApplicationDocument Document) Parse(JsonElement application)
    {
        if (application.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'application' must be a JSON object.");
        }

        byte[] canonical;
        try
        {
            canonical = JsonCanonicalizer.Canonicalize(application);
        }
        catch (FormatException ex)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'application' is not I-JSON: {ex.Message}");
        }

        if (canonical.Length > MaxApplicationBytes)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'application' is larger than {MaxApplicationBytes / 1024} KiB.");
        }

        try
        {
            var document = application.Deserialize<ApplicationDocument>(DocumentJson)
                ?? throw new ServiceException(ErrorCodes.InvalidRequest, "'application' is required.");
            return (canonical, document);
        }
        catch (JsonException ex)
        {
            throw ChildcareForms.Invalid([new FormViolation("/application" + PointerOf(ex.Path), "Not a field of the application, or of the wrong type.")]);
        }
    }

    /// <summary>Procedure, version, municipality, the form against its schema, the employers; answers the employers.</summary>
    private IReadOnlyList<EmployerEntry> Validate(ApplicationDocument document)
    {
        if (document.Procedure is null || !options.Procedures.Contains(document.Procedure) || document.FormVersion is not { } version || !ChildcareForms.Exists(document.Procedure, version))
        {
            throw new ServiceException(ErrorCodes.UnknownProcedure, "application.procedure and formVersion must name a procedure of Childcare:Procedures and a version of its form.");
        }

        if (!ApplicationIds.IsMunicipalityCode(document.MunicipalityCode) || !options.Municipalities.ContainsKey(document.MunicipalityCode))
        {
            throw new ServiceException(ErrorCodes.UnknownMunicipality, "application.municipalityCode is not a municipality of Childcare:Municipalities.");
        }

        var violations = document.Form.ValueKind == JsonValueKind.Object
            ? ChildcareForms.Validate(document.Procedure, version, document.Form, "/application/form").ToList()
            : [new FormViolation("/application/form", "The form must be a JSON object.")];
        var employers = document.Employers ?? [];
        if (employers.Count > 0 && document.Procedure != ChildcareProcedures.NurseryApplication)
        {
            violations.Add(new FormViolation("/application/employers", "Only a nursery application asks employers for employment certificates."));
        }

        if (employers.Count > MaxEmployers)
        {
            violations.Add(new FormViolation("/application/employers", $"At most {MaxEmployers} employers."));
        }

        for (var i = 0; i < Math.Min(employers.Count, MaxEmployers); i++)
        {
            var employer = employers[i];
            if (employer is null || !CorporateNumber.IsValid(employer.CorporateNumber))
            {
                violations.Add(new FormViolation($"/application/employers/{i}/corporateNumber", "Must be a 13-digit corporate number with a valid check digit."));
            }

            if (employer?.Name is not { Length: > 0 and <= 200 } name || name.Any(char.IsControl))
            {
                violations.Add(new FormViolation($"/application/employers/{i}/name", "Must be 1–200 characters."));
            }

            if (employer?.Guardian is not ("applicant" or "spouse"))
            {
                violations.Add(new FormViolation($"/application/employers/{i}/guardian", "Must be applicant or spouse."));
            }
        }

        if (violations.Count == 0 && document.Procedure == ChildcareProcedures.ChildAllowanceClaim)
        {
            var eventDate = DateOnly.ParseExact(document.Form.GetProperty("eventDate").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (eventDate > ChildAllowanceRule.JapanDate(time.GetUtcNow()))
            {
                violations.Add(new FormViolation("/application/form/eventDate", "The birth or move-in cannot be in the future (Japan time)."));
            }
        }

        return violations.Count == 0 ? employers : throw ChildcareForms.Invalid(violations);
    }

    private static string PointerOf(string? jsonPath) =>
        jsonPath is null or "$" ? string.Empty : "/" + string.Join('/', jsonPath.TrimStart('$', '.').Replace("[", ".", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries));
}
