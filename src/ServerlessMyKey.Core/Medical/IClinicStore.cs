namespace ServerlessMyKey.Core.Medical;

/// <summary>A patient's link as read, with the holder of the patient number, for a conditional rewrite.</summary>
public sealed record PatientLinkSnapshot(PatientLink? Current, string? CurrentETag, string? PatientNumberOwner);

/// <summary>A reservation as stored, with its row version.</summary>
public sealed record StoredReservation(Reservation Reservation, string ETag);

/// <summary>Patient links and reservations of the facilities; each write is atomic within one facility (one partition).</summary>
public interface IClinicStore
{
    /// <summary>The MyKey ID's link at the facility and who holds <paramref name="patientNumber"/> there.</summary>
    Task<PatientLinkSnapshot> ReadPatientLinkAsync(string facilityCode, string myKeyId, string patientNumber, CancellationToken cancellationToken = default);

    /// <summary>Writes the link in place of the snapshot's (freeing its patient number); <c>false</c> when anything changed since.</summary>
    Task<bool> TryWritePatientLinkAsync(string myKeyId, PatientLinkSnapshot snapshot, PatientLink link, CancellationToken cancellationToken = default);

    Task<PatientLink?> FindPatientLinkAsync(string facilityCode, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>The MyKey ID linked to a patient number, or null.</summary>
    Task<string?> FindPatientAsync(string facilityCode, string patientNumber, CancellationToken cancellationToken = default);

    Task<StoredReservation?> FindReservationAsync(string facilityCode, string reservationId, CancellationToken cancellationToken = default);

    /// <summary>Writes a reservation and its day index in place of <paramref name="current"/> (null: insert); <c>false</c> when it changed meanwhile.</summary>
    Task<bool> TryWriteReservationAsync(string facilityCode, StoredReservation? current, Reservation next, CancellationToken cancellationToken = default);

    /// <summary>The patient's reservations on one day (JST), at most 20.</summary>
    Task<IReadOnlyList<Reservation>> ListReservationsAsync(string facilityCode, DateOnly day, string patientNumber, CancellationToken cancellationToken = default);
}
