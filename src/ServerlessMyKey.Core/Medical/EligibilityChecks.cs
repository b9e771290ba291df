using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// オンライン資格確認 at the facility's reader: the patient's login proof identifies the card, the card's
/// 保険証利用登録 gives the member record, and the record's coverage gives the answer. A card whose
/// authentication certificate expired less than 3 months ago still works here — and only here; a revoked
/// one never does. Every answer about an identified patient lands in their access log.
/// </summary>
public sealed class EligibilityChecks(
    JpkiLogin login,
    IInsuranceStore store,
    InsuranceNumbers numbers,
    MedicalFacilities facilities,
    MedicalAccessLog accessLog,
    TimeProvider time,
    ILogger<EligibilityChecks> logger)
{
    /// <summary>The card works for insurance up to 3 months after its certificate expired (DOMAIN.md "Medical").</summary>
    public static readonly ExpiryGrace Grace = ExpiryGrace.OfMonths(3);

    /// <summary>Outcome codes of <c>{"eligible":false}</c> besides the card's own (docs/errors.md).</summary>
    public static class Outcomes
    {
        public const string NotLinked = "not_linked";
        public const string CoverageEnded = "coverage_ended";
        public const string CoverageNotStarted = "coverage_not_started";
    }

    public async Task<EligibilityResponse> CheckAsync(EligibilityCheckRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facility = facilities.ForClient(request.FacilityCode, client);

        // The card: a login proof (single-use challenge), with the grace; what the card itself fails is a "no" with its code.
        IdentifiedHolder holder;
        try
        {
            holder = await login.IdentifyAsync(new LoginProof(request.ChallengeId, request.Certificate, request.Signature), ChallengeUse.MedicalEligibility(client.ClientId), Grace, cancellationToken);
        }
        catch (ServiceException refused) when (IsCardVerdict(refused.Error))
        {
            logger.LogInformation("Eligibility at facility {FacilityCode}: {Code}", facility.FacilityCode, refused.Error.Code);
            return new EligibilityResponse(false, refused.Error.Code);
        }

        if (holder.MyKeyId is null)
        {
            logger.LogInformation("Eligibility at facility {FacilityCode}: {Code} (card never logged in)", facility.FacilityCode, Outcomes.NotLinked);
            return new EligibilityResponse(false, Outcomes.NotLinked);
        }

        var answer = await AnswerAsync(holder, cancellationToken);
        await accessLog.RecordAsync(holder.MyKeyId, facility.FacilityCode, MedicalAccessLog.Kinds.Eligibility, null, answer.Eligible, answer.Code, cancellationToken);
        logger.LogInformation("Eligibility of MyKey ID {MyKeyId} at facility {FacilityCode}: {Code}", holder.MyKeyId, facility.FacilityCode, answer.Code ?? "eligible");
        return answer;
    }

    private async Task<EligibilityResponse> AnswerAsync(IdentifiedHolder holder, CancellationToken cancellationToken)
    {
        var link = await store.FindLinkAsync(holder.MyKeyId!, cancellationToken);
        var member = link is null ? null : await store.FindMemberAsync(link.InsurerNumber, link.MemberKey, cancellationToken);
        if (member is null)
        {
            return new EligibilityResponse(false, Outcomes.NotLinked);
        }

        var today = MedicalFields.TodayInJapan(time.GetUtcNow());
        if (today < MedicalFields.RequireDate(member.ValidFrom, "validFrom"))
        {
            return new EligibilityResponse(false, Outcomes.CoverageNotStarted);
        }

        if (member.ValidTo is { } validTo && today > MedicalFields.RequireDate(validTo, "validTo"))
        {
            return new EligibilityResponse(false, Outcomes.CoverageEnded);
        }

        var personal = await numbers.DecryptAsync(member, cancellationToken);
        return new EligibilityResponse(
            true,
            Insurance: new EligibleInsurance(member.InsurerNumber, personal.Symbol, personal.Number, personal.Branch, member.ValidFrom, member.ValidTo, member.CopayRate),
            Patient: new EligiblePatient(personal.Name, personal.DateOfBirth),
            CertificateExpiredAt: holder.Certificate.ExpiredAt);
    }

    // What the card and its signature decide (a "no"), as opposed to a bad or replayed challenge (a 401 problem).
    private static bool IsCardVerdict(ErrorCode error) =>
        error == ErrorCodes.SignatureInvalid || error == ErrorCodes.CertificateUntrusted || error == ErrorCodes.CertificateExpired
        || error == ErrorCodes.CertificateRevoked || error == ErrorCodes.CertificateWrongKind || error == ErrorCodes.RevocationUnavailable;
}
