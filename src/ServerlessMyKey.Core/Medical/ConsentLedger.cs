using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Json;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.MyKey;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The patient's consents in regional medical networks (医療情報連携): signed with the JPKI signing
/// certificate per network, for named facilities of the network or all of them (<c>"*"</c>), per category,
/// until a date; withdrawn with a signed statement of the same person. A facility asks before each access,
/// and every question lands in the patient's access log.
/// </summary>
public sealed partial class ConsentLedger(
    IConsentStore store,
    IClinicStore clinics,
    DelegationSignatures signatures,
    EnvelopeEncryption envelopes,
    MedicalFacilities facilities,
    MedicalAccessLog accessLog,
    TimeProvider time,
    ILogger<ConsentLedger> logger)
{
    /// <summary>The categories of medical data (要配慮個人情報) a consent covers.</summary>
    public static IReadOnlyList<string> Categories { get; } = ["medication", "checkups", "clinical"];

    /// <summary>Consents kept per patient (withdrawn ones included, as their history).</summary>
    public const int MaxConsentsPerPatient = 200;

    private const int MaxFacilities = 100;

    /// <summary>Records a signed consent; the same signed statement again answers the same consent.</summary>
    public async Task<ConsentCreated> ConsentAsync(Citizen citizen, ConsentRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Consent.ValueKind != JsonValueKind.Object)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'consent' must be an object.");
        }

        var statement = JsonCanonicalizer.Canonicalize(request.Consent);
        var consent = Parse(request.Consent);
        var signer = await signatures.VerifyPersonAsync(request.Signature, statement, cancellationToken);
        var holder = RequireHolder(signer);
        var consentId = ConsentId(citizen.MyKeyId, statement, DelegationSignatures.ParseProof(request.Signature).Signature);
        if (await store.FindAsync(citizen.MyKeyId, consentId, cancellationToken) is { } existing)
        {
            return new ConsentCreated(existing.ConsentId, existing.Status);
        }

        if ((await store.ListAsync(citizen.MyKeyId, MaxConsentsPerPatient, cancellationToken)).Count >= MaxConsentsPerPatient)
        {
            throw new ServiceException(ErrorCodes.ConsentLimitReached);
        }

        var record = new ConsentRecord(
            citizen.MyKeyId, consentId, consent.Network, consent.Facilities, consent.Categories, consent.ValidTo, ConsentRecord.Active,
            time.GetUtcNow(), null,
            await envelopes.EncryptAsync(ApiJsonOptions.Serialize(holder), AssociatedData(citizen.MyKeyId, consentId), cancellationToken),
            signer.SerialNumber, Convert.ToHexStringLower(SHA256.HashData(statement)));
        if (!await store.TryAddAsync(record, cancellationToken))
        {
            var winner = await store.FindAsync(citizen.MyKeyId, consentId, cancellationToken) ?? throw new ServiceException(ErrorCodes.Conflict);
            return new ConsentCreated(winner.ConsentId, winner.Status);
        }

        logger.LogInformation("Consent {ConsentId} of MyKey ID {MyKeyId} for network {Network} signed with certificate {SerialNumber}", consentId, citizen.MyKeyId, consent.Network, signer.SerialNumber);
        return new ConsentCreated(consentId, ConsentRecord.Active);
    }

    /// <summary>Withdraws a consent with a statement signed by the same person (氏名 and date of birth; any of their signing certificates).</summary>
    public async Task<ConsentView> WithdrawAsync(Citizen citizen, string consentId, ConsentWithdrawalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        var id = RequireConsentId(consentId);
        var signer = await signatures.VerifyPersonAsync(request.Signature, WithdrawalStatement(id), cancellationToken);
        var holder = RequireHolder(signer);
        return await OptimisticRetry.RunAsync<ConsentView>(async ct =>
        {
            var consent = await store.FindAsync(citizen.MyKeyId, id, ct) ?? throw new ServiceException(ErrorCodes.ConsentNotFound);
            var consenter = JsonSerializer.Deserialize<ConsentHolder>(
                await envelopes.DecryptAsync(consent.Signer, AssociatedData(citizen.MyKeyId, id), ct), ApiJsonOptions.Options)!;
            if (!HolderNames.AreSame(consenter.Name, holder.Name) || consenter.DateOfBirth != holder.DateOfBirth)
            {
                throw new ServiceException(ErrorCodes.SignerNotPatient);
            }

            if (consent.Status == ConsentRecord.Withdrawn)
            {
                throw new ServiceException(ErrorCodes.ConsentWithdrawn);
            }

            var withdrawn = consent with { Status = ConsentRecord.Withdrawn, WithdrawnAt = time.GetUtcNow() };
            if (!await store.TryUpdateAsync(withdrawn, ct))
            {
                return null;
            }

            logger.LogInformation("Consent {ConsentId} of MyKey ID {MyKeyId} withdrawn with certificate {SerialNumber}", id, citizen.MyKeyId, signer.SerialNumber);
            return View(withdrawn);
        }, cancellationToken);
    }

    /// <summary>The statement a withdrawal signs (its JCS form).</summary>
    public static byte[] WithdrawalStatement(string consentId) =>
        JsonCanonicalizer.Serialize(new { action = "withdraw", consentId }, ApiJsonOptions.Options);

    /// <summary>The patient's consents, newest first.</summary>
    public async Task<ConsentList> ListAsync(Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var consents = await store.ListAsync(citizen.MyKeyId, MaxConsentsPerPatient, cancellationToken);
        return new ConsentList([.. consents.OrderByDescending(c => c.CreatedAt).Select(View)]);
    }

    /// <summary>
    /// A facility asks whether it may access a category of the patient's data: an active, unexpired consent
    /// of a network the facility takes part in, naming the facility or all, covering the category. Logged.
    /// </summary>
    public async Task<ConsentCheckResponse> CheckAsync(ConsentCheckRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facility = facilities.ForClient(request.FacilityCode, client);
        var category = request.Category is not null && Categories.Contains(request.Category)
            ? request.Category
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"category must be one of {string.Join(", ", Categories)}.");
        var myKeyId = (request.PatientNumber, request.MyKeyId) switch
        {
            (not null, null) => await clinics.FindPatientAsync(facility.FacilityCode, MedicalFields.RequirePatientNumber(request.PatientNumber), cancellationToken)
                ?? throw new ServiceException(ErrorCodes.NotFound, "No card is linked to this patient number at the facility."),
            (null, not null) => MyKeyIdFormat.Require(request.MyKeyId),
            _ => throw new ServiceException(ErrorCodes.InvalidRequest, "Send exactly one of patientNumber and myKeyId."),
        };

        var now = time.GetUtcNow();
        var consent = (await store.ListAsync(myKeyId, MaxConsentsPerPatient, cancellationToken))
            .Where(c => c.Status == ConsentRecord.Active && c.ValidTo > now && c.Categories.Contains(category)
                && facility.Networks.Contains(c.Network) && (c.AllowsAll || c.Facilities.Contains(facility.FacilityCode)))
            .OrderByDescending(c => c.ValidTo)
            .FirstOrDefault();
        await accessLog.RecordAsync(myKeyId, facility.FacilityCode, MedicalAccessLog.Kinds.ConsentCheck, category, consent is not null, consent is null ? "no_consent" : null, cancellationToken);
        logger.LogInformation("Consent check of MyKey ID {MyKeyId} by facility {FacilityCode} for {Category}: {Allowed}", myKeyId, facility.FacilityCode, category, consent is not null);
        return new ConsentCheckResponse(consent is not null, consent?.ConsentId);
    }

    private ParsedConsent Parse(JsonElement consent)
    {
        ConsentStatement? statement;
        try
        {
            statement = consent.Deserialize<ConsentStatement>(ApiJsonOptions.Options);
        }
        catch (JsonException)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'consent' must have action, network, facilities, categories and validTo.");
        }

        if (statement is null || statement.Action != "consent")
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "consent.action must be \"consent\".");
        }

        var network = Validation.RequestFields.RequireId(statement.Network, "consent.network");
        if (!facilities.IsNetwork(network))
        {
            throw new ServiceException(ErrorCodes.UnknownNetwork, "consent.network is not a network of the registered facilities.");
        }

        IReadOnlyList<string> members;
        if (statement.Facilities.ValueKind == JsonValueKind.String && statement.Facilities.GetString() == "*")
        {
            members = ["*"];
        }
        else if (statement.Facilities.ValueKind == JsonValueKind.Array && statement.Facilities.GetArrayLength() is > 0 and <= MaxFacilities)
        {
            members = [.. statement.Facilities.EnumerateArray()
                .Select(f => MedicalFields.RequireFacilityCode(f.ValueKind == JsonValueKind.String ? f.GetString() : null, "consent.facilities[]"))
                .Distinct(StringComparer.Ordinal)];
            if (members.Any(code => !facilities.All.Any(f => f.FacilityCode == code && f.Networks.Contains(network))))
            {
                throw new ServiceException(ErrorCodes.UnknownNetwork, "A facility of consent.facilities does not take part in the network.");
            }
        }
        else
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"consent.facilities must be \"*\" or 1–{MaxFacilities} facility codes.");
        }

        var categories = statement.Categories is { Count: > 0 } list && list.All(Categories.Contains)
            ? list.Distinct(StringComparer.Ordinal).ToList()
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"consent.categories must list some of {string.Join(", ", Categories)}.");
        return new ParsedConsent(network, members, categories, ParseValidTo(statement.ValidTo));
    }

    // validTo: a date (valid through that day in Japan) or an RFC 3339 date-time; in the future, at most 10 years ahead.
    private DateTimeOffset ParseValidTo(string? value)
    {
        DateTimeOffset validTo;
        if (value is { Length: 10 })
        {
            // The first and last days of the calendar have no end of day in Japan as a DateTimeOffset: out of range, not a 5xx.
            var date = MedicalFields.RequireDate(value, "consent.validTo");
            validTo = date.Year is > 1 and < 9999
                ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), MedicalFields.Japan).AddDays(1).AddTicks(-1)
                : DateTimeOffset.MinValue;
        }
        else if (value is not null && value.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            validTo = parsed;
        }
        else
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "consent.validTo must be a date YYYY-MM-DD or an RFC 3339 date-time.");
        }

        var now = time.GetUtcNow();
        return validTo > now && validTo <= now.AddYears(10)
            ? validTo
            : throw new ServiceException(ErrorCodes.InvalidValidityPeriod, "consent.validTo must be in the future and at most 10 years ahead.");
    }

    private static ConsentHolder RequireHolder(JpkiVerifiedCertificate signer)
    {
        var holder = BasicFourInformation.FromCertificate(signer.Certificate);
        return holder.Succeeded && holder.Value.DateOfBirth.IsoDate is { } birth
            ? new ConsentHolder(holder.Value.Name, birth)
            : throw new ServiceException(ErrorCodes.CertificateUntrusted, "The signing certificate carries no complete 氏名 and date of birth.");
    }

    private static ConsentView View(ConsentRecord c) =>
        new(c.ConsentId, c.Network, c.Facilities, c.Categories, c.ValidTo, c.Status, c.CreatedAt, c.WithdrawnAt);

    // Deterministic per citizen and signed statement, so a resent consent is the same consent.
    private static string ConsentId(string myKeyId, byte[] statement, byte[] signature)
    {
        var input = Encoding.UTF8.GetBytes(myKeyId + "|").Concat(SHA256.HashData(statement)).Concat(signature).ToArray();
        return "cs_" + Base64Url.EncodeToString(SHA256.HashData(input).AsSpan(0, 16));
    }

    private static string RequireConsentId(string? consentId) =>
        consentId is not null && ConsentIdPattern().IsMatch(consentId) ? consentId : throw new ServiceException(ErrorCodes.ConsentNotFound);

    private static byte[] AssociatedData(string myKeyId, string consentId) => Encoding.UTF8.GetBytes($"medical-consent|{myKeyId}|{consentId}");

    [GeneratedRegex(@"^cs_[A-Za-z0-9_-]{22}\z")]
    private static partial Regex ConsentIdPattern();

    private sealed record ParsedConsent(string Network, IReadOnlyList<string> Facilities, IReadOnlyList<string> Categories, DateTimeOffset ValidTo);

    private sealed record ConsentHolder(string Name, string DateOfBirth)
    {
        public override string ToString() => nameof(ConsentHolder) + " { (personal data) }";
    }
}
