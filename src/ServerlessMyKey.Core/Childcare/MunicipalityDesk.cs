using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Mailbox;
using ServerlessMyKey.Core.Validation;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// The municipality's side, in the manner of the 電子申請等情報受取等API: pull a list, read an
/// application, post processing status and the decision. Only the municipality's own clients
/// (<c>Childcare:Municipalities:&lt;code&gt;:Clients</c>) see its applications.
/// </summary>
public sealed class MunicipalityDesk(IApplicationStore store, ApplicationReader reader, ApplicationDocuments documents, ChildcareOptions options, TimeProvider time, ILogger<MunicipalityDesk> logger)
{
    public const string Role = "childcare.municipality";
    public const int MaxLimit = 100;
    public const int MaxNoteLength = 2000;
    public const int MaxNoticeBodyLength = 20_000;

    public async Task<ApplicationPage> ListAsync(string clientId, string? municipalityCode, string? status, string? procedure, string? since, int? limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        if (!ApplicationIds.IsMunicipalityCode(municipalityCode))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "municipalityCode (6 digits) is required.");
        }

        if (!options.IsMunicipalityClient(municipalityCode, clientId))
        {
            throw new ServiceException(ErrorCodes.NotFound, "No such municipality among yours.");
        }

        if (status is not null && status is not (ApplicationStatus.Held or ApplicationStatus.AwaitingDocuments or ApplicationStatus.Received or ApplicationStatus.InReview
            or ApplicationStatus.Approved or ApplicationStatus.Rejected or ApplicationStatus.Returned or ApplicationStatus.Withdrawn))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "status is not an application status.");
        }

        if (procedure is not null && !ChildcareProcedures.All.Contains(procedure))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "procedure is not a procedure of the service.");
        }

        DateTimeOffset? sinceTime = null;
        if (since is not null)
        {
            sinceTime = DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new ServiceException(ErrorCodes.InvalidRequest, "since must be an RFC 3339 time.");
        }

        var size = limit ?? 50;
        if (size is < 1 or > MaxLimit || continuationToken is { Length: > 512 })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxLimit}, and continuationToken one this API returned.");
        }

        var (records, next) = await store.ListAsync(municipalityCode, status, procedure, sinceTime, size, continuationToken, cancellationToken);
        return new ApplicationPage(records.Select(ApplicationSummary.Of).ToList(), next);
    }

    public async Task<ApplicationView> GetAsync(string clientId, string applicationId, CancellationToken cancellationToken = default) =>
        await reader.ViewAsync(await reader.RequireMunicipalitysAsync(clientId, applicationId, cancellationToken), cancellationToken);

    /// <summary>Processing status: <c>in_review</c> from <c>received</c> (again is a no-op); the note is kept encrypted.</summary>
    public async Task<StatusAnswer> SetStatusAsync(string clientId, string applicationId, ProcessingStatusRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Status != ApplicationStatus.InReview)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "status must be in_review (decisions go to /decision).");
        }

        var note = request.Note is null ? null : RequestFields.RequireText(request.Note, "note", MaxNoteLength);
        while (true)
        {
            var record = await reader.RequireMunicipalitysAsync(clientId, applicationId, cancellationToken);
            if (record.Status == ApplicationStatus.InReview && note is null)
            {
                return new StatusAnswer(record.Status);
            }

            if (record.Status is not (ApplicationStatus.Received or ApplicationStatus.InReview))
            {
                throw new ServiceException(ErrorCodes.ApplicationStateConflict, $"The application is {record.Status}.");
            }

            var updated = record.MovedTo(ApplicationStatus.InReview, time.GetUtcNow(), clientId) with { NoteSeq = record.NoteSeq + (note is null ? 0 : 1) };
            if (note is not null)
            {
                await documents.PutAsync(ApplicationDocuments.NoteName(record.ApplicationId, updated.NoteSeq), new { note, by = clientId, at = updated.UpdatedAt }, cancellationToken);
            }

            if (await store.TryUpdateAsync(updated, cancellationToken))
            {
                logger.LogInformation("Application {ApplicationId} in review by {ClientId}", applicationId, clientId);
                return new StatusAnswer(updated.Status);
            }
        }
    }

    /// <summary>The decision: from <c>received</c> or <c>in_review</c>; the notice is kept encrypted and the workflow delivers it.</summary>
    public async Task<StatusAnswer> DecideAsync(string clientId, string applicationId, DecisionRequest request, IApplicationWorkflows workflows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        if (request.Decision is not (ApplicationStatus.Approved or ApplicationStatus.Rejected or ApplicationStatus.Returned))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "decision must be approved, rejected or returned.");
        }

        var subject = RequestFields.RequireText(request.Notice?.Subject, "notice.subject", MailboxService.MaxSubjectLength);
        var body = request.Notice?.Body is { Length: > 0 and <= MaxNoticeBodyLength } text
            ? text
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"notice.body must be 1–{MaxNoticeBodyLength} characters.");
        while (true)
        {
            var record = await reader.RequireMunicipalitysAsync(clientId, applicationId, cancellationToken);
            if (record.Status is not (ApplicationStatus.Received or ApplicationStatus.InReview))
            {
                throw new ServiceException(ErrorCodes.ApplicationStateConflict, $"The application is {record.Status}; a decision needs received or in_review.");
            }

            var decided = record.MovedTo(request.Decision, time.GetUtcNow(), clientId) with { DecisionSeq = record.DecisionSeq + 1 };
            await documents.PutAsync(ApplicationDocuments.NoticeName(record.ApplicationId, decided.DecisionSeq), new StoredNotice(request.Decision, subject, body, clientId), cancellationToken);
            if (await store.TryUpdateAsync(decided, cancellationToken))
            {
                await workflows.RaiseAsync(record.ApplicationId, ApplicationOrchestrator.DecisionEvent, new ApplicationSignal(request.Decision, decided.DecisionSeq), cancellationToken);
                logger.LogInformation("Application {ApplicationId} {Decision} by {ClientId}", applicationId, request.Decision, clientId);
                return new StatusAnswer(request.Decision);
            }
        }
    }
}
