using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Json;
using ServerlessMyKey.Jpki.Certificates;
using static ServerlessMyKey.Core.Medical.MedicalFields;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// 保険証利用登録: the logged-in citizen links their card to a member record with a statement signed by
/// their JPKI signing certificate, whose 氏名 and date of birth must be the record's. The citizen reads the
/// link back with the numbers masked.
/// </summary>
public sealed class InsuranceLinks(IInsuranceStore store, InsuranceNumbers numbers, DelegationSignatures signatures, TimeProvider time, ILogger<InsuranceLinks> logger)
{
    /// <summary>The statement the citizen signs (its JCS form): the action and the numbers.</summary>
    public static byte[] Statement(string insurerNumber, string symbol, string number, string branch) =>
        JsonCanonicalizer.Serialize(new { action = "link-insurance", insurerNumber, symbol, number, branch }, Idempotency.ApiJsonOptions.Options);

    public async Task<InsuranceLinkView> LinkAsync(Citizen citizen, InsuranceLinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        var insurerNumber = RequireInsurerNumber(request.InsurerNumber);
        var symbol = RequireSymbol(request.Symbol);
        var number = RequireNumber(request.Number);
        var branch = RequireBranch(request.Branch);
        var signer = await signatures.VerifyPersonAsync(request.Signature, Statement(insurerNumber, symbol, number, branch), cancellationToken);

        // One answer for "no such numbers" and "not this person": the citizen cannot probe whose numbers exist.
        var memberKey = await store.FindMemberKeyAsync(insurerNumber, await numbers.IndexAsync(insurerNumber, symbol, number, branch, cancellationToken), cancellationToken);
        var member = memberKey is null ? null : await store.FindMemberAsync(insurerNumber, memberKey, cancellationToken);
        var personal = member is null ? null : await numbers.DecryptAsync(member, cancellationToken);
        var holder = BasicFourInformation.FromCertificate(signer.Certificate);
        if (member is null || personal is null || !holder.Succeeded
            || !MedicalNames.AreSame(personal.Name, holder.Value.Name)
            || holder.Value.DateOfBirth.IsoDate != personal.DateOfBirth)
        {
            logger.LogInformation("Insurance link of MyKey ID {MyKeyId} refused: member_mismatch", citizen.MyKeyId);
            throw new ServiceException(ErrorCodes.MemberMismatch);
        }

        var link = new InsuranceLink(citizen.MyKeyId, insurerNumber, member.MemberKey, time.GetUtcNow());
        await store.WriteLinkAsync(link, cancellationToken);
        logger.LogInformation("MyKey ID {MyKeyId} linked to a member of insurer {InsurerNumber} with signing certificate {SerialNumber}", citizen.MyKeyId, insurerNumber, signer.SerialNumber);
        return View(link, member, personal);
    }

    /// <summary>The citizen's link, masked; 404 <c>not_found</c> without one.</summary>
    public async Task<InsuranceLinkView> GetAsync(Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var link = await store.FindLinkAsync(citizen.MyKeyId, cancellationToken);
        var member = link is null ? null : await store.FindMemberAsync(link.InsurerNumber, link.MemberKey, cancellationToken);
        if (link is null || member is null)
        {
            throw new ServiceException(ErrorCodes.NotFound, "This MyKey ID has no insurance link (保険証利用登録).");
        }

        return View(link, member, await numbers.DecryptAsync(member, cancellationToken));
    }

    /// <summary>
    /// Masked for the citizen's own screens: 記号 and 枝番 hidden, the 番号's last 2 characters shown (enough
    /// to tell two cards apart), the 保険者番号 shown (it names the insurer, not the person).
    /// </summary>
    internal static InsuranceLinkView View(InsuranceLink link, StoredMember member, MemberPersonalData personal) =>
        new(link.InsurerNumber, Mask(personal.Symbol, 0), Mask(personal.Number, personal.Number.Length > 4 ? 2 : 0), Mask(personal.Branch, 0), member.ValidFrom, member.ValidTo, link.LinkedAt);

    internal static string Mask(string value, int shownAtEnd) =>
        new string('*', Math.Max(0, value.Length - shownAtEnd)) + value[Math.Max(0, value.Length - shownAtEnd)..];
}
