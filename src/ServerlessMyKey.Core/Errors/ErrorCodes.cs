namespace ServerlessMyKey.Core.Errors;

/// <summary>
/// The closed catalogue of error codes shared by every feature. Features add their codes here,
/// never inline, so that one table documents everything a caller can receive.
/// </summary>
public static class ErrorCodes
{
    public static readonly ErrorCode InvalidRequest = new("invalid_request", 400, "The request is malformed.");
    public static readonly ErrorCode InvalidJson = new("invalid_json", 400, "The request body is not valid JSON.");
    public static readonly ErrorCode UnsupportedMediaType = new("unsupported_media_type", 415, "The request body must be application/json.");
    public static readonly ErrorCode PayloadTooLarge = new("payload_too_large", 413, "The request body is larger than 1 MiB.");
    public static readonly ErrorCode Unauthenticated = new("unauthenticated", 401, "Credentials are missing or wrong.");
    public static readonly ErrorCode Forbidden = new("forbidden", 403, "The caller lacks the role this operation needs.");
    public static readonly ErrorCode NotFound = new("not_found", 404, "No such resource.");
    public static readonly ErrorCode Conflict = new("conflict", 409, "The resource changed concurrently; retry.");
    public static readonly ErrorCode AlreadyExists = new("already_exists", 409, "A resource with this id already exists with other values.");
    public static readonly ErrorCode InsufficientBalance = new("insufficient_balance", 409, "The account does not hold enough usable points.");
    public static readonly ErrorCode PointsLotLimitReached = new("points_lot_limit_reached", 409, "The points account keeps the most lots one account may keep.");
    public static readonly ErrorCode UnknownMunicipality = new("unknown_municipality", 422, "The municipality does not take part in this service (MyKey points, child-care one-stop).");
    public static readonly ErrorCode IdempotencyKeyReused = new("idempotency_key_reused", 422, "The Idempotency-Key was used before with a different body.");
    public static readonly ErrorCode StorageUnavailable = new("storage_unavailable", 503, "Storage did not answer.");
    public static readonly ErrorCode DependencyUnavailable = new("dependency_unavailable", 503, "A service this operation depends on did not answer.");
    public static readonly ErrorCode InternalError = new("internal_error", 500, "An unexpected error occurred.");
    public static readonly ErrorCode MethodNotAllowed = new("method_not_allowed", 405, "The route does not accept this method.");
    public static readonly ErrorCode WebhookReplayed = new("webhook_replayed", 409, "This signed webhook request was already taken; sign a new one to send it again.");
    public static readonly ErrorCode RateLimited = new("rate_limited", 429, "Too many requests from this client address; retry after the seconds in Retry-After.");

    // JPKI login (API.md "JPKI login"): all 401.
    public static readonly ErrorCode ChallengeNotFound = new("challenge_not_found", 401, "No such login challenge.");
    public static readonly ErrorCode ChallengeExpired = new("challenge_expired", 401, "The login challenge has expired.");
    public static readonly ErrorCode ChallengeAlreadyUsed = new("challenge_already_used", 401, "The login challenge was already used.");
    public static readonly ErrorCode ChallengePurposeMismatch = new("challenge_purpose_mismatch", 409, "The login challenge was made for another purpose or another client; it is spent, read the card again with a challenge of this purpose.");
    public static readonly ErrorCode SignatureInvalid = new("signature_invalid", 401, "The signature does not verify.");
    public static readonly ErrorCode CertificateUntrusted = new("certificate_untrusted", 401, "The certificate does not chain to a trusted JPKI root.");
    public static readonly ErrorCode CertificateExpired = new("certificate_expired", 401, "The certificate is not within its validity period.");
    public static readonly ErrorCode CertificateRevoked = new("certificate_revoked", 401, "The certificate has been revoked.");
    public static readonly ErrorCode CertificateWrongKind = new("certificate_wrong_kind", 401, "The certificate is of the wrong kind for this operation.");
    public static readonly ErrorCode RevocationUnavailable = new("revocation_unavailable", 401, "No usable revocation data; the certificate cannot be accepted.");
    public static readonly ErrorCode TokenClientMismatch = new("token_client_mismatch", 401, "The access token was issued for another client, or for a client on a route only the citizen's own session may use.");
    public static readonly ErrorCode IdentityMismatch = new("identity_mismatch", 403, "The signing certificate's 基本4情報 are not those on record for this MyKey ID.");
    public static readonly ErrorCode IdentityNotRegistered = new("identity_not_registered", 409, "No signing-certificate identity is on record for this MyKey ID; log in once with 'identity' first.");

    // Delegation (API.md "Delegation", docs/delegation.md). Act verifications answer 200 with these codes.
    public static readonly ErrorCode HolderNameMismatch = new("holder_name_mismatch", 422, "The signing certificate's holder is not the person the delegation names.");
    public static readonly ErrorCode UnknownProcedure = new("unknown_procedure", 422, "The procedure is not a configured one (Delegation:Procedures, Childcare:Procedures) or its form version is unknown.");
    public static readonly ErrorCode CorporationMismatch = new("corporation_mismatch", 422, "The corporate certificate does not identify the corporation the delegation names.");
    public static readonly ErrorCode InvalidCorporateNumber = new("invalid_corporate_number", 422, "The corporate number is not 13 digits with a valid check digit.");
    public static readonly ErrorCode InvalidValidityPeriod = new("invalid_validity_period", 422, "validFrom must be before validTo, and validTo in the future.");
    public static readonly ErrorCode DelegationNotFound = new("delegation_not_found", 404, "No delegation has this id or number.");
    public static readonly ErrorCode DelegationNotPending = new("delegation_not_pending", 409, "The delegation is no longer waiting for the delegate's answer.");
    public static readonly ErrorCode DelegationNotActive = new("delegation_not_active", 409, "The delegation has not been accepted, or was rejected.");
    public static readonly ErrorCode DelegationRevoked = new("delegation_revoked", 409, "The delegation has been revoked.");
    public static readonly ErrorCode DelegationExpired = new("delegation_expired", 409, "The delegation's validity period has ended.");
    public static readonly ErrorCode DelegationNotYetValid = new("delegation_not_yet_valid", 409, "The delegation's validity period has not begun.");
    public static readonly ErrorCode SignerNotDelegate = new("signer_not_delegate", 403, "The act is not signed with the certificate the delegate accepted with.");
    public static readonly ErrorCode SignerNotDelegator = new("signer_not_delegator", 403, "The statement is not signed with the certificate that signed the delegation.");
    public static readonly ErrorCode ActOutsidePowers = new("act_outside_powers", 403, "The act's procedure and agency are not among the delegated powers.");
    public static readonly ErrorCode SubDelegationNotAllowed = new("sub_delegation_not_allowed", 403, "The parent delegation does not allow sub-delegation.");
    public static readonly ErrorCode SubDelegationExceedsParent = new("sub_delegation_exceeds_parent", 422, "A sub-delegation must keep the parent's delegator and stay inside its powers and validity period.");
    public static readonly ErrorCode ParentDelegationInactive = new("parent_delegation_inactive", 409, "A delegation this one derives from is no longer active.");
    public static readonly ErrorCode DelegationChainTooDeep = new("delegation_chain_too_deep", 422, "A sub-delegation would be more than 8 levels below the delegator's delegation.");
    public static readonly ErrorCode UnknownRecipient = new("unknown_recipient", 422, "The recipient is not one of Delegation:Recipients.");
    public static readonly ErrorCode TransmissionNotFound = new("transmission_not_found", 404, "No transmission has this id (or it is not yours).");
    public static readonly ErrorCode TransmissionClosed = new("transmission_closed", 409, "The transmission has already ended; start a new one.");
    public static readonly ErrorCode TransmissionPurged = new("transmission_purged", 409, "This Idempotency-Key started a transmission whose record has been purged; nothing was sent again. Use a new key to send again.");
    public static readonly ErrorCode NotificationNotDeadLettered = new("notification_not_dead_lettered", 409, "The delegator's notification is not dead-lettered (it was delivered, is still being delivered, or there is none).");

    // Certificate status jobs (API.md "Certificate status").
    public static readonly ErrorCode StatusJobNotFound = new("status_job_not_found", 404, "No status job has this id (or it is not yours).");
    public static readonly ErrorCode StatusJobPartConflict = new("status_job_part_conflict", 409, "Other certificates were already uploaded under this part number.");
    public static readonly ErrorCode StatusJobClosed = new("status_job_closed", 409, "The job has all its parts and takes no other uploads.");
    public static readonly ErrorCode StatusJobTooLarge = new("status_job_too_large", 422, "The job's parts hold more than 100,000 certificates.");
    // Certificate watches (API.md "Certificate status", docs/certificate-watches.md).
    public static readonly ErrorCode WatchNotFound = new("watch_not_found", 404, "No watch has this id (or it is not yours).");
    public static readonly ErrorCode WebhookNotConfigured = new("webhook_not_configured", 409, "The client has no webhook (Clients:<id>:WebhookUrl) to tell of revocations.");
    public static readonly ErrorCode CertificateNotWatchable = new("certificate_not_watchable", 422, "The certificate is not a JPKI certificate of a trusted root, so it cannot be watched.");
    // Medical (API.md "Medical", docs/medical.md). Eligibility answers 200 with outcome codes (docs/errors.md).
    public static readonly ErrorCode MemberMismatch = new("member_mismatch", 422, "No member of the insurer has these numbers with the signing certificate's name and date of birth.");
    public static readonly ErrorCode UnknownNetwork = new("unknown_network", 422, "The regional medical network is not one of the registered facilities' networks, or a facility is not in it.");
    public static readonly ErrorCode ConsentNotFound = new("consent_not_found", 404, "No consent has this id (or it is not yours).");
    public static readonly ErrorCode ConsentWithdrawn = new("consent_withdrawn", 409, "The consent has already been withdrawn.");
    public static readonly ErrorCode ConsentLimitReached = new("consent_limit_reached", 409, "The patient holds the most consents kept per patient; withdraw one first.");
    public static readonly ErrorCode SignerNotPatient = new("signer_not_patient", 403, "The withdrawal is not signed by the person who gave the consent.");
    public static readonly ErrorCode LinkCodeInvalid = new("link_code_invalid", 422, "The link code is not the facility's current code for this patient number (wrong, used, replaced or worn out by failed attempts).");
    public static readonly ErrorCode LinkCodeExpired = new("link_code_expired", 410, "The link code has expired; the facility issues a new one.");

    // Child-care one-stop (API.md "Child-care one-stop", docs/childcare.md).
    public static readonly ErrorCode FormInvalid = new("form_invalid", 422, "The form does not satisfy its procedure's JSON Schema; see errors.");
    public static readonly ErrorCode ApplicationNotFound = new("application_not_found", 404, "No application has this id (or it is not yours).");
    public static readonly ErrorCode ApplicationStateConflict = new("application_state_conflict", 409, "The application is not in a state that allows this.");
    public static readonly ErrorCode EmploymentRequestNotFound = new("employment_request_not_found", 404, "No employment-certificate request has this code.");
    public static readonly ErrorCode RequestClosed = new("request_closed", 409, "The employment-certificate request is fulfilled or closed.");
    public static readonly ErrorCode DelegationNotAuthorized = new("delegation_not_authorized", 403, "The employment certificate is not signed under a delegation that authorizes it; see delegationCode.");
    public static readonly ErrorCode SignerNotSubmitter = new("signer_not_submitter", 403, "The signed application does not name the caller as its applicant (applicantMyKeyId).");

    // Electronic mailbox (API.md "Electronic mailbox").
    public static readonly ErrorCode RecipientNotAccepting = new("recipient_not_accepting", 422, "The recipient does not accept deliveries from this sender.");
    public static readonly ErrorCode MessageNotFound = new("message_not_found", 404, "No message has this id (or it is not yours).");
    public static readonly ErrorCode FreshLoginRequired = new("fresh_login_required", 401, "This document needs a login of the last 5 minutes.");
    // Smart-TV disaster prevention and watching (API.md "Smart-TV disaster prevention", docs/disaster.md).
    public static readonly ErrorCode InvalidCap = new("invalid_cap", 400, "The body is not a valid CAP 1.2 alert; the detail names the element at fault.");
    public static readonly ErrorCode PairingNotFound = new("pairing_not_found", 404, "No TV pairing has this code.");
    public static readonly ErrorCode PairingExpired = new("pairing_expired", 410, "The TV pairing code has expired; the TV shows a new one.");
    public static readonly ErrorCode PairingAlreadyUsed = new("pairing_already_used", 409, "The TV pairing code was already claimed.");
    public static readonly ErrorCode TvAlreadyPaired = new("tv_already_paired", 409, "The TV is linked to another resident; it must be unlinked first.");
    public static readonly ErrorCode TvNotRegistered = new("tv_not_registered", 404, "No TV with this id is linked to you.");
    public static readonly ErrorCode ResidentNotRegistered = new("resident_not_registered", 404, "The card holder has not registered a TV as a resident.");
    public static readonly ErrorCode AlertNotFound = new("alert_not_found", 404, "No alert has this id (or it is not of your municipality).");
    public static readonly ErrorCode ReferencedAlertNotFound = new("referenced_alert_not_found", 422, "The CAP references name no alert stored here.");

    // OpenID Connect login steps (API.md "Relying parties"); the OAuth endpoints answer RFC 6749 errors instead.
    public static readonly ErrorCode AuthorizationRequestNotFound = new("authorization_request_not_found", 404, "No authorization request has this id.");
    public static readonly ErrorCode AuthorizationRequestExpired = new("authorization_request_expired", 410, "The authorization request has expired; the relying party must start again.");
    public static readonly ErrorCode AuthorizationRequestUsed = new("authorization_request_used", 409, "The authorization request was already completed or declined.");
    public static readonly ErrorCode SigningSignatureRequired = new("signing_signature_required", 400, "The jpki_basic4 scope needs the signing certificate's signature over the same challenge.");

    // Tickets (API.md "Relying parties").
    public static readonly ErrorCode TicketEventNotFound = new("ticket_event_not_found", 404, "No event has this id.");
    public static readonly ErrorCode TicketEventExists = new("ticket_event_exists", 409, "An event with this id already exists.");
    public static readonly ErrorCode TicketLimitReached = new("ticket_limit_reached", 409, "This MyKey ID already holds a ticket for the event.");
    public static readonly ErrorCode SoldOut = new("sold_out", 409, "No seat of the event is left.");
    public static readonly ErrorCode NoTicket = new("no_ticket", 404, "The holder has no ticket for this event.");
    public static readonly ErrorCode AlreadyEntered = new("already_entered", 409, "The ticket was already used to enter.");
    public static readonly ErrorCode GateNotForEvent = new("gate_not_for_event", 403, "This gate client is not one of the event's gates.");

    /// <summary>Every code, for documentation (OpenAPI) and for tests that the catalogue stays closed.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        InvalidRequest, InvalidJson, UnsupportedMediaType, PayloadTooLarge, Unauthenticated, Forbidden, NotFound,
        Conflict, AlreadyExists, InsufficientBalance, PointsLotLimitReached, UnknownMunicipality, IdempotencyKeyReused, StorageUnavailable, DependencyUnavailable,
        InternalError, MethodNotAllowed, RateLimited, WebhookReplayed,
        ChallengeNotFound, ChallengeExpired, ChallengeAlreadyUsed, ChallengePurposeMismatch, SignatureInvalid, CertificateUntrusted, CertificateExpired,
        CertificateRevoked, CertificateWrongKind, RevocationUnavailable, TokenClientMismatch, IdentityMismatch, IdentityNotRegistered,
        HolderNameMismatch, CorporationMismatch, UnknownProcedure, InvalidCorporateNumber, InvalidValidityPeriod, DelegationNotFound, DelegationNotPending,
        DelegationNotActive, DelegationRevoked, DelegationExpired, DelegationNotYetValid, SignerNotDelegate, SignerNotDelegator, ActOutsidePowers,
        SubDelegationNotAllowed, SubDelegationExceedsParent, ParentDelegationInactive, DelegationChainTooDeep,
        UnknownRecipient, TransmissionNotFound, TransmissionClosed, TransmissionPurged, NotificationNotDeadLettered,
        StatusJobNotFound, StatusJobPartConflict, StatusJobClosed, StatusJobTooLarge,
        WatchNotFound, WebhookNotConfigured, CertificateNotWatchable,
        FormInvalid, ApplicationNotFound, ApplicationStateConflict, EmploymentRequestNotFound, RequestClosed, DelegationNotAuthorized, SignerNotSubmitter,
        RecipientNotAccepting, MessageNotFound, FreshLoginRequired,
        InvalidCap, PairingNotFound, PairingExpired, PairingAlreadyUsed, TvAlreadyPaired, TvNotRegistered, ResidentNotRegistered,
        AlertNotFound, ReferencedAlertNotFound,
        MemberMismatch, UnknownNetwork, ConsentNotFound, ConsentWithdrawn, ConsentLimitReached, SignerNotPatient, LinkCodeInvalid, LinkCodeExpired,
        AuthorizationRequestNotFound, AuthorizationRequestExpired, AuthorizationRequestUsed, SigningSignatureRequired,
        TicketEventNotFound, TicketEventExists, TicketLimitReached, SoldOut, NoTicket, AlreadyEntered, GateNotForEvent,
    ];
}
