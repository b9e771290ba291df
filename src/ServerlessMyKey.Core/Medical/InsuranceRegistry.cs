using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Medical.MedicalFields;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Insurers load their member records (被保険者): <c>PUT</c> by the insurer's own member key, so a repeated
/// upload is a no-op and a changed one replaces the record (and its number index) in one transaction.
/// </summary>
public sealed class InsuranceRegistry(IInsuranceStore store, InsuranceNumbers numbers, MedicalInsurers insurers, TimeProvider time)
{
    /// <summary>Upserts a member; 403 <c>forbidden</c> when the client does not act for the insurer (<see cref="MedicalInsurers"/>); 409 <c>already_exists</c> when another member key of the insurer holds the same numbers.</summary>
    public async Task<InsuranceMemberResponse> UpsertAsync(string insurerNumber, string memberKey, InsuranceMemberRequest request, ServiceClient insurer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(insurer);
        insurerNumber = RequireInsurerNumber(insurerNumber);
        memberKey = RequireMemberKey(memberKey);
        insurers.Require(insurerNumber, insurer);
        var personal = new MemberPersonalData(
            RequireSymbol(request.Symbol),
            RequireNumber(request.Number),
            RequireBranch(request.Branch),
            Validation.RequestFields.RequireText(request.Name, "name", 100),
            Format(RequireDate(request.DateOfBirth, "dateOfBirth")));
        var validFrom = RequireDate(request.ValidFrom, "validFrom");
        DateOnly? validTo = request.ValidTo is null ? null : RequireDate(request.ValidTo, "validTo");
        if (validTo < validFrom)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "validTo must not be before validFrom.");
        }

        if (request.CopayRate is not (>= 0 and <= 100) || request.CopayRate is not { } copayRate)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "copayRate must be a whole percentage 0–100.");
        }

        var index = await numbers.IndexAsync(insurerNumber, personal.Symbol, personal.Number, personal.Branch, cancellationToken);
        var contentHash = await numbers.ContentHashAsync(insurerNumber, memberKey, new { personal, validFrom, validTo, copayRate }, cancellationToken);

        return await OptimisticRetry.RunAsync<InsuranceMemberResponse>(async ct =>
        {
            var current = await store.FindMemberAsync(insurerNumber, memberKey, ct);
            if (current is not null && current.ContentHash == contentHash)
            {
                return new InsuranceMemberResponse(insurerNumber, memberKey, Changed: false);
            }

            if (await store.FindMemberKeyAsync(insurerNumber, index, ct) is { } holder && holder != memberKey)
            {
                throw new ServiceException(ErrorCodes.AlreadyExists, "Another member key of the insurer holds these insurance numbers.");
            }

            var next = new StoredMember(
                insurerNumber, memberKey, index, await numbers.EncryptAsync(insurerNumber, memberKey, personal, ct),
                Format(validFrom), validTo is { } to ? Format(to) : null, copayRate, contentHash, time.GetUtcNow());
            return await store.TryWriteMemberAsync(current, next, ct) ? new InsuranceMemberResponse(insurerNumber, memberKey, Changed: true) : null;
        }, cancellationToken);
    }
}
