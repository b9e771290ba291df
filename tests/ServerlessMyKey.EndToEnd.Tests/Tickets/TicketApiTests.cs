using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Auth;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.EndToEnd.Tests.Oidc;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Tickets;

/// <summary>
/// Tickets over the DevHost with real logins: one ticket per MyKey ID per event under concurrent
/// purchases, the last seat to exactly one of many buyers, single entry at the gate with the card.
/// </summary>
public sealed class TicketApiTests(OidcFixture app) : IClassFixture<OidcFixture>
{
    private static readonly CardHolder Holder = new("伊藤　四郎", "愛知県名古屋市中区三の丸3-1-1", new DateOnly(1992, 12, 24), "male");

    private async Task<string> NewEventAsync(int seats)
    {
        var eventId = "ev-" + Guid.NewGuid().ToString("N")[..12];
        using var response = await app.SendAsync(HttpMethod.Post, "api/tickets/events", new
        {
            eventId,
            name = "第九 演奏会",
            startsAt = new DateTimeOffset(2027, 12, 24, 10, 0, 0, TimeSpan.Zero),
            seats = Enumerable.Range(1, seats).Select(i => $"A-{i}").ToArray(),
            gateClients = new[] { TicketKeys.GateClient },
        }, apiKey: TicketKeys.Admin);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return eventId;
    }

    private Task<HttpResponseMessage> PurchaseAsync(string eventId, string myKeyId, string? idempotencyKey = null) =>
        app.SendAsync(HttpMethod.Post, $"api/tickets/events/{eventId}/purchases", bearerFor: myKeyId, idempotencyKey: idempotencyKey);

    private async Task<HttpResponseMessage> EnterAsync(string eventId, VirtualCard card, string gateKey = TicketKeys.Gate) =>
        await app.SendAsync(HttpMethod.Post, $"api/tickets/events/{eventId}/entries", await new MyKeyApiClient(app.Http).ReaderProofAsync(card, "ticket_gate", gateKey), apiKey: gateKey);

    [Fact]
    public async Task Purchase_then_entry_with_the_card_prints_the_seat_receipt_once()
    {
        var eventId = await NewEventAsync(seats: 5);
        var (myKeyId, card) = await app.NewCardholderAsync(Holder);

        using var purchase = await PurchaseAsync(eventId, myKeyId);
        var ticket = await purchase.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);

        using var entry = await EnterAsync(eventId, card);
        var admitted = await entry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(entry.IsSuccessStatusCode, admitted.ToString());
        Assert.Equal(ticket.GetProperty("ticketId").GetString(), admitted.GetProperty("ticketId").GetString());
        Assert.Equal(ticket.GetProperty("seat").GetString(), admitted.GetProperty("seat").GetString());
        var receipt = admitted.GetProperty("receipt").GetString()!;
        Assert.StartsWith("席番レシート\n第九 演奏会\n開演 2027-12-24 19:00\n座席 " + ticket.GetProperty("seat").GetString(), receipt, StringComparison.Ordinal);
        Assert.DoesNotContain(Holder.Name, receipt, StringComparison.Ordinal);

        await ProblemAssert.ExactAsync(await EnterAsync(eventId, card), HttpStatusCode.Conflict, "already_entered");
    }

    [Fact]
    public async Task A_card_without_a_ticket_is_no_ticket_and_a_ticket_is_not_anothers()
    {
        var eventId = await NewEventAsync(seats: 2);
        var (buyer, _) = await app.NewCardholderAsync(Holder);
        var (other, otherCard) = await app.NewCardholderAsync(Holder);
        Assert.Equal(HttpStatusCode.Created, (await PurchaseAsync(eventId, buyer)).StatusCode);

        await ProblemAssert.ExactAsync(await EnterAsync(eventId, otherCard), HttpStatusCode.NotFound, "no_ticket");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/tickets/events/{eventId}/tickets/me", bearerFor: other), HttpStatusCode.NotFound, "no_ticket");
    }

    [Fact]
    public async Task A_card_that_never_logged_in_is_no_ticket_and_gets_no_MyKey_ID()
    {
        var eventId = await NewEventAsync(seats: 2);
        var stranger = app.Pki.IssueCard(Holder);

        await ProblemAssert.ExactAsync(await EnterAsync(eventId, stranger), HttpStatusCode.NotFound, "no_ticket");

        // A gate scan enrols nobody; the card's first real login is what gives it a MyKey ID.
        var certificate = stranger.AuthenticationCertificate;
        var binding = MyKeyIds.CertificateBinding(
            certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span, certificate.SerialNumberBytes.Span);
        var myKeyIds = app.Host.Services.GetRequiredService<MyKeyIds>();
        Assert.Null(await myKeyIds.FindAsync(binding));
        var session = await new MyKeyApiClient(app.Http).LoginAsync(stranger);
        Assert.Equal(session.GetProperty("myKeyId").GetString(), await myKeyIds.FindAsync(binding));
    }

    [Fact]
    public async Task A_gate_of_another_event_is_gate_not_for_event()
    {
        var eventId = await NewEventAsync(seats: 2);
        var (buyer, card) = await app.NewCardholderAsync(Holder);
        Assert.Equal(HttpStatusCode.Created, (await PurchaseAsync(eventId, buyer)).StatusCode);

        await ProblemAssert.ExactAsync(await EnterAsync(eventId, card, TicketKeys.OtherGate), HttpStatusCode.Forbidden, "gate_not_for_event");
        Assert.Equal(HttpStatusCode.OK, (await EnterAsync(eventId, card)).StatusCode);
    }

    [Fact]
    public async Task Events_need_registered_gate_clients()
    {
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/tickets/events", new { eventId = "ev-nogates", name = "x", startsAt = DateTimeOffset.UtcNow, seats = new[] { "B-1" } }, apiKey: TicketKeys.Admin),
            HttpStatusCode.BadRequest, "invalid_request");
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/tickets/events", new { eventId = "ev-badgate", name = "x", startsAt = DateTimeOffset.UtcNow, seats = new[] { "B-1" }, gateClients = new[] { "no-such-client" } }, apiKey: TicketKeys.Admin),
            HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_gate_proof_cannot_open_the_holders_session_and_is_spent_by_trying()
    {
        var eventId = await NewEventAsync(seats: 2);
        var (buyer, card) = await app.NewCardholderAsync(Holder);
        Assert.Equal(HttpStatusCode.Created, (await PurchaseAsync(eventId, buyer)).StatusCode);
        var proof = await new MyKeyApiClient(app.Http).ReaderProofAsync(card, "ticket_gate", TicketKeys.Gate);

        await ProblemAssert.ExactAsync(await app.Http.PostAsJsonAsync("api/auth/sessions", proof), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/tickets/events/{eventId}/entries", proof, apiKey: TicketKeys.Gate), HttpStatusCode.Unauthorized, "challenge_already_used");
    }

    [Fact]
    public async Task A_login_proof_or_another_gates_proof_does_not_admit()
    {
        var eventId = await NewEventAsync(seats: 2);
        var (buyer, card) = await app.NewCardholderAsync(Holder);
        Assert.Equal(HttpStatusCode.Created, (await PurchaseAsync(eventId, buyer)).StatusCode);
        var (challengeId, challenge) = await new MyKeyApiClient(app.Http).CreateChallengeAsync();
        var otherGates = await new MyKeyApiClient(app.Http).ReaderProofAsync(card, "ticket_gate", TicketKeys.OtherGate);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/tickets/events/{eventId}/entries", MyKeyApiClient.LoginBody(card, challengeId, challenge), apiKey: TicketKeys.Gate), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/tickets/events/{eventId}/entries", otherGates, apiKey: TicketKeys.Gate), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
    }

    [Fact]
    public async Task A_purchase_retried_with_its_Idempotency_Key_gets_the_same_ticket()
    {
        var eventId = await NewEventAsync(seats: 5);
        var otherEventId = await NewEventAsync(seats: 5);
        var buyer = await app.NewCitizenAsync();
        var key = Guid.NewGuid().ToString("N");

        using var first = await PurchaseAsync(eventId, buyer, key);
        using var again = await PurchaseAsync(eventId, buyer, key);
        using var otherKey = await PurchaseAsync(eventId, buyer, Guid.NewGuid().ToString("N"));
        using var otherEvent = await PurchaseAsync(otherEventId, buyer, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await ProblemAssert.ExactAsync(otherKey, HttpStatusCode.Conflict, "ticket_limit_reached");
        await ProblemAssert.ExactAsync(otherEvent, (HttpStatusCode)422, "idempotency_key_reused");
    }

    [Fact]
    public async Task An_Idempotency_Key_is_the_buyers_own()
    {
        var eventId = await NewEventAsync(seats: 5);
        var key = Guid.NewGuid().ToString("N");

        using var first = await PurchaseAsync(eventId, await app.NewCitizenAsync(), key);
        using var second = await PurchaseAsync(eventId, await app.NewCitizenAsync(), key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Twenty_concurrent_purchases_by_one_person_give_one_ticket()
    {
        var eventId = await NewEventAsync(seats: 50);
        var buyer = await app.NewCitizenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PurchaseAsync(eventId, buyer)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.ExactAsync(refused, HttpStatusCode.Conflict, "ticket_limit_reached");
        }
    }

    [Fact]
    public async Task Twenty_people_racing_for_the_last_seat_give_it_to_exactly_one()
    {
        var eventId = await NewEventAsync(seats: 3);
        var people = await app.NewCitizensAsync(22);
        foreach (var early in people[..2])
        {
            Assert.Equal(HttpStatusCode.Created, (await PurchaseAsync(eventId, early)).StatusCode);
        }

        var buyers = people[2..];
        Assert.Equal(20, buyers.Distinct().Count());
        var responses = await Task.WhenAll(buyers.Select(b => PurchaseAsync(eventId, b)));

        var sold = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.Single(sold);
        Assert.Equal("A-", (await sold[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seat").GetString()![..2]);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.ExactAsync(refused, HttpStatusCode.Conflict, "sold_out");
        }
    }

    [Fact]
    public async Task Events_need_the_admin_role_and_unique_ids()
    {
        var eventId = await NewEventAsync(seats: 1);

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/tickets/events", new { eventId, name = "x", startsAt = DateTimeOffset.UtcNow, seats = new[] { "B-1" }, gateClients = new[] { TicketKeys.GateClient } }, apiKey: TicketKeys.Admin),
            HttpStatusCode.Conflict, "ticket_event_exists");
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/tickets/events", new { eventId = "other", name = "x", startsAt = DateTimeOffset.UtcNow, seats = new[] { "B-1" } }, apiKey: TicketKeys.Gate),
            HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ExactAsync(await PurchaseAsync("no-such-event", await app.NewCitizenAsync()), HttpStatusCode.NotFound, "ticket_event_not_found");
    }
}
