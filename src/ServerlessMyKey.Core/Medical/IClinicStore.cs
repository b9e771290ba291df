namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// A patient's link as read, with the holder of the patient number and the facility's link code for it, for a
/// conditional rewrite. <c>CurrentConfirmed</c>/<c>Holder.Confirmed</c> are false for links written before the
/// facility confirmed links (first come, first served): such links count for nothing and give way to a confirmed one.
/// </summary>
public sealed record PatientLinkSnapshot(PatientLink? Current, string? CurrentETag, bool CurrentConfirmed, PatientNumberHolder? Holder, StoredLinkCode? Code);

/// <summary>Who holds a patient number (the index row), and, when it is another MyKey ID's unconfirmed link, that link's row version.</summary>
public sealed record PatientNumberHolder(string MyKeyId, bool Confirmed, string ETag, string? HolderLinkETag);

/// <summary>A link code as stored: its hash, expiry and failed attempts, with its row version.</summary>
public sealed record StoredLinkCode(string CodeHash, DateTimeOffset ExpiresAt, int FailedAttempts, string ETag);

/// <summary>A reservation as stored, with its row version.</summary>
public sealed record StoredReservation(Reservation Reservation, string ETag);

/// <summary>Patient links and reservations of the facilities; each write is atomic within one facility (one partition).</summary>
public interface IClinicStore
{
    /// <summary>The MyKey ID's link at the facility, who holds <paramref name="patientNumber"/> there, and the link code issued for it.</summary>
    Task<PatientLinkSnapshot> ReadPatientLinkAsync(string facilityCode, string myKeyId, string patientNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the confirmed link in place of the snapshot's (freeing its patient number, displacing an unconfirmed
    /// holder) and deletes the snapshot's link code, in one transaction; <c>false</c> when anything changed since.
    /// </summary>
    Task<bool> TryWritePatientLinkAsync(string myKeyId, PatientLinkSnapshot snapshot, PatientLink link, CancellationToken cancellationToken = default);

    /// <summary>Stores the hash of a new link code for the patient number, replacing an earlier one.</summary>
    Task IssueLinkCodeAsync(string facilityCode, string patientNumber, string codeHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Counts a wrong code against <paramref name="code"/>, deleting it at <see cref="PatientLinkCodes.MaxFailedAttempts"/>; <c>false</c> when it changed since.</summary>
    Task<bool> TryRecordFailedLinkCodeAsync(string facilityCode, string patientNumber, StoredLinkCode code, CancellationToken cancellationToken = default);

    /// <summary>The MyKey ID's confirmed link at the facility, or null (an unconfirmed link is none).</summary>
    Task<PatientLink?> FindPatientLinkAsync(string facilityCode, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>The MyKey ID confirmed for a patient number, or null.</summary>
    Task<string?> FindPatientAsync(string facilityCode, string patientNumber, CancellationToken cancellationToken = default);

    Task<StoredReservation?> FindReservationAsync(string facilityCode, string reservationId, CancellationToken cancellationToken = default);

    /// <summary>Writes a reservation and its day index in place of <paramref name="current"/> (null: insert); <c>false</c> when it changed meanwhile.</summary>
    Task<bool> TryWriteReservationAsync(string facilityCode, StoredReservation? current, Reservation next, CancellationToken cancellationToken = default);

    /// <summary>The patient's reservations on one day (JST), at most 20.</summary>
    Task<IReadOnlyList<Reservation>> ListReservationsAsync(string facilityCode, DateOnly day, string patientNumber, CancellationToken cancellationToken = default);
}
