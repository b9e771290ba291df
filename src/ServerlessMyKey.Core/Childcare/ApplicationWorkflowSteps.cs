using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Mailbox;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>The I/O behind the application workflow's activities: storage and the parent's mailbox; each step idempotent.</summary>
public sealed class ApplicationWorkflowSteps(IApplicationStore store, ApplicationDocuments documents, MailboxService mailbox, TimeProvider time, ILogger<ApplicationWorkflowSteps> logger) : IApplicationWorkflowSteps
{
    /// <summary>The sender id of the service's own reminders.</summary>
    public const string ServiceSender = "mykey-childcare";

    public async Task RemindParentAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        var record = await RequireAsync(applicationId, cancellationToken);
        if (record.Status != ApplicationStatus.AwaitingDocuments)
        {
            return;
        }

        var outstanding = new List<string>();
        foreach (var slot in record.Requests)
        {
            if ((await store.FindRequestAsync(slot.RequestCode, cancellationToken))?.Status == EmploymentRequestStatus.Open)
            {
                outstanding.Add($"- {slot.EmployerName}（法人番号 {slot.CorporateNumber}）依頼コード {slot.RequestCode}");
            }
        }

        if (outstanding.Count == 0)
        {
            return;
        }

        var body = $"受付番号 {record.ReceiptNumber} の申請について、次の勤務先からの就労証明書がまだ届いていません。\n{string.Join('\n', outstanding)}\n"
            + "期限までに届かない場合、申請は不足書類ありとして市区町村に送られます。";
        await mailbox.DeliverNoticeAsync(ServiceSender, record.ApplicantMyKeyId, "就労証明書の提出状況（リマインド）", body, $"reminder|{applicationId}", cancellationToken);
        logger.LogInformation("Application {ApplicationId}: reminder sent for {Count} outstanding certificate(s)", applicationId, outstanding.Count);
    }

    public async Task<string> HandToMunicipalityAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        await CloseRequestsAsync(applicationId, cancellationToken);
        while (true)
        {
            var record = await RequireAsync(applicationId, cancellationToken);
            if (record.Status != ApplicationStatus.AwaitingDocuments)
            {
                return record.Status;
            }

            if (await store.TryUpdateAsync(record.MovedTo(ApplicationStatus.Received, time.GetUtcNow(), "workflow") with { HandedOver = true }, cancellationToken))
            {
                logger.LogInformation("Application {ApplicationId} handed to municipality {MunicipalityCode}", applicationId, record.MunicipalityCode);
                return ApplicationStatus.Received;
            }
        }
    }

    public async Task DeliverNoticeAsync(string applicationId, int decisionSeq, CancellationToken cancellationToken = default)
    {
        var record = await RequireAsync(applicationId, cancellationToken);
        var notice = await documents.GetAsync<StoredNotice>(ApplicationDocuments.NoticeName(applicationId, decisionSeq), cancellationToken)
            ?? throw new InvalidOperationException($"Application {applicationId} has no notice {decisionSeq}.");
        var delivered = await mailbox.DeliverNoticeAsync(notice.SenderId, record.ApplicantMyKeyId, notice.Subject, notice.Body, $"notice|{applicationId}|{decisionSeq}", cancellationToken);
        while (record.Notices?.Any(n => n.DecisionSeq == decisionSeq) != true)
        {
            var noted = record with { Notices = [.. record.Notices ?? [], new NoticeRecord(decisionSeq, notice.Decision, delivered.MessageId)] };
            if (await store.TryUpdateAsync(noted, cancellationToken))
            {
                break;
            }

            record = await RequireAsync(applicationId, cancellationToken);
        }

        logger.LogInformation("Application {ApplicationId}: notice {DecisionSeq} delivered as message {MessageId}", applicationId, decisionSeq, delivered.MessageId);
    }

    public async Task CloseRequestsAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        var record = await RequireAsync(applicationId, cancellationToken);
        foreach (var slot in record.Requests)
        {
            while (await store.FindRequestAsync(slot.RequestCode, cancellationToken) is { Status: EmploymentRequestStatus.Open } request)
            {
                if (await store.TryUpdateRequestAsync(request with { Status = EmploymentRequestStatus.Closed }, cancellationToken))
                {
                    break;
                }
            }
        }
    }

    private async Task<ApplicationRecord> RequireAsync(string applicationId, CancellationToken cancellationToken) =>
        await store.FindAsync(applicationId, cancellationToken) ?? throw new InvalidOperationException($"Application {applicationId} does not exist.");
}
