using System.Net;
using System.Text.Json;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// Delivery, retries and the poison path, CAP statuses, idempotency, operation-log ingest
/// through the DevHost, in 西興部村 with a district of each test's own (so each alert targets its own TVs).
/// </summary>
public sealed class DisasterDeliveryTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task A_failed_delivery_is_retried_and_a_redirect_is_a_failure()
    {
        var (district, tv) = await OneTvAsync();
        app.Tvs.Statuses.Enqueue(503);
        app.Tvs.Statuses.Enqueue(302);
        var alertId = await AlertAsync(district);
        var status = await app.AlertStatusAsync(alertId, s => s.GetProperty("counts").GetProperty("delivered").GetInt32() == 1, NishiokoppeKey);
        Assert.Equal("delivered", status.GetProperty("status").GetString());
        var deliveries = app.Tvs.Received.Where(r => JsonOf(r.Body).GetProperty("tvId").GetString() == tv).ToList();
        Assert.Equal(3, deliveries.Count);
        Assert.Single(deliveries.Select(d => JsonOf(d.Body).GetProperty("text").GetString()).Distinct());
    }

    [Fact]
    public async Task A_tv_that_logs_the_display_before_the_delivery_is_answered_still_counts_as_delivered()
    {
        var (district, tv) = await OneTvAsync();
        app.Tvs.BeforeAnswer = async received =>
        {
            var message = JsonOf(received.Body);
            if (message.GetProperty("tvId").GetString() == tv)
            {
                using var logged = await app.PostEventsAsync(new { events = new[] { Event(tv, "alert_displayed", DateTimeOffset.UtcNow, message.GetProperty("alertId").GetString()) } });
                Assert.Equal(HttpStatusCode.Accepted, logged.StatusCode);
            }
        };
        try
        {
            var alertId = await AlertAsync(district);
            var status = await app.AlertStatusAsync(alertId, s => s.GetProperty("counts").GetProperty("delivered").GetInt32() == 1, NishiokoppeKey);
            Assert.Equal(("delivered", 1), (status.GetProperty("status").GetString(), status.GetProperty("counts").GetProperty("displayed").GetInt32()));
        }
        finally
        {
            app.Tvs.BeforeAnswer = null;
        }
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_visible_as_failed_with_its_last_error()
    {
        var (district, tv) = await OneTvAsync();
        foreach (var code in new[] { 500, 500, 500 })
        {
            app.Tvs.Statuses.Enqueue(code);
        }

        var alertId = await AlertAsync(district);
        var status = await app.AlertStatusAsync(alertId, s => s.GetProperty("counts").GetProperty("failed").GetInt32() == 1, NishiokoppeKey);
        var failure = Assert.Single(status.GetProperty("failures").EnumerateArray());
        Assert.Equal((tv, Platform, 3, "http_500"), (failure.GetProperty("tvId").GetString(), failure.GetProperty("platformId").GetString(), failure.GetProperty("attempts").GetInt32(), failure.GetProperty("lastError").GetString()));
        Assert.Equal("delivered", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_exercise_is_delivered_as_a_drill()
    {
        var (district, tv) = await OneTvAsync();
        var alertId = await AlertAsync(district, "Exercise");
        var message = Assert.Single(await app.TvMessagesAsync(alertId, 1));
        Assert.True(message.GetProperty("exercise").GetBoolean());
        Assert.StartsWith("【訓練】西興部　太郎さん、すぐ避難してください。", message.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(tv, message.GetProperty("tvId").GetString());
    }

    [Theory]
    [InlineData("Test")]
    [InlineData("System")]
    [InlineData("Draft")]
    public async Task Test_system_and_draft_alerts_are_stored_not_delivered(string capStatus)
    {
        // No TV needed: an Actual alert to this district would answer "delivering" (with 0 targets), not "stored".
        var district = "s-" + Guid.NewGuid().ToString("N")[..12];
        using var response = await app.PostAlertAsync(Order(district, capStatus), NishiokoppeKey);
        var accepted = await ResponseAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal(("stored", 0), (accepted.GetProperty("status").GetString(), accepted.GetProperty("targets").GetInt32()));
        var status = await app.AlertStatusAsync(accepted.GetProperty("alertId").GetString()!, _ => true, NishiokoppeKey);
        Assert.Equal((capStatus, "stored"), (status.GetProperty("capStatus").GetString(), status.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_oasis_examples_are_stored_targeting_no_tv()
    {
        foreach (var sample in CapSamples.OasisExamples.Where(s => !s.Contains("<msgType>Update", StringComparison.Ordinal)))
        {
            using var response = await app.PostAlertAsync(sample, NishiokoppeKey);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                continue; // stored by an earlier run on the same storage account
            }

            var accepted = await ResponseAssert.JsonAsync(response, HttpStatusCode.Accepted);
            Assert.Equal(("stored", 0), (accepted.GetProperty("status").GetString(), accepted.GetProperty("targets").GetInt32()));
        }
    }

    [Fact]
    public async Task The_same_idempotency_key_answers_the_first_answer_and_another_body_is_refused()
    {
        var district = "i-" + Guid.NewGuid().ToString("N")[..12];
        var key = "idem-" + district;
        var cap = Order(district);
        using var first = await app.PostAlertAsync(cap, NishiokoppeKey, key);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var replay = await app.PostAlertAsync(cap, NishiokoppeKey, key);
        Assert.Equal((HttpStatusCode.Accepted, firstBody), (replay.StatusCode, await replay.Content.ReadAsStringAsync()));
        using var other = await app.PostAlertAsync(Order(district, level: 5), NishiokoppeKey, key);
        await ProblemAssert.ExactAsync(other, HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        using var again = await app.PostAlertAsync(cap, NishiokoppeKey);
        await ProblemAssert.ExactAsync(again, HttpStatusCode.Conflict, "already_exists");
    }

    [Fact]
    public async Task An_alert_that_expired_before_it_arrived_is_stored_not_delivered()
    {
        var district = "x-" + Guid.NewGuid().ToString("N")[..12];
        var cap = CapSamples.EvacuationOrder("NISHIOKOPPE-" + district, DateTimeOffset.UtcNow.AddHours(-2), districtCode: district, municipalityCode: Nishiokoppe, lifetime: TimeSpan.FromHours(1));
        using var response = await app.PostAlertAsync(cap, NishiokoppeKey);
        var accepted = await ResponseAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal(("expired", 0), (accepted.GetProperty("status").GetString(), accepted.GetProperty("targets").GetInt32()));
    }

    [Fact]
    public async Task A_card_holder_without_a_tv_cannot_check_in()
    {
        var stranger = await app.NewCitizenAsync();
        using var response = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hall-1/checkins", apiKey: ShelterKey, bearerFor: stranger);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.NotFound, "resident_not_registered");
        using var noTerminal = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hall-1/checkins", apiKey: NishiokoppeKey, bearerFor: stranger);
        await ProblemAssert.ExactAsync(noTerminal, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_token_issued_for_the_terminal_is_no_residents_own_bearer_at_check_in()
    {
        var (_, card) = await app.NewCardholderAsync(new ServerlessMyKey.Cli.Pki.CardHolder("美波　四郎", "徳島県海部郡美波町奥河内寺前1", new DateOnly(1950, 6, 6), "male"));
        var bound = (await new ServerlessMyKey.Cli.MyKeyApiClient(app.Http).LoginAsync(card, "minami-shelter")).GetProperty("accessToken").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/disaster/shelters/hall-1/checkins");
        request.Headers.Add("x-api-key", ShelterKey);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bound);

        await ProblemAssert.ExactAsync(await app.Http.SendAsync(request), HttpStatusCode.Unauthorized, "token_client_mismatch");
    }

    [Fact]
    public async Task The_terminal_checks_in_with_the_cards_proof_which_opens_no_session()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(new ServerlessMyKey.Cli.Pki.CardHolder("美波　三郎", "徳島県海部郡美波町奥河内寺前1", new DateOnly(1950, 5, 5), "male"));
        var (_, residentId) = await app.PairAsync("shelter-" + Guid.NewGuid().ToString("N")[..12], "美波　三郎", "ミナミ　サブロウ", Nishiokoppe, "x-" + Guid.NewGuid().ToString("N")[..12], myKeyId: myKeyId); // a district of its own: no other test's alert targets it
        var api = new ServerlessMyKey.Cli.MyKeyApiClient(app.Http);

        using var checkin = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hall-1/checkins", await api.ReaderProofAsync(card, "shelter_checkin", ShelterKey), apiKey: ShelterKey);
        Assert.Equal(residentId, (await ResponseAssert.JsonAsync(checkin, HttpStatusCode.Created)).GetProperty("residentId").GetString());

        var proof = await api.ReaderProofAsync(card, "shelter_checkin", ShelterKey);
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "/api/auth/sessions", proof), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        var (challengeId, challenge) = await api.CreateChallengeAsync();
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hall-1/checkins", ServerlessMyKey.Cli.MyKeyApiClient.LoginBody(card, challengeId, challenge), apiKey: ShelterKey),
            HttpStatusCode.Conflict, "challenge_purpose_mismatch");
    }

    [Fact]
    public async Task Malformed_cap_is_invalid_cap_naming_the_element()
    {
        using var response = await app.PostAlertAsync(Order("d").Replace("<urgency>Immediate</urgency>", "<urgency>Soon</urgency>", StringComparison.Ordinal), NishiokoppeKey);
        var problem = await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_cap");
        Assert.Contains("alert/info[1]/urgency", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_is_not_a_cap_alert()
    {
        using var response = await app.PostAlertAsync("{}", NishiokoppeKey, contentType: "application/json");
        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Staff_of_another_municipality_may_not_alert_it()
    {
        using var response = await app.PostAlertAsync(Order("d"), MinamiKey);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_cancel_of_an_unknown_alert_is_refused()
    {
        using var response = await app.PostAlertAsync(CapSamples.Cancel("X-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "NEVER-SENT", DateTimeOffset.UtcNow.AddHours(-1)), MinamiKey);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "referenced_alert_not_found");
    }

    [Fact]
    public async Task Events_are_idempotent_per_event_id_in_batches_of_a_thousand()
    {
        var (_, tv) = await OneTvAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-20);
        var events = Enumerable.Range(0, 1000).Select(i => Event(tv, "channel", start.AddMinutes(i), channel: "0" + (i % 12))).ToArray();
        using (var first = await app.PostEventsAsync(new { events }))
        {
            var body = await ResponseAssert.JsonAsync(first, HttpStatusCode.Accepted);
            Assert.Equal((1000, 0), (body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()));
        }

        using var second = await app.PostEventsAsync(new { events = events.Take(10).Append(Event("never-paired-" + tv, "power_on", start)).ToArray() });
        var again = await ResponseAssert.JsonAsync(second, HttpStatusCode.Accepted);
        Assert.Equal((0, 10, 1), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32(), again.GetProperty("unknownTvs").GetInt32()));
    }

    [Fact]
    public async Task An_event_id_sent_again_with_another_day_is_a_duplicate()
    {
        var (_, tv) = await OneTvAsync();
        var eventId = "ev-" + Guid.NewGuid().ToString("N");
        using (var first = await app.PostEventsAsync(new { events = new[] { new { eventId, tvId = tv, type = "button", at = DateTimeOffset.UtcNow.AddDays(-2) } } }))
        {
            Assert.Equal(1, (await ResponseAssert.JsonAsync(first, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
        }

        using var again = await app.PostEventsAsync(new { events = new[] { new { eventId, tvId = tv, type = "button", at = DateTimeOffset.UtcNow.AddMinutes(-1) } } });
        var body = await ResponseAssert.JsonAsync(again, HttpStatusCode.Accepted);
        Assert.Equal((0, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()));
    }

    [Fact]
    public async Task The_same_event_id_of_two_tvs_in_one_request_is_stored_for_each()
    {
        // An event id is stored once per TV (whatever the request): one request must not drop the second TV's event.
        var (_, tv1) = await OneTvAsync();
        var (_, tv2) = await OneTvAsync();
        var eventId = "ev-" + Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var posted = await app.PostEventsAsync(new { events = new[] { new { eventId, tvId = tv1, type = "button", at }, new { eventId, tvId = tv2, type = "button", at } } });
        var body = await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal((2, 0), (body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()));
    }

    [Fact]
    public async Task More_than_a_thousand_events_are_refused()
    {
        var events = Enumerable.Range(0, 1001).Select(_ => Event("tv", "button", DateTimeOffset.UtcNow)).ToArray();
        using var response = await app.PostEventsAsync(new { events });
        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Events_signed_with_another_secret_are_unauthenticated()
    {
        using var response = await app.PostEventsAsync(new { events = new[] { Event("tv", "button", DateTimeOffset.UtcNow) } }, secret: "another-secret-0123456789abcdef");
        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_pairing_code_is_single_use()
    {
        var tv = "pair-" + Guid.NewGuid().ToString("N")[..10];
        await app.PairAsync(tv, "西興部　太郎", "ニシオコッペ　タロウ", Nishiokoppe, "p-" + tv);
        using var pairing = await app.SendAsync(HttpMethod.Post, "/api/tv/pairings", new { tvId = tv + "-b" }, PlatformKey);
        var code = (await ResponseAssert.JsonAsync(pairing, HttpStatusCode.Created)).GetProperty("pairingCode").GetString()!;
        var claim = new { resident = new { displayName = "甲", furigana = "コウ", municipalityCode = Nishiokoppe, districtCode = "p" }, consent = new { watching = false } };
        var first = await app.NewCitizenAsync();
        var second = await app.NewCitizenAsync();
        using (var claimed = await app.SendAsync(HttpMethod.Post, $"/api/tv/pairings/{code}/claim", claim, bearerFor: first))
        {
            await ResponseAssert.JsonAsync(claimed, HttpStatusCode.Created);
        }

        using var reused = await app.SendAsync(HttpMethod.Post, $"/api/tv/pairings/{code}/claim", claim, bearerFor: second);
        await ProblemAssert.ExactAsync(reused, HttpStatusCode.Conflict, "pairing_already_used");
        using var unknown = await app.SendAsync(HttpMethod.Post, "/api/tv/pairings/ZZZZZZZZ/claim", claim, bearerFor: second);
        await ProblemAssert.ExactAsync(unknown, HttpStatusCode.NotFound, "pairing_not_found");
    }

    [Fact]
    public async Task Unlinking_a_tv_removes_it_from_the_residents_registrations_and_from_alerts()
    {
        var (district, tv) = await OneTvAsync();
        var owner = app.LastMyKeyId!;
        using (var list = await app.SendAsync(HttpMethod.Get, "/api/tv/registrations", bearerFor: owner))
        {
            Assert.Equal([tv], (await ResponseAssert.JsonAsync(list, HttpStatusCode.OK)).GetProperty("registrations").EnumerateArray().Select(r => r.GetProperty("tvId").GetString()));
        }

        using (var unlinked = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{tv}", bearerFor: owner))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        }

        using (var gone = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{tv}", bearerFor: owner))
        {
            await ProblemAssert.ExactAsync(gone, HttpStatusCode.NotFound, "tv_not_registered");
        }

        using var response = await app.PostAlertAsync(Order(district), NishiokoppeKey);
        Assert.Equal(0, (await ResponseAssert.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("targets").GetInt32());
    }

    private async Task<(string District, string TvId)> OneTvAsync()
    {
        var district = "t-" + Guid.NewGuid().ToString("N")[..12];
        var tv = district + "-tv";
        var (myKeyId, _) = await app.PairAsync(tv, "西興部　太郎", "ニシオコッペ　タロウ", Nishiokoppe, district);
        app.LastMyKeyId = myKeyId;
        return (district, tv);
    }

    private async Task<string> AlertAsync(string district, string status = "Actual")
    {
        using var response = await app.PostAlertAsync(Order(district, status), NishiokoppeKey);
        var accepted = await ResponseAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal(1, accepted.GetProperty("targets").GetInt32());
        return accepted.GetProperty("alertId").GetString()!;
    }

    private static string Order(string district, string status = "Actual", int level = 4) =>
        CapSamples.EvacuationOrder("NISHIOKOPPE-" + district, new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero).AddMinutes(level), status, level, district, Nishiokoppe, TimeSpan.FromDays(3650));
}
