using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Azure.Childcare;

/// <summary>
/// Applications in Table Storage: <c>ChildcareApplications</c> (partition = municipality code, row =
/// application id; columns Status, Procedure, UpdatedAt for the pull API's filters),
/// <c>ChildcareRequests</c> (partition = request code) and <c>ChildcareSigners</c> (partition = hash of
/// a signing certificate → MyKey ID), <c>ChildcareApplicants</c> (partition = the applicant's MyKey ID, row =
/// inverted submission ticks + application id, so a partition reads newest first). No personal data:
/// the forms are encrypted blobs.
/// </summary>
internal sealed class TableApplicationStore(LazyTable applications, LazyTable requests, LazyTable signers, LazyTable applicants) : IApplicationStore
{
    private const string Row = "r";

    public async Task<bool> TryCreateAsync(ApplicationRecord record, CancellationToken cancellationToken = default) =>
        await TableRows.TryAddAsync(await applications.GetAsync(cancellationToken), ApplicationEntity(record), cancellationToken);

    public async Task<ApplicationRecord?> FindAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        var entity = await TableRows.FindAsync(await applications.GetAsync(cancellationToken), ApplicationIds.MunicipalityOf(applicationId), applicationId, cancellationToken);
        return entity is null ? null : JsonRows.Read<ApplicationRecord>(entity) with { ETag = entity.ETag.ToString() };
    }

    public async Task<bool> TryUpdateAsync(ApplicationRecord record, CancellationToken cancellationToken = default) =>
        await TableRows.TryReplaceAsync(await applications.GetAsync(cancellationToken), ApplicationEntity(record), cancellationToken);

    public async Task<(IReadOnlyList<ApplicationRecord> Records, string? ContinuationToken)> ListAsync(
        string municipalityCode, string? status, string? procedure, DateTimeOffset? since, int limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {municipalityCode}");
        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        if (procedure is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Procedure eq {procedure}");
        }

        if (since is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"UpdatedAt ge {from}");
        }

        var table = await applications.GetAsync(cancellationToken);
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, limit, cancellationToken: cancellationToken).AsPages(continuationToken, limit))
            {
                return (page.Values.Select(e => JsonRows.Read<ApplicationRecord>(e)).ToList(), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this API returned.");
        }

        return ([], null);
    }

    public async Task EnsureRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default) =>
        await TableRows.TryAddAsync(await requests.GetAsync(cancellationToken), JsonRows.Entity(request.RequestCode, Row, request with { ETag = null }), cancellationToken);

    public async Task<EmploymentRequestRecord?> FindRequestAsync(string requestCode, CancellationToken cancellationToken = default)
    {
        var entity = await TableRows.FindAsync(await requests.GetAsync(cancellationToken), requestCode, Row, cancellationToken);
        return entity is null ? null : JsonRows.Read<EmploymentRequestRecord>(entity) with { ETag = entity.ETag.ToString() };
    }

    public async Task<bool> TryUpdateRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default) =>
        await TableRows.TryReplaceAsync(await requests.GetAsync(cancellationToken), JsonRows.Entity(request.RequestCode, Row, request with { ETag = null }, request.ETag), cancellationToken);

    public async Task LinkSignerAsync(string signerKey, string myKeyId, CancellationToken cancellationToken = default) =>
        await (await signers.GetAsync(cancellationToken)).UpsertEntityAsync(new TableEntity(signerKey, Row) { ["MyKeyId"] = myKeyId }, TableUpdateMode.Replace, cancellationToken);

    public async Task<string?> FindSignerAsync(string signerKey, CancellationToken cancellationToken = default) =>
        (await TableRows.FindAsync(await signers.GetAsync(cancellationToken), signerKey, Row, cancellationToken))?.GetString("MyKeyId");

    public async Task IndexApplicantAsync(ApplicationRecord record, CancellationToken cancellationToken = default) =>
        await TableRows.TryAddAsync(
            await applicants.GetAsync(cancellationToken),
            new TableEntity(record.ApplicantMyKeyId, ApplicantRow(record)) { ["ApplicationId"] = record.ApplicationId },
            cancellationToken);

    public async Task<(IReadOnlyList<string> ApplicationIds, string? ContinuationToken)> ListApplicantsAsync(
        string myKeyId, int limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var table = await applicants.GetAsync(cancellationToken);
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId}"), limit, ["ApplicationId"], cancellationToken)
                .AsPages(continuationToken, limit))
            {
                return (page.Values.Select(e => e.GetString("ApplicationId")).Where(ApplicationIds.IsApplicationId).ToList(), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this API returned.");
        }

        return ([], null);
    }

    /// <summary>Inverted ticks of the submission (newest first), then the id (unique).</summary>
    private static string ApplicantRow(ApplicationRecord record) =>
        (long.MaxValue - record.SubmittedAt.UtcTicks).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "|" + record.ApplicationId;

    private static TableEntity ApplicationEntity(ApplicationRecord record)
    {
        var entity = JsonRows.Entity(record.MunicipalityCode, record.ApplicationId, record with { ETag = null }, record.ETag);
        entity["Status"] = record.Status;
        entity["Procedure"] = record.Procedure;
        entity["UpdatedAt"] = record.UpdatedAt;
        return entity;
    }
}
