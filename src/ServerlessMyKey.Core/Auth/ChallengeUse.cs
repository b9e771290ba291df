namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// What a login challenge is for and who asked for it (docs/auth.md "Challenge purposes"). A proof is
/// accepted only by the consumer of the challenge's purpose and, for a reader's purpose, only from the
/// service client that asked for the challenge: a ticket gate, a medical reader or a shelter terminal
/// that holds a card's proof cannot turn it into the holder's own session, nor use it at another reader.
/// </summary>
public sealed record ChallengeUse(string Purpose, string? ClientId = null)
{
    /// <summary>A citizen's login (<c>POST /api/auth/sessions</c>, relink); the default.</summary>
    public const string LoginPurpose = "login";

    /// <summary>The OpenID Connect login step; created only by the authorization endpoint.</summary>
    public const string OidcPurpose = "oidc";

    public const string TicketGatePurpose = "ticket_gate";
    public const string MedicalEligibilityPurpose = "medical_eligibility";
    public const string MedicalCheckinPurpose = "medical_checkin";
    public const string ShelterCheckinPurpose = "shelter_checkin";

    public static ChallengeUse Login { get; } = new(LoginPurpose);

    public static ChallengeUse Oidc { get; } = new(OidcPurpose);

    /// <summary>Purposes a reader asks for with its own <c>x-api-key</c>; the challenge is then bound to that client.</summary>
    public static IReadOnlyList<string> ReaderPurposes { get; } = [TicketGatePurpose, MedicalEligibilityPurpose, MedicalCheckinPurpose, ShelterCheckinPurpose];

    public static ChallengeUse TicketGate(string clientId) => Reader(TicketGatePurpose, clientId);

    public static ChallengeUse MedicalEligibility(string clientId) => Reader(MedicalEligibilityPurpose, clientId);

    public static ChallengeUse MedicalCheckin(string clientId) => Reader(MedicalCheckinPurpose, clientId);

    public static ChallengeUse ShelterCheckin(string clientId) => Reader(ShelterCheckinPurpose, clientId);

    public static bool IsReaderPurpose(string? purpose) => purpose is not null && ReaderPurposes.Contains(purpose, StringComparer.Ordinal);

    /// <summary>Whether a challenge made for <paramref name="challenge"/> may be consumed as this use.</summary>
    public bool Admits(LoginChallenge challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return string.Equals(challenge.Purpose, Purpose, StringComparison.Ordinal) && string.Equals(challenge.ClientId, ClientId, StringComparison.Ordinal);
    }

    private static ChallengeUse Reader(string purpose, string clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        return new ChallengeUse(purpose, clientId);
    }
}
