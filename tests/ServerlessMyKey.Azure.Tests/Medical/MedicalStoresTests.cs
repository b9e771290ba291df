using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Medical;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Medical;

/// <summary>
/// The medical tables on real Azurite, each test under a table-name prefix of its own: the races the
/// conditional writes exist for (one consistent winner, no half-written rows) and the retention run.
/// </summary>
public sealed class MedicalStoresTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Facility = "1310000001";
    private const string Insurer = "06139999";
    private static readonly ServiceClient Clinic = new("clinic", new HashSet<string> { MedicalRoles.Facility });

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
    private readonly TemporaryDirectory _keys = new();

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Concurrent_links_of_one_patient_number_with_its_code_have_one_winner_and_whole_rows()
    {
        var clinics = Clinics();
        var code = await clinics.IssueLinkCodeAsync(Facility, new PatientLinkCodeRequest("P-RACE"), Clinic);
        var citizens = Enumerable.Range(0, 8).Select(i => $"RACER{i:D3}").ToArray();

        var outcomes = await Task.WhenAll(citizens.Select(async myKeyId =>
        {
            try
            {
                await Clinics().LinkAsync(Facility, new Citizen(myKeyId, "01", _clock.GetUtcNow().AddYears(1)), new PatientLinkRequest("P-RACE", code.LinkCode));
                return "linked";
            }
            catch (ServiceException e)
            {
                return e.Error.Code;
            }
        }));

        Assert.Single(outcomes, o => o == "linked");
        Assert.All(outcomes.Where(o => o != "linked"), o => Assert.Equal("link_code_invalid", o));
        var winner = citizens[Array.IndexOf(outcomes, "linked")];
        var rows = await RowsAsync("MedicalClinics");
        Assert.Equal(winner, rows.Single(r => r.RowKey == "p|P-RACE").GetString("MyKeyId"));
        Assert.Equal(["k|" + winner], rows.Where(r => r.RowKey.StartsWith("k|", StringComparison.Ordinal)).Select(r => r.RowKey));
        Assert.DoesNotContain(rows, r => r.RowKey.StartsWith("c|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_upserts_of_one_member_leave_one_whole_record_and_index()
    {
        var registry = Registry(out var store, out var numbers);
        var bodies = Enumerable.Range(0, 6).Select(i => new InsuranceMemberRequest("S1", $"1000000{i}", "01", "山田　花子", "1990-04-01", "2025-04-01", null, 30 + i)).ToArray();

        var answers = await Task.WhenAll(bodies.Select(body => registry.UpsertAsync(Insurer, "member-1", body, InsurerClient)));

        Assert.All(answers, a => Assert.True(a.Changed));
        var member = await store.FindMemberAsync(Insurer, "member-1");
        Assert.NotNull(member);
        var personal = await numbers.DecryptAsync(member!);
        var written = bodies.Single(b => b.Number == personal.Number);
        Assert.Equal(written.CopayRate, member!.CopayRate);
        Assert.Equal(member.NumberIndex, await numbers.IndexAsync(Insurer, "S1", personal.Number, "01"));
        var indexRows = (await RowsAsync("MedicalInsurance")).Where(r => r.PartitionKey == Insurer && r.RowKey.StartsWith("n|", StringComparison.Ordinal)).ToList();
        Assert.Equal("member-1", Assert.Single(indexRows).GetString("MemberKey"));
    }

    [Fact]
    public async Task Concurrent_upserts_of_the_same_numbers_under_two_member_keys_have_one_holder()
    {
        var registry = Registry(out _, out _);
        var body = new InsuranceMemberRequest("S2", "20000000", "01", "山田　花子", "1990-04-01", "2025-04-01", null, 30);

        var outcomes = await Task.WhenAll(new[] { "member-a", "member-b", "member-c" }.Select(async key =>
        {
            try
            {
                await registry.UpsertAsync(Insurer, key, body, InsurerClient);
                return key;
            }
            catch (ServiceException e)
            {
                return e.Error.Code;
            }
        }));

        var winner = Assert.Single(outcomes, o => o.StartsWith("member-", StringComparison.Ordinal));
        Assert.Equal(2, outcomes.Count(o => o == "already_exists"));
        var rows = (await RowsAsync("MedicalInsurance")).Where(r => r.PartitionKey == Insurer).ToList();
        Assert.Equal(["m|" + winner], rows.Where(r => r.RowKey.StartsWith("m|", StringComparison.Ordinal)).Select(r => r.RowKey));
        Assert.Equal(winner, Assert.Single(rows, r => r.RowKey.StartsWith("n|", StringComparison.Ordinal)).GetString("MemberKey"));
    }

    [Fact]
    public async Task Retention_deletes_old_access_log_entries_reservations_and_expired_codes_only()
    {
        var now = _clock.GetUtcNow();
        var log = new TableMedicalAccessLog(Table("MedicalAccessLog"));
        await log.AppendAsync("PATIENT1", "old", new AccessLogEntry(now.AddDays(-1826), Facility, "checkin", null, true, null));
        await log.AppendAsync("PATIENT1", "new", new AccessLogEntry(now.AddDays(-1824), Facility, "checkin", null, true, null));
        var store = new TableClinicStore(Table("MedicalClinics"));
        Assert.True(await store.TryWriteReservationAsync(Facility, null, new Reservation("old", "P-1", now.AddDays(-91))));
        Assert.True(await store.TryWriteReservationAsync(Facility, null, new Reservation("new", "P-1", now.AddDays(-89))));
        await store.IssueLinkCodeAsync(Facility, "P-EXPIRED", "hash", now.AddMinutes(-1));
        await store.IssueLinkCodeAsync(Facility, "P-LIVE", "hash", now.AddMinutes(1));

        var run = await Retention(batchSize: 100).RunAsync();

        Assert.Equal(new MedicalRetentionRun(1, 2, 1), run);
        Assert.Equal(["new"], (await RowsAsync("MedicalAccessLog")).Select(r => r.RowKey));
        Assert.Equal(
            ["c|P-LIVE", "d|" + MedicalFields.DayInJapan(now.AddDays(-89)).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "|P-1|new", "r|new"],
            (await RowsAsync("MedicalClinics")).Select(r => r.RowKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Retention_deletes_at_most_a_batch_a_run()
    {
        var log = new TableMedicalAccessLog(Table("MedicalAccessLog"));
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync("PATIENT2", $"e{i}", new AccessLogEntry(_clock.GetUtcNow().AddYears(-6), Facility, "checkin", null, true, null));
        }

        Assert.Equal(2, (await Retention(batchSize: 2).RunAsync()).AccessLogEntries);
        Assert.Equal(3, (await RowsAsync("MedicalAccessLog")).Count);
    }

    private static ServiceClient InsurerClient => new("insurer", new HashSet<string> { MedicalRoles.Insurer });

    private LazyTable Table(string name) => new(new TableServiceClient(azurite.ConnectionString), _prefix + name);

    private async Task<List<TableEntity>> RowsAsync(string table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + table).QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    // Only LinkAsync and IssueLinkCodeAsync are used here: they need neither the login nor the access log (link codes are keyed-hashed with the medical index key).
    private ClinicCheckins Clinics()
    {
        var keyedHashes = new MedicalKeyedHashes(new TableInsuranceStore(Table("MedicalInsurance"), Table("MedicalInsuranceLinks")), new LocalKeyFileService(_keys.Path));
        return new(
        new TableClinicStore(Table("MedicalClinics")), keyedHashes, null!, new MedicalFacilities([new MedicalFacility(Facility, new HashSet<string> { "clinic" }, new HashSet<string>())]),
        null!, _clock, NullLogger<ClinicCheckins>.Instance);
    }

    private InsuranceRegistry Registry(out TableInsuranceStore store, out InsuranceNumbers numbers)
    {
        IKeyService keys = new LocalKeyFileService(_keys.Path);
        store = new TableInsuranceStore(Table("MedicalInsurance"), Table("MedicalInsuranceLinks"));
        numbers = new InsuranceNumbers(new MedicalKeyedHashes(store, keys), new EnvelopeEncryption(keys));
        return new InsuranceRegistry(store, numbers, new MedicalInsurers(new Dictionary<string, IReadOnlySet<string>> { [Insurer] = new HashSet<string> { "insurer" } }), _clock);
    }

    private MedicalRetention Retention(int batchSize) => new(
        new TableMedicalRetention(Table("MedicalAccessLog"), Table("MedicalClinics")), new MedicalRetentionOptions(), new CleanupOptions { BatchSize = batchSize }, _clock, NullLogger<MedicalRetention>.Instance);
}
