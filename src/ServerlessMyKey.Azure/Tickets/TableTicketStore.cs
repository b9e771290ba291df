using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Tickets;

namespace ServerlessMyKey.Azure.Tickets;

/// <summary>
/// Events in Table Storage, one partition per event: the event row (<c>event</c>), a row per seat
/// (<c>seat:&lt;label&gt;</c>, <c>Free</c>) and a row per holder (<c>holder:&lt;MyKey ID&gt;</c>,
/// the ticket). A purchase is one entity-group transaction of the holder row (insert: one ticket
/// per MyKey ID) and the seat row (ETag: one ticket per seat). The event row is inserted first as
/// <c>creating</c> (so a concurrent creation with the same id loses) and opened after the seats.
/// </summary>
internal sealed class TableTicketStore(LazyTable table) : ITicketStore
{
    private const string EventRow = "event";
    private const string SeatPrefix = "seat:";
    private const string HolderPrefix = "holder:";

    public async Task<bool> CreateEventAsync(TicketEvent ticketEvent, IReadOnlyList<string> seats, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketEvent);
        ArgumentNullException.ThrowIfNull(seats);
        var client = await table.GetAsync(cancellationToken);
        var fingerprint = Fingerprint(ticketEvent, seats);
        var row = new TableEntity(ticketEvent.EventId, EventRow)
        {
            ["Name"] = ticketEvent.Name,
            ["StartsAt"] = ticketEvent.StartsAt,
            ["SeatCount"] = ticketEvent.SeatCount,
            ["GateClients"] = string.Join('\n', ticketEvent.GateClients),
            ["Fingerprint"] = fingerprint,
            ["Open"] = false,
        };
        if (!await TableRows.TryAddAsync(client, row, cancellationToken))
        {
            // Only a retry of the same creation, not yet open, may finish it.
            var existing = await client.GetEntityAsync<TableEntity>(ticketEvent.EventId, EventRow, cancellationToken: cancellationToken);
            if (existing.Value.GetBoolean("Open") == true || existing.Value.GetString("Fingerprint") != fingerprint)
            {
                return false;
            }
        }

        foreach (var chunk in seats.Chunk(TableLimits.MaxTransactionActions))
        {
            var actions = chunk.Select(seat => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace,
                new TableEntity(ticketEvent.EventId, SeatPrefix + seat) { ["Free"] = true })).ToList();
            TableLimits.EnsureTransaction(actions);
            await client.SubmitTransactionAsync(actions, cancellationToken);
        }

        row["Open"] = true;
        await client.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return true;
    }

    public async Task<TicketEvent?> FindEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(eventId, EventRow, cancellationToken: cancellationToken);
        return found.HasValue && found.Value is { } e && e.GetBoolean("Open") == true
            ? new TicketEvent(eventId, e.GetString("Name"), e.GetDateTimeOffset("StartsAt") ?? DateTimeOffset.MinValue, e.GetInt32("SeatCount") ?? 0,
                (e.GetString("GateClients") ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            : null;
    }

    public async Task<Ticket?> FindTicketAsync(string eventId, string myKeyId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(eventId, HolderPrefix + myKeyId, cancellationToken: cancellationToken);
        return found.HasValue && found.Value is { } e
            ? new Ticket(e.GetString("TicketId"), eventId, e.GetString("Seat"), e.GetDateTimeOffset("PurchasedAt") ?? DateTimeOffset.MinValue, e.GetDateTimeOffset("EnteredAt"), e.GetString("PurchaseKeyHash"))
            : null;
    }

    public async Task<IReadOnlyList<string>> FreeSeatsAsync(string eventId, int limit, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {SeatPrefix} and RowKey lt {"seat;"} and Free eq true");
        var seats = new List<string>(limit);
        await foreach (var page in client.QueryAsync<TableEntity>(filter, maxPerPage: limit, select: ["RowKey"], cancellationToken: cancellationToken).AsPages())
        {
            seats.AddRange(page.Values.Select(e => e.RowKey[SeatPrefix.Length..]));
            break;
        }

        return seats;
    }

    public async Task<TicketPurchaseOutcome> TryPurchaseAsync(Ticket ticket, string myKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var client = await table.GetAsync(cancellationToken);
        var seat = await client.GetEntityIfExistsAsync<TableEntity>(ticket.EventId, SeatPrefix + ticket.Seat, cancellationToken: cancellationToken);
        if (!seat.HasValue || seat.Value is not { } seatRow || seatRow.GetBoolean("Free") != true)
        {
            return TicketPurchaseOutcome.SeatTaken;
        }

        seatRow["Free"] = false;
        seatRow["TicketId"] = ticket.TicketId;
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(ticket.EventId, HolderPrefix + myKeyId)
            {
                ["TicketId"] = ticket.TicketId,
                ["Seat"] = ticket.Seat,
                ["PurchasedAt"] = ticket.PurchasedAt,
                ["PurchaseKeyHash"] = ticket.PurchaseKeyHash,
            }),
            new(TableTransactionActionType.UpdateReplace, seatRow, seatRow.ETag),
        };
        if (await TableTransactions.TrySubmitAsync(client, actions, cancellationToken))
        {
            return TicketPurchaseOutcome.Purchased;
        }

        // Which of the two lost: the holder row exists (another purchase of this person won) or the seat went.
        return await FindTicketAsync(ticket.EventId, myKeyId, cancellationToken) is not null ? TicketPurchaseOutcome.AlreadyHolds : TicketPurchaseOutcome.SeatTaken;
    }

    public async Task<bool> TryEnterAsync(string eventId, string myKeyId, DateTimeOffset enteredAt, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(eventId, HolderPrefix + myKeyId, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } entity || entity.GetDateTimeOffset("EnteredAt") is not null)
        {
            return false;
        }

        entity["EnteredAt"] = enteredAt;
        return await TableRows.TryReplaceAsync(client, entity, cancellationToken);
    }

    private static string Fingerprint(TicketEvent ticketEvent, IReadOnlyList<string> seats) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            ticketEvent.Name + "\n" + ticketEvent.StartsAt.ToUnixTimeMilliseconds() + "\n" + string.Join(',', ticketEvent.GateClients) + "\n" + string.Join('\n', seats))));
}
