using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Core.Json;
using ServerlessMyKey.Core.Validation;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// 電子委任状 (Act No. 64 of 2017) kept by this service: registration of a delegator-signed document,
/// the delegate's acceptance or rejection, the delegator's revocation, and the check of an act
/// against the delegation for relying parties. Rules: docs/delegation.md.
/// </summary>
public sealed class DelegationService(
    IDelegationStore store,
    IIdempotencyClaims claims,
    JpkiCertificateVerifier verifier,
    DelegationSignatures signatures,
    DelegatorNotifications notifications,
    DelegationOptions options,
    TimeProvider time,
    ILogger<DelegationService> logger)
{
    public const string AuthorizedCode = "authorized";
    // The limit is on what is stored: the document is kept as an envelope (AES-GCM ciphertext in
    // base64url, 4 chars per 3 bytes, plus ~1,000 chars of wrapped key and names) in one Table string
    // property of at most 32,768 UTF-16 chars: (32,768 − 1,024) × 3 / 4 = 23,808 bytes.
    internal const int MaxDocumentBytes = 23 * 1024;
    private const int MaxPowers = 100;
    private const int MaxChainDepth = 8;
    internal const int DefaultHistoryPage = 100;
    internal const int MaxHistoryPage = 500;

    // Unknown members are refused: everything the delegator signed must be something we understand.
    private static readonly JsonSerializerOptions DocumentJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>
    /// Registers a signed document. The document is its own idempotency key (the id is its hash); an
    /// <c>Idempotency-Key</c>, when sent, is also claimed so that reusing it for another body is refused.
    /// </summary>
    public async Task<DelegationCreated> CreateAsync(CreateDelegationRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var canonical = Canonical(request.Delegation);
        var document = Validate(request.Delegation);
        JpkiVerifiedCertificate signer;
        if (document.ParentDelegationId is { } parentId)
        {
            signer = await signatures.VerifyPersonAsync(request.Signature, canonical, cancellationToken);
            await RequireSubDelegationAsync(parentId, document, signer, cancellationToken);
        }
        else
        {
            // Act Art. 2 form 1: the delegator signs — its representative with JPKI, or the corporation's registry certificate.
            var delegator = await signatures.VerifyDelegatorAsync(request.Signature, canonical, cancellationToken);
            delegator.RequireNames(document.Delegator);
            signer = delegator.Certificate;
        }

        // Claimed only for a valid, signed request and scoped to its signer: on this unauthenticated
        // route nobody else can reserve a key that the real request will use.
        var signerScope = $"{signer.Issuer.KeyIdentifier}:{signer.SerialNumber}";
        await claims.ClaimIfKeyedAsync("delegations.create", signerScope, idempotencyKey, request, cancellationToken);

        // The id is the hash of what was signed, so a retried registration finds its first result.
        var delegationId = Convert.ToHexStringLower(SHA256.HashData(canonical))[..32];
        var now = time.GetUtcNow();
        var record = new DelegationRecord(
            delegationId, DelegationNumber.For(delegationId), DelegationStatus.Pending, Encoding.UTF8.GetString(canonical),
            Reference(signer), null, now, document.ValidFrom, document.ValidTo, document.Delegate.MyKeyId, ParentDelegationId: document.ParentDelegationId);
        if (!await store.TryCreateAsync(record, new DelegationEvent(now, "created", Actor: "delegator"), cancellationToken))
        {
            record = await store.FindAsync(delegationId, cancellationToken)
                ?? throw new ServiceException(ErrorCodes.Conflict, "The delegation is being registered concurrently; retry.");
        }

        logger.LogInformation("Delegation {DelegationId} ({Number}) registered, signed by certificate {SerialNumber}", delegationId, record.Number, signer.SerialNumber);
        return new DelegationCreated(delegationId, record.Number, record.EffectiveStatus(now));
    }

    /// <summary>The delegate (bearer token of <c>delegate.myKeyId</c>) accepts with a signing certificate in the delegate's name.</summary>
    public Task<DelegationStatusResponse> AcceptAsync(string delegationId, Citizen caller, DelegationStatementRequest request, CancellationToken cancellationToken = default) =>
        AnswerAsync(delegationId, caller, request, accept: true, cancellationToken);

    /// <summary>The delegate declines: <c>rejected</c>, with the same proof as an acceptance.</summary>
    public Task<DelegationStatusResponse> RejectAsync(string delegationId, Citizen caller, DelegationStatementRequest request, CancellationToken cancellationToken = default) =>
        AnswerAsync(delegationId, caller, request, accept: false, cancellationToken);

    /// <summary>The delegator voids the delegation with the certificate that signed it; past verifications stay as they were.</summary>
    public async Task<DelegationStatusResponse> RevokeAsync(string delegationId, DelegationStatementRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = await RequireAsync(delegationId, cancellationToken);
        var signer = (await signatures.VerifyDelegatorAsync(request.Signature, Statement("revoke", record.DelegationId), cancellationToken)).Certificate;
        if (Reference(signer) != record.DelegatorCertificate)
        {
            throw new ServiceException(ErrorCodes.SignerNotDelegator);
        }

        while (true)
        {
            if (record.Status == DelegationStatus.Revoked)
            {
                return new DelegationStatusResponse(DelegationStatus.Revoked);
            }

            var now = time.GetUtcNow();
            var revoked = record with { Status = DelegationStatus.Revoked };
            if (await store.TryUpdateAsync(revoked, new DelegationEvent(now, "revoked", Actor: "delegator"), cancellationToken))
            {
                logger.LogInformation("Delegation {DelegationId} revoked", record.DelegationId);
                return new DelegationStatusResponse(DelegationStatus.Revoked);
            }

            record = await RequireAsync(delegationId, cancellationToken);
        }
    }

    /// <summary>The document, status, the first page of history and the undelivered notification.</summary>
    public Task<DelegationView> GetAsync(string delegationId, Citizen? caller, CancellationToken cancellationToken = default) =>
        GetAsync(delegationId, caller, null, null, cancellationToken);

    /// <summary>
    /// The document, status, one page of history (<paramref name="limit"/> 1–<see cref="MaxHistoryPage"/>,
    /// <see cref="DefaultHistoryPage"/> by default; <paramref name="continuationToken"/> from the previous
    /// page) and the delegator notification while undelivered, for the delegate or a relying party.
    /// </summary>
    public async Task<DelegationView> GetAsync(string delegationId, Citizen? caller, int? limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var pageSize = limit ?? DefaultHistoryPage;
        if (pageSize is < 1 or > MaxHistoryPage)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxHistoryPage}.");
        }

        var after = continuationToken is null ? null : HistoryTokens.Read(continuationToken);
        var record = await RequireAsync(delegationId, cancellationToken);
        if (caller is not null && !string.Equals(caller.MyKeyId, record.DelegateMyKeyId, StringComparison.Ordinal))
        {
            // Not a party: answer as if it did not exist, so ids cannot be probed.
            throw new ServiceException(ErrorCodes.DelegationNotFound);
        }

        var history = await store.HistoryAsync(record.DelegationId, pageSize, after, cancellationToken);
        var notification = await notifications.ViewAsync(record.DelegationId, cancellationToken);
        using var document = JsonDocument.Parse(record.CanonicalDocument);
        return new DelegationView(
            record.DelegationId, record.Number, record.EffectiveStatus(time.GetUtcNow()), document.RootElement.Clone(), record.CreatedAt,
            history.Events, history.ContinueAfter is { } next ? HistoryTokens.Write(next) : null, notification);
    }

    /// <summary>
    /// The input of a transmission the delegate asks for: the delegation must be active and the
    /// recipient configured. The caller schedules <see cref="DelegationTransmissionOrchestrator"/> with it.
    /// </summary>
    /// <remarks>With an <c>Idempotency-Key</c> the transmission id is derived from it, so a retried request names the same transmission.</remarks>
    public async Task<PreparedTransmission> PrepareTransmissionAsync(string delegationId, Citizen caller, TransmissionRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var record = await RequireAsync(delegationId, cancellationToken);
        if (!string.Equals(caller.MyKeyId, record.DelegateMyKeyId, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.DelegationNotFound);
        }

        var recipient = RequestFields.RequireId(request.Recipient, "recipient");
        if (!options.RecipientTopics.TryGetValue(recipient, out var topic))
        {
            throw new ServiceException(ErrorCodes.UnknownRecipient);
        }

        if (StateRefusal(record) is { } refusal)
        {
            throw new ServiceException(refusal);
        }

        var claim = await claims.ClaimIfKeyedAsync("delegations.transmit", record.DelegationId + "\n" + caller.MyKeyId, idempotencyKey, request, cancellationToken);
        var transmissionId = claim is null
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("transmission\n" + claim.KeyHash)))[..32];
        logger.LogInformation("Transmission {TransmissionId} of delegation {DelegationId} to {Recipient} requested", transmissionId, record.DelegationId, recipient);
        return new PreparedTransmission(
            new TransmissionInput(transmissionId, record.DelegationId, record.DelegateMyKeyId, recipient, topic, options.AckTimeout, options.MaxAttempts, options.RetryBackoff),
            claim?.ClaimedAt);
    }

    /// <summary>
    /// For a prepared transmission whose instance is not there: 409 <c>transmission_purged</c> when it had been sealed
    /// to be sent (its instance was purged, whatever the retention was then or a purge by hand), or, for one sealed
    /// before seals were recorded, when its key is older than <paramref name="retention"/>. Otherwise the first request
    /// stopped before its instance began, nothing was sent, and it may be started.
    /// </summary>
    public async Task RefuseIfPurgedAsync(PreparedTransmission prepared, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.KeyClaimedAt is not null
            && (prepared.OutlivedRetention(retention, time.GetUtcNow())
                || await store.WasTransmissionSealedAsync(prepared.Input.DelegationId, prepared.Input.TransmissionId, cancellationToken)))
        {
            throw new ServiceException(ErrorCodes.TransmissionPurged);
        }
    }

    /// <summary>
    /// Checks an act for a relying party, in this order: the delegation exists; the signer's
    /// certificate is a valid, unrevoked JPKI signing certificate; it is the one the delegate accepted
    /// with; the signature covers the act document; the delegation is active and inside its validity
    /// period now; the act is inside the powers. Each refusal has its code; the outcome is logged in
    /// the delegation's history.
    /// </summary>
    public async Task<ActVerificationResult> VerifyActAsync(ActVerificationRequest request, string relyingParty, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var number = DelegationNumber.Normalize(request.Number)
            ?? throw new ServiceException(ErrorCodes.InvalidRequest, "'number' is not a delegation number (XXXX-XXXX-XXXX with a valid check character).");
        var procedure = RequestFields.RequireText(request.Act?.Procedure, "act.procedure", 100);
        var agency = RequestFields.RequireText(request.Act?.Agency, "act.agency", 200);
        var data = Base64Input.Decode(request.Data, "data");
        var proof = DelegationSignatures.ParseProof(request.Signature);

        var delegationId = await store.FindIdByNumberAsync(number, cancellationToken);
        var record = delegationId is null ? null : await store.FindAsync(delegationId, cancellationToken);
        if (record is null)
        {
            return new ActVerificationResult(false, ErrorCodes.DelegationNotFound.Code, null);
        }

        var code = await ActRefusalAsync(record, proof, data, procedure, agency, cancellationToken);
        var result = new ActVerificationResult(code is null, code?.Code ?? AuthorizedCode, record.DelegationId);
        await store.AppendAsync(record.DelegationId, new DelegationEvent(time.GetUtcNow(), "act-verified", result.Code, relyingParty), cancellationToken);
        logger.LogInformation("Act under delegation {DelegationId} checked for {ClientId}: {Code}", record.DelegationId, relyingParty, result.Code);
        return result;
    }

    private async Task<ErrorCode?> ActRefusalAsync(DelegationRecord record, (byte[] Certificate, byte[] Signature) proof, byte[] data, string procedure, string agency, CancellationToken cancellationToken)
    {
        // The signer: a JPKI signing certificate, valid and not revoked now.
        var verified = await verifier.VerifyAsync(proof.Certificate, JpkiCertificateKind.Signing, cancellationToken);
        if (!verified.Succeeded)
        {
            return JpkiErrorMapping.ForLogin(verified.Failure.Code);
        }

        // ... the very certificate the delegate accepted with (issuer + serial).
        if (record.DelegateCertificate is null || Reference(verified.Value) != record.DelegateCertificate)
        {
            return record.Status == DelegationStatus.Active ? ErrorCodes.SignerNotDelegate : StateRefusal(record);
        }

        // ... over the act document.
        var signature = verifier.VerifySignature(verified.Value, data, proof.Signature);
        if (!signature.Succeeded)
        {
            return JpkiErrorMapping.ForLogin(signature.Failure.Code);
        }

        // The delegation: active and inside its validity period at the time of the act (now).
        if (StateRefusal(record) is { } refusal)
        {
            return refusal;
        }

        // ... and so is every delegation it derives from (revoking a parent stops its sub-delegations).
        if (record.ParentDelegationId is { } parentId && await AncestorsRefusalAsync(parentId, cancellationToken) is not null)
        {
            return ErrorCodes.ParentDelegationInactive;
        }

        // The act: inside the powers.
        var document = JsonSerializer.Deserialize<DelegationDocument>(record.CanonicalDocument, DocumentJson)!;
        return document.Powers.Any(p => p.Covers(procedure, agency)) ? null : ErrorCodes.ActOutsidePowers;
    }

    /// <summary>
    /// Walks from <paramref name="parentId"/> to the delegator-signed root: every link must exist and be
    /// usable now, and a new link below <paramref name="parentId"/> must stay within <see cref="MaxChainDepth"/>
    /// sub-delegations (so the walk is bounded, and nothing below the cap is trusted unchecked).
    /// </summary>
    private async Task<ErrorCode?> AncestorsRefusalAsync(string parentId, CancellationToken cancellationToken)
    {
        string? id = parentId;
        for (var depth = 1; id is not null; depth++)
        {
            if (depth > MaxChainDepth)
            {
                return ErrorCodes.DelegationChainTooDeep;
            }

            var link = await store.FindAsync(id, cancellationToken);
            if (link is null)
            {
                return ErrorCodes.ParentDelegationInactive;
            }

            if (StateRefusal(link) is { } refusal)
            {
                return refusal;
            }

            id = link.ParentDelegationId;
        }

        return null;
    }

    private ErrorCode? StateRefusal(DelegationRecord record)
    {
        var now = time.GetUtcNow();
        return record.Status switch
        {
            DelegationStatus.Revoked => ErrorCodes.DelegationRevoked,
            DelegationStatus.Pending or DelegationStatus.Rejected => ErrorCodes.DelegationNotActive,
            _ when now < record.ValidFrom => ErrorCodes.DelegationNotYetValid,
            _ when now >= record.ValidTo => ErrorCodes.DelegationExpired,
            _ => null,
        };
    }

    private async Task<DelegationStatusResponse> AnswerAsync(string delegationId, Citizen caller, DelegationStatementRequest request, bool accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var record = await RequireAsync(delegationId, cancellationToken);
        if (!string.Equals(caller.MyKeyId, record.DelegateMyKeyId, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "The bearer token is not the delegate's.");
        }

        var action = accept ? "accept" : "reject";
        var target = accept ? DelegationStatus.Active : DelegationStatus.Rejected;
        var signer = await signatures.VerifyPersonAsync(request.Signature, Statement(action, record.DelegationId), cancellationToken);
        var document = JsonSerializer.Deserialize<DelegationDocument>(record.CanonicalDocument, DocumentJson)!;
        DelegationSignatures.RequireHolder(signer, document.Delegate.Name, "delegate.name");

        while (true)
        {
            var now = time.GetUtcNow();
            if (record.Status == target && (!accept || record.DelegateCertificate == Reference(signer)))
            {
                return new DelegationStatusResponse(record.EffectiveStatus(now));
            }

            var status = record.EffectiveStatus(now);
            if (status != DelegationStatus.Pending)
            {
                throw new ServiceException(status switch
                {
                    DelegationStatus.Revoked => ErrorCodes.DelegationRevoked,
                    DelegationStatus.Expired => ErrorCodes.DelegationExpired,
                    _ => ErrorCodes.DelegationNotPending,
                });
            }

            if (accept)
            {
                // Before the change, so that a failure after it cannot lose the delegator's notification.
                await notifications.ExpectAsync(record.DelegationId, cancellationToken);
            }

            var answered = record with { Status = target, DelegateCertificate = accept ? Reference(signer) : null };
            if (await store.TryUpdateAsync(answered, new DelegationEvent(now, accept ? "accepted" : "rejected", Actor: "delegate"), cancellationToken))
            {
                logger.LogInformation("Delegation {DelegationId} {Status} by certificate {SerialNumber}", record.DelegationId, target, signer.SerialNumber);
                return new DelegationStatusResponse(target);
            }

            record = await RequireAsync(delegationId, cancellationToken);
        }
    }

    /// <summary>
    /// 復代理: the parent is active, allows sub-delegation, and was accepted with the certificate that
    /// signs now; the sub-delegation keeps the parent's delegator and stays inside its powers and period.
    /// </summary>
    private async Task RequireSubDelegationAsync(string parentId, DelegationDocument document, JpkiVerifiedCertificate signer, CancellationToken cancellationToken)
    {
        var parent = await RequireAsync(parentId, cancellationToken);
        if (await AncestorsRefusalAsync(parentId, cancellationToken) is { } refusal)
        {
            throw refusal == ErrorCodes.DelegationChainTooDeep
                ? new ServiceException(refusal)
                : new ServiceException(ErrorCodes.ParentDelegationInactive, $"A delegation this one derives from is not usable: {refusal.Code}.");
        }

        var parentDocument = JsonSerializer.Deserialize<DelegationDocument>(parent.CanonicalDocument, DocumentJson)!;
        if (!parentDocument.SubDelegationAllowed)
        {
            throw new ServiceException(ErrorCodes.SubDelegationNotAllowed);
        }

        if (parent.DelegateCertificate != Reference(signer))
        {
            throw new ServiceException(ErrorCodes.SignerNotDelegate, "A sub-delegation must be signed with the certificate the parent's delegate accepted with.");
        }

        if (document.Delegator != parentDocument.Delegator
            || document.ValidFrom < parentDocument.ValidFrom || document.ValidTo > parentDocument.ValidTo
            || !document.Powers.All(p => parentDocument.Powers.Any(parentPower => parentPower.Covers(p.Procedure, p.Agency))))
        {
            throw new ServiceException(ErrorCodes.SubDelegationExceedsParent);
        }
    }

    private DelegationDocument Validate(JsonElement element)
    {
        DelegationDocument? document;
        try
        {
            document = element.Deserialize<DelegationDocument>(DocumentJson);
        }
        catch (JsonException ex)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'delegation' does not have the document's shape ({ex.Path}).");
        }

        if (document?.Delegator is not { } delegator || document.Delegate is not { } person || document.Powers is not { } powers)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'delegation' needs delegator, delegate and powers.");
        }

        if (!CorporateNumber.IsValid(delegator.CorporateNumber))
        {
            throw new ServiceException(ErrorCodes.InvalidCorporateNumber);
        }

        RequestFields.RequireText(delegator.CorporationName, "delegation.delegator.corporationName", 200);
        RequestFields.RequireText(delegator.RepresentativeName, "delegation.delegator.representativeName", 100);
        if (delegator.RepresentativeTitle is not null)
        {
            RequestFields.RequireText(delegator.RepresentativeTitle, "delegation.delegator.representativeTitle", 100);
        }

        RequestFields.RequireText(person.Name, "delegation.delegate.name", 100);
        RequestFields.RequireId(person.MyKeyId, "delegation.delegate.myKeyId");
        if (powers.Count is 0 or > MaxPowers)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"delegation.powers must hold 1–{MaxPowers} powers.");
        }

        foreach (var power in powers)
        {
            RequestFields.RequireText(power?.Procedure, "delegation.powers[].procedure", 100);
            RequestFields.RequireText(power!.Agency, "delegation.powers[].agency", 200);
            if (!options.Procedures.Contains(power.Procedure))
            {
                throw new ServiceException(ErrorCodes.UnknownProcedure, $"Procedure '{power.Procedure}' is not one of Delegation:Procedures.");
            }
        }

        if (document.ValidFrom >= document.ValidTo || document.ValidTo <= time.GetUtcNow())
        {
            throw new ServiceException(ErrorCodes.InvalidValidityPeriod);
        }

        return document;
    }

    private static byte[] Canonical(JsonElement delegation)
    {
        if (delegation.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'delegation' must be a JSON object.");
        }

        try
        {
            var canonical = JsonCanonicalizer.Canonicalize(delegation);
            return canonical.Length <= MaxDocumentBytes
                ? canonical
                : throw new ServiceException(ErrorCodes.InvalidRequest, "'delegation' is too large.");
        }
        catch (FormatException ex)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'delegation' is not I-JSON: {ex.Message}");
        }
    }

    /// <summary>The JCS bytes of a statement <c>{"action":…,"delegationId":…}</c> that a party signs.</summary>
    public static byte[] Statement(string action, string delegationId) =>
        JsonCanonicalizer.Serialize(new { action, delegationId }, DocumentJson);

    /// <summary><c>delegation_not_found</c> unless the delegation exists.</summary>
    public Task RequireExistingAsync(string delegationId, CancellationToken cancellationToken = default) => RequireAsync(delegationId, cancellationToken);

    private async Task<DelegationRecord> RequireAsync(string delegationId, CancellationToken cancellationToken) =>
        (IsDelegationId(delegationId) ? await store.FindAsync(delegationId, cancellationToken) : null)
        ?? throw new ServiceException(ErrorCodes.DelegationNotFound);

    private static bool IsDelegationId(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);

    private static CertificateReference Reference(JpkiVerifiedCertificate certificate) =>
        new(certificate.Issuer.KeyIdentifier, certificate.SerialNumber);
}
