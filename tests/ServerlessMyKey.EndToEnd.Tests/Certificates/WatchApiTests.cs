using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Certificates;

/// <summary>
/// <c>/api/certificates/watches</c> through the DevHost: a watched card is revoked with the development
/// PKI, the DevHost reloads its CRL, the re-check timer and the queue trigger run, and the insurer's
/// loopback webhook receives the signed <c>certificate.revoked</c>. Then one broken thing per test.
/// </summary>
public sealed class WatchApiTests(WatchApiFixture app) : IClassFixture<WatchApiFixture>
{
    private const string Route = "/api/certificates/watches";
    private static readonly CardHolder Holder = new("山田\u3000花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female");

    [Fact]
    public async Task A_revoked_watched_certificate_reaches_the_clients_webhook_signed()
    {
        var card = app.Pki.IssueCard(Holder);
        using var created = await app.SendAsync(HttpMethod.Post, Route, Body(card.SigningCertificate.RawData), WatchApiFixture.InsurerKey, idempotencyKey: "watch-" + card.Id);
        var watch = (await ResponseAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("watches")[0];
        var watchId = watch.GetProperty("watchId").GetString()!;
        Assert.Equal(("active", "good"), (watch.GetProperty("state").GetString(), watch.GetProperty("status").GetString()));

        app.Pki.Revoke(card, CardCertificates.Signing, X509RevocationReason.KeyCompromise);

        // The DevHost reloads CRLs within 5 s; the timer runs every 5 s.
        var deliveries = await Eventually.WaitForAsync(() => app.Receiver.Received.Where(r => r.Path == "/hooks/insurer" && Json(r.Body).GetProperty("watchId").GetString() == watchId).ToList(), TimeSpan.FromSeconds(60));
        var events = deliveries.Select(d => Json(d.Body).GetProperty("eventId").GetString()).Distinct().ToList();
        Assert.Equal([watchId + ":certificate.revoked"], events);
        foreach (var delivery in deliveries)
        {
            AssertSigned(delivery.Signature, delivery.Body);
            var body = Json(delivery.Body);
            Assert.Equal("certificate.revoked", body.GetProperty("event").GetString());
            Assert.Equal(card.SigningCertificate.SerialNumber, body.GetProperty("serialNumber").GetString());
            Assert.Equal(card.SigningCertificate.IssuerName.Name, body.GetProperty("issuer").GetString());
            Assert.Equal("keyCompromise", body.GetProperty("reason").GetString());
            Assert.True(body.TryGetProperty("revokedAt", out _));
            Assert.DoesNotContain("山田", Encoding.UTF8.GetString(delivery.Body), StringComparison.Ordinal);
        }

        // Told once: the watch says so, is no longer checked, and the next runs send nothing more.
        var told = JsonDocument.Parse(await Eventually.WaitForAsync(async () =>
        {
            using var response = await app.SendAsync(HttpMethod.Get, $"{Route}/{watchId}", apiKey: WatchApiFixture.InsurerKey);
            var view = await ResponseAssert.JsonAsync(response, HttpStatusCode.OK);
            return view.TryGetProperty("notifiedAt", out _) ? view.GetRawText() : null;
        }, TimeSpan.FromSeconds(30))).RootElement;
        Assert.Equal(("revoked", "revoked"), (told.GetProperty("state").GetString(), told.GetProperty("status").GetString()));
        var count = deliveries.Count;
        await WaitForTwoMoreRunsAsync();
        Assert.Equal(count, app.Receiver.Received.Count(r => r.Path == "/hooks/insurer" && Json(r.Body).GetProperty("watchId").GetString() == watchId));

        // The same Idempotency-Key and body replay the first answer.
        using var replay = await app.SendAsync(HttpMethod.Post, Route, Body(card.SigningCertificate.RawData), WatchApiFixture.InsurerKey, idempotencyKey: "watch-" + card.Id);
        Assert.Equal(watchId, (await ResponseAssert.JsonAsync(replay, HttpStatusCode.Created)).GetProperty("watches")[0].GetProperty("watchId").GetString());
    }

    [Fact]
    public async Task Watches_are_listed_and_deleted_by_their_client_only()
    {
        var card = app.Pki.IssueCard(Holder);
        using var created = await app.SendAsync(HttpMethod.Post, Route, Body(card.AuthenticationCertificate.RawData), WatchApiFixture.InsurerKey);
        var watchId = (await ResponseAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("watches")[0].GetProperty("watchId").GetString()!;

        using var listed = await app.SendAsync(HttpMethod.Get, Route + "?limit=200", apiKey: WatchApiFixture.InsurerKey);
        Assert.Contains(watchId, (await ResponseAssert.JsonAsync(listed, HttpStatusCode.OK)).GetProperty("watches").EnumerateArray().Select(w => w.GetProperty("watchId").GetString()));
        using var foreignList = await app.SendAsync(HttpMethod.Get, Route, apiKey: WatchApiFixture.OtherInsurerKey);
        Assert.DoesNotContain(watchId, (await ResponseAssert.JsonAsync(foreignList, HttpStatusCode.OK)).GetProperty("watches").EnumerateArray().Select(w => w.GetProperty("watchId").GetString()));

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"{Route}/{watchId}", apiKey: WatchApiFixture.OtherInsurerKey), HttpStatusCode.NotFound, "watch_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Delete, $"{Route}/{watchId}", apiKey: WatchApiFixture.OtherInsurerKey), HttpStatusCode.NotFound, "watch_not_found");

        using var deleted = await app.SendAsync(HttpMethod.Delete, $"{Route}/{watchId}", apiKey: WatchApiFixture.InsurerKey);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"{Route}/{watchId}", apiKey: WatchApiFixture.InsurerKey), HttpStatusCode.NotFound, "watch_not_found");
    }

    [Fact]
    public async Task No_api_key_is_401() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, Body([0x30, 0x00])), HttpStatusCode.Unauthorized, "unauthenticated");

    [Fact]
    public async Task No_role_is_403() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, Route, apiKey: WatchApiFixture.NoRoleKey), HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task No_webhook_is_409() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, Body(app.Pki.IssueCard(Holder).SigningCertificate.RawData), WatchApiFixture.NoWebhookKey), HttpStatusCode.Conflict, "webhook_not_configured");

    [Fact]
    public async Task Bad_base64_is_400() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, new { certificates = new[] { "***" } }, WatchApiFixture.InsurerKey), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task Not_a_certificate_is_400() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, Body([0x30, 0x00]), WatchApiFixture.InsurerKey), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task More_than_500_certificates_is_400() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, new { certificates = Enumerable.Repeat("MAA", 501) }, WatchApiFixture.InsurerKey), HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task A_foreign_certificate_is_422()
    {
        var folder = Directory.CreateTempSubdirectory("smk-foreign-pki-").FullName;
        try
        {
            var foreign = DevelopmentPki.LoadOrCreate(folder).IssueCard(Holder);
            await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, Body(foreign.SigningCertificate.RawData), WatchApiFixture.InsurerKey), HttpStatusCode.UnprocessableEntity, "certificate_not_watchable");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_reused_idempotency_key_with_another_body_is_422()
    {
        var card = app.Pki.IssueCard(Holder);
        var key = "reuse-" + card.Id;
        using var first = await app.SendAsync(HttpMethod.Post, Route, Body(card.SigningCertificate.RawData), WatchApiFixture.InsurerKey, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, Route, Body(card.AuthenticationCertificate.RawData), WatchApiFixture.InsurerKey, idempotencyKey: key), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task A_bad_continuation_token_is_400() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, Route + "?continuationToken=bm90LWFuLWlk", apiKey: WatchApiFixture.InsurerKey), HttpStatusCode.BadRequest, "invalid_request");

    /// <summary>
    /// Waits until the re-check timer has demonstrably run twice more: a still-active watch of the same
    /// client, registered now, gets a new <c>checkedAt</c> on each run that checks it.
    /// </summary>
    private async Task WaitForTwoMoreRunsAsync()
    {
        using var created = await app.SendAsync(HttpMethod.Post, Route, Body(app.Pki.IssueCard(Holder).SigningCertificate.RawData), WatchApiFixture.InsurerKey);
        var probe = (await ResponseAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("watches")[0];
        var probeId = probe.GetProperty("watchId").GetString()!;
        var checkedAt = probe.GetProperty("checkedAt").GetDateTimeOffset();
        for (var run = 0; run < 2; run++)
        {
            var seen = checkedAt;
            checkedAt = (DateTimeOffset)await Eventually.WaitForAsync(async () =>
            {
                using var response = await app.SendAsync(HttpMethod.Get, $"{Route}/{probeId}", apiKey: WatchApiFixture.InsurerKey);
                var view = await ResponseAssert.JsonAsync(response, HttpStatusCode.OK);
                Assert.Equal("active", view.GetProperty("state").GetString());
                var at = view.GetProperty("checkedAt").GetDateTimeOffset();
                return at > seen ? (object)at : null;
            }, TimeSpan.FromSeconds(30));
        }
    }

    private static object Body(params byte[][] certificates) => new { certificates = certificates.Select(Convert.ToBase64String) };

    private static JsonElement Json(byte[] body) => JsonDocument.Parse(body).RootElement;

    private static void AssertSigned(string header, byte[] body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var t = long.Parse(parts["t"], CultureInfo.InvariantCulture);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(WatchApiFixture.Secret), Encoding.ASCII.GetBytes(t + ".").Concat(body).ToArray());
        Assert.Equal(Convert.ToHexStringLower(expected), parts["v1"]);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t, -300, 300);
    }
}
