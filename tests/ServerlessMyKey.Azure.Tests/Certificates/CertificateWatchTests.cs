using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary>
/// Watches on real Azurite with real certificates and CRLs: registration, the re-check's transitions
/// (revoked → one signed webhook, retried until a 2xx; expired → no more checks; no revocation data →
/// unchanged), and that clients only ever reach their own watches.
/// </summary>
public sealed class CertificateWatchTests : IAsyncLifetime
{
    private WatchHarness _h = null!;

    public async Task InitializeAsync() => _h = await WatchHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Registering_answers_the_current_status_and_the_same_certificate_keeps_its_watch()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var first = await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData, card.AuthenticationCertificate.RawData);
        Assert.Equal(2, first.Watches.Count);
        Assert.All(first.Watches, w => Assert.Equal(("active", "good"), (w.State, w.Status)));
        Assert.Equal(card.SigningCertificate.SerialNumber, first.Watches[0].SerialNumber);
        Assert.Equal("signing", first.Watches[0].Kind);
        Assert.Contains("JPKI", first.Watches[0].Issuer, StringComparison.Ordinal);

        var again = await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData);
        Assert.Equal(first.Watches[0].WatchId, again.Watches[0].WatchId);
        var listed = await _h.Watches.ListAsync(WatchHarness.Client(WatchHarness.Insurer), null, null);
        Assert.Equal(2, listed.Watches.Count);
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_answer_and_refuses_another_body()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var request = new WatchRegistrationRequest([Convert.ToBase64String(card.SigningCertificate.RawData)]);
        var caller = WatchHarness.Client(WatchHarness.Insurer);
        var first = await _h.Watches.RegisterAsync(request, "key-1", caller);
        var replay = await _h.Watches.RegisterAsync(request, "key-1", caller);
        Assert.Equal(first.Body, replay.Body);

        var other = new WatchRegistrationRequest([Convert.ToBase64String(card.AuthenticationCertificate.RawData)]);
        var error = await Assert.ThrowsAsync<ServiceException>(() => _h.Watches.RegisterAsync(other, "key-1", caller));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, error.Error);
    }

    [Fact]
    public async Task A_revoked_certificate_is_told_once_with_a_signed_body_without_personal_data_after_a_failed_delivery()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var watchId = (await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData)).Watches[0].WatchId;
        _h.Pki.Revoke(card, CardCertificates.Signing, X509RevocationReason.AffiliationChanged);
        await _h.RefreshCrlsAsync();
        _h.Receiver.Statuses.Enqueue(503);

        await _h.Rechecks.StartRunAsync();
        Assert.Equal(1, await _h.DrainAsync()); // the receiver's 503: the notification stays queued
        var pending = await _h.Store.FindAsync(WatchHarness.Insurer, watchId);
        Assert.Equal((WatchState.Revoked, true, null), (pending!.State, pending.NotificationPending, pending.NotifiedAt));

        // The failed message is delivered again once its visibility timeout ends: wait until a peek sees it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await _h.Queue.PeekMessagesAsync(1)).Value.Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The failed notification did not become visible again.");
            await Task.Delay(100);
        }

        Assert.Equal(0, await _h.DrainAsync());
        var told = await _h.Store.FindAsync(WatchHarness.Insurer, watchId);
        Assert.False(told!.NotificationPending);
        Assert.NotNull(told.NotifiedAt);

        // Another run neither checks nor tells it again.
        await _h.Rechecks.StartRunAsync();
        await _h.DrainAsync();
        var deliveries = _h.Receiver.Received.ToList();
        Assert.Equal(2, deliveries.Count);
        var delivered = deliveries[^1];
        Assert.Equal("/hooks/a", delivered.Path);
        AssertSigned(delivered, WatchHarness.Secret);

        var body = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("certificate.revoked", body.GetProperty("event").GetString());
        Assert.Equal(watchId + ":certificate.revoked", body.GetProperty("eventId").GetString());
        Assert.Equal(watchId, body.GetProperty("watchId").GetString());
        Assert.Equal(card.SigningCertificate.SerialNumber, body.GetProperty("serialNumber").GetString());
        Assert.Equal(card.SigningCertificate.IssuerName.Name, body.GetProperty("issuer").GetString());
        Assert.Equal("affiliationChanged", body.GetProperty("reason").GetString());
        Assert.True(body.TryGetProperty("revokedAt", out _));
        var text = Encoding.UTF8.GetString(delivered.Body);
        Assert.DoesNotContain("山田", text, StringComparison.Ordinal);
        Assert.DoesNotContain("千代田", text, StringComparison.Ordinal);
        Assert.DoesNotContain(card.SigningCertificate.Subject, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_is_marked_expired_and_no_longer_checked()
    {
        var now = _h.Clock.GetUtcNow();
        var card = _h.Pki.IssueCard(WatchHarness.Holder, validTo: now.AddHours(1));
        var watchId = (await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData)).Watches[0].WatchId;
        _h.Clock.Advance(TimeSpan.FromDays(1));

        var report = await _h.Rechecks.CheckPageAsync(WatchHarness.Insurer, watchId[0], null);
        Assert.Equal((1, 1, 0), (report.Watches, report.Expired, report.Owed));
        Assert.Equal(WatchState.Expired, (await _h.Store.FindAsync(WatchHarness.Insurer, watchId))!.State);
        Assert.Equal(0, (await _h.Rechecks.CheckPageAsync(WatchHarness.Insurer, watchId[0], null)).Watches);
        Assert.Empty(_h.Receiver.Received);
    }

    [Fact]
    public async Task Pages_of_one_shard_follow_each_other()
    {
        var certificates = Enumerable.Range(0, 3).Select(_ => _h.Pki.IssueCard(WatchHarness.Holder)).SelectMany(c => new[] { c.SigningCertificate.RawData, c.AuthenticationCertificate.RawData }).ToArray();
        var ids = (await _h.RegisterAsync(WatchHarness.Insurer, certificates)).Watches.Select(w => w.WatchId).Order(StringComparer.Ordinal).ToList();
        var page = await _h.Watches.ListAsync(WatchHarness.Client(WatchHarness.Insurer), null, 4);
        var rest = await _h.Watches.ListAsync(WatchHarness.Client(WatchHarness.Insurer), page.ContinuationToken, 4);
        Assert.Equal(ids, page.Watches.Concat(rest.Watches).Select(w => w.WatchId));
        Assert.Null(rest.ContinuationToken);

        var shard = ids[0][0];
        var due = await _h.Store.ListDueAsync(WatchHarness.Insurer, shard, null, 1);
        Assert.Equal(ids[0], due.Watches.Single().WatchId);
        Assert.All((await _h.Store.ListDueAsync(WatchHarness.Insurer, shard, due.Next, 100)).Watches, w => Assert.Equal(shard, w.WatchId[0]));
    }

    [Fact]
    public async Task Another_client_neither_sees_nor_deletes_a_watch()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var watchId = (await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData)).Watches[0].WatchId;
        var other = WatchHarness.Client(WatchHarness.OtherInsurer);
        Assert.Equal(ErrorCodes.WatchNotFound, (await Assert.ThrowsAsync<ServiceException>(() => _h.Watches.GetAsync(other, watchId))).Error);
        Assert.Equal(ErrorCodes.WatchNotFound, (await Assert.ThrowsAsync<ServiceException>(() => _h.Watches.DeleteAsync(other, watchId))).Error);
        Assert.Empty((await _h.Watches.ListAsync(other, null, null)).Watches);

        await _h.Watches.DeleteAsync(WatchHarness.Client(WatchHarness.Insurer), watchId);
        Assert.Null(await _h.Store.FindAsync(WatchHarness.Insurer, watchId));

        // Deleted, the certificate can be watched again (the index row went with the watch).
        var again = await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData);
        Assert.NotEqual(watchId, again.Watches[0].WatchId);
    }

    [Fact]
    public async Task A_watch_is_deleted_while_a_re_check_keeps_updating_it()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var watchId = (await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData)).Watches[0].WatchId;
        using var stop = new CancellationTokenSource();
        var updating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var updates = Task.Run(async () =>
        {
            // A re-check writing the row under its ETag, over and over, as a daily run does once.
            while (!stop.IsCancellationRequested && await _h.Store.FindAsync(WatchHarness.Insurer, watchId) is { } watch)
            {
                await _h.Store.UpdateAsync(WatchHarness.Insurer, [watch with { Status = watch.Status with { CheckedAt = DateTimeOffset.UtcNow } }]);
                updating.TrySetResult();
            }
        });

        await updating.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the re-check has written at least once and keeps writing
        Assert.True(await _h.Store.DeleteAsync(WatchHarness.Insurer, watchId));

        await stop.CancelAsync();
        await updates;
        Assert.Null(await _h.Store.FindAsync(WatchHarness.Insurer, watchId));
    }

    [Fact]
    public async Task A_client_without_webhook_cannot_watch() =>
        Assert.Equal(ErrorCodes.WebhookNotConfigured, (await Assert.ThrowsAsync<ServiceException>(() => _h.RegisterAsync(WatchHarness.NoWebhook, [0x30, 0x00]))).Error);

    [Fact]
    public async Task A_certificate_of_an_untrusted_root_cannot_be_watched()
    {
        var foreignFolder = Directory.CreateTempSubdirectory("smk-foreign-pki-").FullName;
        try
        {
            var foreign = DevelopmentPki.LoadOrCreate(foreignFolder).IssueCard(WatchHarness.Holder);
            var good = _h.Pki.IssueCard(WatchHarness.Holder);
            var error = await Assert.ThrowsAsync<ServiceException>(() => _h.RegisterAsync(WatchHarness.Insurer, good.SigningCertificate.RawData, foreign.SigningCertificate.RawData));
            Assert.Equal(ErrorCodes.CertificateNotWatchable, error.Error);
            Assert.Contains("certificates[1]", error.Detail, StringComparison.Ordinal);
            Assert.Empty((await _h.Watches.ListAsync(WatchHarness.Client(WatchHarness.Insurer), null, null)).Watches);
        }
        finally
        {
            Directory.Delete(foreignFolder, recursive: true);
        }
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("MAA")]
    public async Task Malformed_certificates_are_invalid_request(string value)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() =>
            _h.Watches.RegisterAsync(new WatchRegistrationRequest([value]), null, WatchHarness.Client(WatchHarness.Insurer)));
        Assert.Equal(ErrorCodes.InvalidRequest, error.Error);
    }

    [Fact]
    public async Task More_than_500_certificates_are_invalid_request()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() =>
            _h.Watches.RegisterAsync(new WatchRegistrationRequest([.. Enumerable.Repeat("MAA", CertificateWatchService.MaxCertificates + 1)]), null, WatchHarness.Client(WatchHarness.Insurer)));
        Assert.Equal(ErrorCodes.InvalidRequest, error.Error);
    }

    internal static void AssertSigned(Testing.ReceivedWebhook delivered, string secret)
    {
        var parts = delivered.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = WebhookSignature.Compute(Encoding.UTF8.GetBytes(secret), long.Parse(parts["t"], CultureInfo.InvariantCulture), delivered.Body);
        Assert.Equal(Convert.ToHexStringLower(expected), parts["v1"]);
    }
}
