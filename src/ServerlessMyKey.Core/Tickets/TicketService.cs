using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Validation;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Tickets;

/// <summary>
/// Ticketless entry (チケットレス入場): a ticket is bought with the buyer's login (one per MyKey ID per
/// event, race-safe by an insert-only holder row in the same transaction as the seat), is never
/// transferred, and admits once at the gate on the holder's card (a JPKI login proof), which prints
/// the seat receipt (席番レシート).
/// </summary>
public sealed partial class TicketService(
    ITicketStore store,
    JpkiLogin login,
    ServiceClientAuthenticator clients,
    IIdempotencyClaims claims,
    TimeProvider timeProvider,
    ILogger<TicketService> logger)
{
    public const int MaxSeats = 5000;
    public const int MaxGateClients = 20;
    private const string PurchaseOperation = "tickets.purchase";
    private const int MaxPurchaseAttempts = 64;
    private const int SeatsConsidered = 32;
    private static readonly TimeZoneInfo Japan = TimeZoneInfo.CreateCustomTimeZone("JST", TimeSpan.FromHours(9), "JST", "JST");

    public async Task<TicketEvent> CreateEventAsync(CreateTicketEventRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var eventId = RequestFields.RequireId(request.EventId, "eventId");
        var name = RequestFields.RequireText(request.Name, "name", 200);
        var startsAt = request.StartsAt ?? throw new ServiceException(ErrorCodes.InvalidRequest, "'startsAt' is required.");
        var seats = request.Seats ?? [];
        if (seats.Count is 0 or > MaxSeats || seats.Any(s => s is null || !SeatFormat().IsMatch(s)) || seats.Distinct(StringComparer.Ordinal).Count() != seats.Count)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'seats' must list 1–{MaxSeats} distinct seat labels of 1–16 letters, digits or '-'.");
        }

        var gates = request.GateClients ?? [];
        if (gates.Count is 0 or > MaxGateClients || gates.Any(g => g is null || !clients.IsClient(g)) || gates.Distinct(StringComparer.Ordinal).Count() != gates.Count)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'gateClients' must list 1–{MaxGateClients} distinct registered client ids (the event's gates).");
        }

        var ticketEvent = new TicketEvent(eventId, name, startsAt, seats.Count, gates);
        return await store.CreateEventAsync(ticketEvent, seats, cancellationToken)
            ? ticketEvent
            : throw new ServiceException(ErrorCodes.TicketEventExists);
    }

    /// <summary>
    /// Buys the buyer's ticket. With an <c>Idempotency-Key</c> (scoped to the buyer's MyKey ID): the same key for the same
    /// event answers the ticket that key bought; the same key for another event is <c>422 idempotency_key_reused</c>.
    /// </summary>
    public async Task<PurchaseResponse> PurchaseAsync(string eventId, Citizen buyer, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buyer);
        var ticketEvent = await RequireEventAsync(eventId, cancellationToken);
        var idempotency = await claims.ClaimIfKeyedAsync(PurchaseOperation, buyer.MyKeyId, idempotencyKey, new { eventId = ticketEvent.EventId }, cancellationToken);
        for (var attempt = 0; attempt < MaxPurchaseAttempts; attempt++)
        {
            if (await store.FindTicketAsync(ticketEvent.EventId, buyer.MyKeyId, cancellationToken) is { } held)
            {
                return ReplayOrRefuse(held, idempotency);
            }

            var free = await store.FreeSeatsAsync(ticketEvent.EventId, SeatsConsidered, cancellationToken);
            if (free.Count == 0)
            {
                throw new ServiceException(ErrorCodes.SoldOut);
            }

            // A random seat among the first free ones, so that concurrent buyers rarely want the same row.
            var ticket = new Ticket("tk_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)), ticketEvent.EventId, free[RandomNumberGenerator.GetInt32(free.Count)], timeProvider.GetUtcNow(), null, idempotency?.KeyHash);
            switch (await store.TryPurchaseAsync(ticket, buyer.MyKeyId, cancellationToken))
            {
                case TicketPurchaseOutcome.Purchased:
                    logger.LogInformation("Ticket {TicketId} of event {EventId} bought by MyKey ID {MyKeyId}", ticket.TicketId, ticket.EventId, buyer.MyKeyId);
                    return new PurchaseResponse(ticket.TicketId, ticket.Seat);
                case TicketPurchaseOutcome.AlreadyHolds:
                    // A concurrent purchase of this buyer won; with the same key it was this very request.
                    return ReplayOrRefuse(await store.FindTicketAsync(ticketEvent.EventId, buyer.MyKeyId, cancellationToken), idempotency);
            }
        }

        throw new ServiceException(ErrorCodes.Conflict, "Seats are being bought too fast; retry.");
    }

    private static PurchaseResponse ReplayOrRefuse(Ticket? held, IdempotentRequest? idempotency) =>
        held?.PurchaseKeyHash is { } keyHash && idempotency is not null
            && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(keyHash), Convert.FromHexString(idempotency.KeyHash))
            ? new PurchaseResponse(held.TicketId, held.Seat)
            : throw new ServiceException(ErrorCodes.TicketLimitReached);

    /// <summary>The holder's own ticket (a purchase answered <c>ticket_limit_reached</c> after a lost response finds it here).</summary>
    public async Task<Ticket> GetTicketAsync(string eventId, Citizen holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var ticketEvent = await RequireEventAsync(eventId, cancellationToken);
        return await store.FindTicketAsync(ticketEvent.EventId, holder.MyKeyId, cancellationToken) ?? throw new ServiceException(ErrorCodes.NoTicket);
    }

    /// <summary>
    /// At the gate: only one of the event's gates (else <c>403 gate_not_for_event</c>, the challenge untouched); the card's
    /// login proof, over a <c>ticket_gate</c> challenge this gate asked for, names the holder without enrolling anyone
    /// (a card that never logged in has no ticket); their ticket admits once.
    /// </summary>
    public async Task<EntryResponse> EnterAsync(string eventId, LoginProof holderProof, ServiceClient gate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var ticketEvent = await RequireEventAsync(eventId, cancellationToken);
        if (!ticketEvent.GateClients.Contains(gate.ClientId, StringComparer.Ordinal))
        {
            throw new ServiceException(ErrorCodes.GateNotForEvent);
        }

        var holder = await login.IdentifyAsync(holderProof, ChallengeUse.TicketGate(gate.ClientId), ExpiryGrace.None, cancellationToken);
        var ticket = (holder.MyKeyId is null ? null : await store.FindTicketAsync(ticketEvent.EventId, holder.MyKeyId, cancellationToken))
            ?? throw new ServiceException(ErrorCodes.NoTicket);
        var now = timeProvider.GetUtcNow();
        if (ticket.EnteredAt is not null || !await store.TryEnterAsync(ticketEvent.EventId, holder.MyKeyId!, now, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.AlreadyEntered);
        }

        logger.LogInformation("Ticket {TicketId} of event {EventId} entered", ticket.TicketId, ticket.EventId);
        return new EntryResponse(ticket.TicketId, ticket.Seat, Receipt(ticketEvent, ticket, now), now);
    }

    /// <summary>The seat receipt: event, start, seat, entry time (JST) and ticket id; no personal data.</summary>
    public static string Receipt(TicketEvent ticketEvent, Ticket ticket, DateTimeOffset enteredAt)
    {
        ArgumentNullException.ThrowIfNull(ticketEvent);
        ArgumentNullException.ThrowIfNull(ticket);
        static string Jst(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Japan).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return string.Join('\n',
            "席番レシート",
            ticketEvent.Name,
            "開演 " + Jst(ticketEvent.StartsAt),
            "座席 " + ticket.Seat,
            "入場 " + Jst(enteredAt),
            "チケット " + ticket.TicketId);
    }

    private async Task<TicketEvent> RequireEventAsync(string eventId, CancellationToken cancellationToken) =>
        RequestFields.IsId(eventId) && await store.FindEventAsync(eventId, cancellationToken) is { } found
            ? found
            : throw new ServiceException(ErrorCodes.TicketEventNotFound);

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,16}\z")]
    private static partial Regex SeatFormat();
}
