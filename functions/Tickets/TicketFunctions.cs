using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Tickets;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Tickets;

/// <summary>Ticketless entry (API.md "Relying parties"): events, one ticket per MyKey ID, single entry at the gate with the card.</summary>
public sealed class TicketFunctions(TicketService tickets, ServiceClientAuthenticator clients, ICitizenAuthenticator citizens, ILogger<TicketFunctions> logger)
{
    private const string Tag = "Tickets";

    [Function("TicketCreateEvent")]
    [ApiOperation(Tag, "Creates an event with its seats and its gates (gateClients: the tickets.gate client ids that may admit to it).", Caller = ApiCaller.ServiceClient, Role = TicketRoles.Admin,
        RequestBody = typeof(CreateTicketEventRequest), Responses = [201, 400, 401, 403, 409])]
    public Task<IActionResult> CreateEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/events")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            clients.RequireServiceClient(request, TicketRoles.Admin);
            var body = await RequestBody.ReadJsonAsync<CreateTicketEventRequest>(request, cancellationToken);
            return ApiJson.Created(await tickets.CreateEventAsync(body, cancellationToken));
        });

    [Function("TicketPurchase")]
    [ApiOperation(Tag, "The logged-in buyer buys a ticket: one per MyKey ID per event, bound to the buyer (no transfer).", Caller = ApiCaller.Citizen,
        Idempotent = true, Responses = [201, 401, 404, 409, 422])]
    public Task<IActionResult> Purchase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/events/{eventId}/purchases")] HttpRequest request,
        string eventId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var buyer = await citizens.RequireCitizenAsync(request, cancellationToken);
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken); // none is needed; a malformed one is still 400
            return ApiJson.Created(await tickets.PurchaseAsync(eventId, buyer, StoredResponseResult.IdempotencyKeyOf(request), cancellationToken));
        });

    [Function("TicketGetMine")]
    [ApiOperation(Tag, "The logged-in holder's ticket for the event.", Caller = ApiCaller.Citizen, Responses = [200, 401, 404])]
    public Task<IActionResult> GetMine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tickets/events/{eventId}/tickets/me")] HttpRequest request,
        string eventId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var holder = await citizens.RequireCitizenAsync(request, cancellationToken);
            return ApiJson.Ok(await tickets.GetTicketAsync(eventId, holder, cancellationToken));
        });

    [Function("TicketEnter")]
    [ApiOperation(Tag, "At the gate (one of the event's gateClients, else 403 gate_not_for_event): the holder's login proof over a ticket_gate challenge this gate asked for admits once and gives the seat receipt (席番レシート).",
        Caller = ApiCaller.ServiceClient, Role = TicketRoles.Gate, RequestBody = typeof(LoginProof), Responses = [200, 400, 401, 403, 404, 409])]
    public Task<IActionResult> Enter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/events/{eventId}/entries")] HttpRequest request,
        string eventId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var gate = clients.RequireServiceClient(request, TicketRoles.Gate);
            var proof = await RequestBody.ReadJsonAsync<LoginProof>(request, cancellationToken);
            return ApiJson.Ok(await tickets.EnterAsync(eventId, proof, gate, cancellationToken));
        });
}
