using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Core.Medical;

// Request and response shapes of the medical routes (API.md "Medical", docs/medical.md).

/// <summary>
/// <c>PUT /api/medical/insurers/{insurerNumber}/members/{memberKey}</c>: one member (被保険者) of the insurer.
/// <c>symbol</c> 記号, <c>number</c> 番号, <c>branch</c> 枝番 (2 digits); <c>dateOfBirth</c>, <c>validFrom</c>,
/// <c>validTo</c> as <c>YYYY-MM-DD</c> (validTo absent: open-ended); <c>copayRate</c> the co-payment in percent (0–100).
/// </summary>
public sealed record InsuranceMemberRequest(
    string? Symbol, string? Number, string? Branch, string? Name, string? DateOfBirth, string? ValidFrom, string? ValidTo, int? CopayRate)
{
    public override string ToString() => nameof(InsuranceMemberRequest) + " { (personal data) }";
}

/// <summary>The answer to an upsert: ids only, never the numbers.</summary>
public sealed record InsuranceMemberResponse(string InsurerNumber, string MemberKey, bool Changed);

/// <summary>
/// 保険証利用登録, <c>POST /api/medical/insurance-links</c>: the insurance numbers and the citizen's JPKI
/// signature over the JCS form of <c>{"action":"link-insurance","insurerNumber","symbol","number","branch"}</c>.
/// </summary>
public sealed record InsuranceLinkRequest(string? InsurerNumber, string? Symbol, string? Number, string? Branch, SignatureProof? Signature)
{
    public override string ToString() => nameof(InsuranceLinkRequest) + " { (personal data) }";
}

/// <summary>The citizen's own view of the linked insurance: the numbers masked (they may not be shown for other purposes).</summary>
public sealed record InsuranceLinkView(string InsurerNumber, string Symbol, string Number, string Branch, string? ValidFrom, string? ValidTo, DateTimeOffset LinkedAt);

/// <summary><c>POST /api/medical/eligibility-checks</c>: the patient's login proof at the reader, and the facility when the client serves several.</summary>
public sealed record EligibilityCheckRequest(string? ChallengeId, string? Certificate, string? Signature, string? FacilityCode);

/// <summary>The insurance as the facility needs it for the claim (full numbers: this is their purpose).</summary>
public sealed record EligibleInsurance(string InsurerNumber, string Symbol, string Number, string Branch, string ValidFrom, string? ValidTo, int CopayRate);

public sealed record EligiblePatient(string Name, string DateOfBirth);

/// <summary>
/// <c>{"eligible":true,"insurance","patient"}</c> or <c>{"eligible":false,"code"}</c>. <c>certificateExpiredAt</c>
/// is set when the card's certificate has expired and was accepted within the 3-month grace.
/// </summary>
public sealed record EligibilityResponse(bool Eligible, string? Code = null, EligibleInsurance? Insurance = null, EligiblePatient? Patient = null, DateTimeOffset? CertificateExpiredAt = null)
{
    public override string ToString() => $"{nameof(EligibilityResponse)} {{ Eligible = {Eligible}, Code = {Code} }}";
}

/// <summary>
/// <c>POST /api/medical/facilities/{facilityCode}/patient-links</c>: the patient's 診察券番号 at the facility and the
/// link code the facility issued for it at the counter (the facility confirms who holds the number).
/// </summary>
public sealed record PatientLinkRequest(string? PatientNumber, string? LinkCode)
{
    public override string ToString() => $"{nameof(PatientLinkRequest)} {{ (link code) }}";
}

/// <summary><c>POST /api/medical/facilities/{facilityCode}/patient-link-codes</c>: the patient number the facility issues a link code for.</summary>
public sealed record PatientLinkCodeRequest(string? PatientNumber);

/// <summary>The code to show or print for the patient at the counter; valid until <c>expiresAt</c>, once.</summary>
public sealed record PatientLinkCode(string FacilityCode, string PatientNumber, string LinkCode, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"{nameof(PatientLinkCode)} {{ FacilityCode = {FacilityCode}, ExpiresAt = {ExpiresAt:O} }}";
}

public sealed record PatientLink(string FacilityCode, string PatientNumber, DateTimeOffset LinkedAt);

/// <summary><c>PUT …/reservations/{reservationId}</c>: who is expected, and when.</summary>
public sealed record ReservationRequest(string? PatientNumber, DateTimeOffset? At);

public sealed record Reservation(string ReservationId, string PatientNumber, DateTimeOffset At);

public sealed record ReservationView(string ReservationId, DateTimeOffset At);

/// <summary><c>POST …/checkins</c>: the patient's login proof at the clinic's reader.</summary>
public sealed record ClinicCheckinRequest(string? ChallengeId, string? Certificate, string? Signature);

public sealed record ClinicCheckinResponse(string PatientNumber, ReservationView? Reservation, DateTimeOffset At);

/// <summary>The statement a patient signs to consent (医療情報連携の同意).</summary>
public sealed record ConsentStatement(string? Action, string? Network, System.Text.Json.JsonElement Facilities, IReadOnlyList<string>? Categories, string? ValidTo);

/// <summary><c>POST /api/medical/consents</c>.</summary>
public sealed record ConsentRequest(System.Text.Json.JsonElement Consent, SignatureProof? Signature);

/// <summary><c>POST /api/medical/consents/{consentId}/withdrawal</c>: a signature over <c>{"action":"withdraw","consentId"}</c>.</summary>
public sealed record ConsentWithdrawalRequest(SignatureProof? Signature);

public sealed record ConsentCreated(string ConsentId, string Status);

/// <summary>A consent as the patient reads it.</summary>
public sealed record ConsentView(string ConsentId, string Network, IReadOnlyList<string> Facilities, IReadOnlyList<string> Categories, DateTimeOffset ValidTo, string Status, DateTimeOffset CreatedAt, DateTimeOffset? WithdrawnAt);

public sealed record ConsentList(IReadOnlyList<ConsentView> Consents);

/// <summary><c>POST /api/medical/consents/checks</c>: whose data (patient number at the asking facility, or MyKey ID) and which category.</summary>
public sealed record ConsentCheckRequest(string? PatientNumber, string? MyKeyId, string? Category, string? FacilityCode);

public sealed record ConsentCheckResponse(bool Allowed, string? ConsentId = null);

/// <summary>One line of the patient's access log.</summary>
public sealed record AccessLogEntry(DateTimeOffset At, string FacilityCode, string Kind, string? Category, bool Allowed, string? Code);

public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Entries, string? Next);

/// <summary>
/// <c>POST /api/medical/hpki/verifications</c>: a doctor's HPKI signature, raw (<c>certificate</c>, <c>signature</c>,
/// <c>data</c> | <c>digest</c>) or CMS (<c>cms</c>, <c>data</c> when detached), with optionally the same person's
/// JPKI signing-certificate signature over the same data (<c>jpki</c>).
/// </summary>
public sealed record HpkiVerificationRequest(string? Certificate, string? Signature, string? Data, string? Digest, string? Cms, SignatureProof? Jpki);

/// <summary><c>{"valid","hcRole","name","jpkiMatch"?}</c>; <c>code</c> says why not valid, <c>jpkiCode</c> why the JPKI signature did not count.</summary>
public sealed record HpkiVerificationResponse(
    bool Valid,
    string? Code = null,
    string? HcRole = null,
    string? Name = null,
    string? SerialNumber = null,
    DateTimeOffset? NotAfter = null,
    bool? JpkiMatch = null,
    string? JpkiCode = null,
    DateTimeOffset? SigningTime = null)
{
    public override string ToString() => $"{nameof(HpkiVerificationResponse)} {{ Valid = {Valid}, Code = {Code}, HcRole = {HcRole} }}";
}

/// <summary>Roles of service clients in the medical uses.</summary>
public static class MedicalRoles
{
    /// <summary>A registered medical facility's system (its reader, reception, network gateway).</summary>
    public const string Facility = "medical.facility";

    /// <summary>An insurer (保険者) loading its member records.</summary>
    public const string Insurer = "medical.insurer";
}
