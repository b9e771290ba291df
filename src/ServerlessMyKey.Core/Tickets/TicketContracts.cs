namespace ServerlessMyKey.Core.Tickets;

/// <summary>
/// The body of <c>POST /api/tickets/events</c>: an event, its seat labels (席番) and the service clients (role
/// <c>tickets.gate</c>) that are its gates — no other gate admits to it.
/// </summary>
public sealed record CreateTicketEventRequest(string? EventId, string? Name, DateTimeOffset? StartsAt, IReadOnlyList<string>? Seats, IReadOnlyList<string>? GateClients = null);

/// <summary>An event that sells tickets, and the client ids of its gates.</summary>
public sealed record TicketEvent(string EventId, string Name, DateTimeOffset StartsAt, int SeatCount, IReadOnlyList<string> GateClients);

/// <summary>
/// A ticket: one per MyKey ID per event, bound to its buyer (no transfer). <paramref name="PurchaseKeyHash"/> is the hashed
/// <c>Idempotency-Key</c> the purchase came with (never shown), so that a retry with the same key gets the same ticket.
/// </summary>
public sealed record Ticket(string TicketId, string EventId, string Seat, DateTimeOffset PurchasedAt, DateTimeOffset? EnteredAt,
    [property: System.Text.Json.Serialization.JsonIgnore] string? PurchaseKeyHash = null);

/// <summary>The answer to a purchase.</summary>
public sealed record PurchaseResponse(string TicketId, string Seat);

/// <summary>The answer at the gate: the ticket, its seat and the seat receipt (席番レシート) to print.</summary>
public sealed record EntryResponse(string TicketId, string Seat, string Receipt, DateTimeOffset EnteredAt);

public enum TicketPurchaseOutcome
{
    Purchased,
    AlreadyHolds,
    SeatTaken,
}

/// <summary>Where events, seats and tickets live (Table Storage: one partition per event).</summary>
public interface ITicketStore
{
    /// <summary>
    /// Creates the event with its seats; <c>false</c> when the id is taken by another event (a retry
    /// of the same creation completes it).
    /// </summary>
    Task<bool> CreateEventAsync(TicketEvent ticketEvent, IReadOnlyList<string> seats, CancellationToken cancellationToken = default);

    /// <summary>The event, or <c>null</c> when unknown or not completely created.</summary>
    Task<TicketEvent?> FindEventAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>The holder's ticket for the event, or <c>null</c>.</summary>
    Task<Ticket?> FindTicketAsync(string eventId, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> free seats (may be taken by the time they are bought).</summary>
    Task<IReadOnlyList<string>> FreeSeatsAsync(string eventId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: the holder's ticket row (insert-only, so one per MyKey ID) and the seat
    /// (ETag-conditional, so one ticket per seat). Tells which of the two lost a race.
    /// </summary>
    Task<TicketPurchaseOutcome> TryPurchaseAsync(Ticket ticket, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Marks the ticket entered with a conditional write; <c>false</c> when it already was.</summary>
    Task<bool> TryEnterAsync(string eventId, string myKeyId, DateTimeOffset enteredAt, CancellationToken cancellationToken = default);
}

/// <summary>Roles of service clients for tickets.</summary>
public static class TicketRoles
{
    /// <summary>Creates events (the organiser or the ticket seller).</summary>
    public const string Admin = "tickets.admin";

    /// <summary>The gate terminals that admit holders.</summary>
    public const string Gate = "tickets.gate";
}
