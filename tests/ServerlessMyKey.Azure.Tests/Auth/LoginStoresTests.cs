using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Auth;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.MyKey;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Auth;

/// <summary>Challenges and MyKey IDs on real Azurite, including the races the conditional writes exist for.</summary>
public sealed class LoginStoresTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private TableServiceClient Tables() => new(azurite.ConnectionString);

    private LoginChallenges Challenges(TableServiceClient tables) =>
        new(new TableChallengeStore(tables), new AuthOptions { ChallengeLifetime = TimeSpan.FromMinutes(5) }, _clock, NullLogger<LoginChallenges>.Instance);

    [Fact]
    public async Task Challenge_is_32_random_bytes_consumed_exactly_once()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.Login, audience: "city-portal");

        Assert.Equal(32, created.Value.Length);
        Assert.Matches("^ch_[A-Za-z0-9_-]{22}$", created.Id);
        var consumed = await challenges.ConsumeAsync(created.Id, ChallengeUse.Login);
        Assert.Equal(created.Value, consumed.Value);
        Assert.Equal("city-portal", consumed.Audience);
        await AssertCodeAsync(ErrorCodes.ChallengeAlreadyUsed, () => challenges.ConsumeAsync(created.Id, ChallengeUse.Login));
    }

    [Fact]
    public async Task Challenge_row_is_keyed_by_its_id_in_both_keys()
    {
        // Azurite finds a row through its RowKey index first: a RowKey shared by all challenges made every
        // lookup scan the whole table (bench/README.md, "HTTP load").
        var tables = Tables();
        var created = await Challenges(tables).CreateAsync(ChallengeUse.Login);

        var row = await tables.GetTableClient(TableChallengeStore.TableName).GetEntityIfExistsAsync<TableEntity>(created.Id, created.Id);
        Assert.True(row.HasValue);
    }

    [Fact]
    public async Task Reader_challenge_is_refused_to_a_login_and_is_spent_by_the_refusal()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.TicketGate("gate-a"));

        await AssertCodeAsync(ErrorCodes.ChallengePurposeMismatch, () => challenges.ConsumeAsync(created.Id, ChallengeUse.Login));
        await AssertCodeAsync(ErrorCodes.ChallengeAlreadyUsed, () => challenges.ConsumeAsync(created.Id, ChallengeUse.TicketGate("gate-a")));
    }

    [Fact]
    public async Task Reader_challenge_is_refused_to_another_reader_of_the_same_purpose()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.MedicalCheckin("clinic-a"));

        await AssertCodeAsync(ErrorCodes.ChallengePurposeMismatch, () => challenges.ConsumeAsync(created.Id, ChallengeUse.MedicalCheckin("clinic-b")));
    }

    [Fact]
    public async Task Reader_challenge_keeps_its_purpose_and_client_in_the_table()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.ShelterCheckin("shelter-1"));

        var consumed = await challenges.ConsumeAsync(created.Id, ChallengeUse.ShelterCheckin("shelter-1"));
        Assert.Equal(("shelter_checkin", "shelter-1"), (consumed.Purpose, consumed.ClientId));
    }

    [Fact]
    public async Task Concurrent_submissions_of_one_challenge_give_exactly_one_winner()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.Login);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                await Challenges(Tables()).ConsumeAsync(created.Id, ChallengeUse.Login);
                return "consumed";
            }
            catch (ServiceException ex)
            {
                return ex.Error.Code;
            }
        }));

        Assert.Single(attempts, a => a == "consumed");
        Assert.All(attempts.Where(a => a != "consumed"), a => Assert.Equal("challenge_already_used", a));
    }

    [Fact]
    public async Task Expired_challenge_is_refused()
    {
        var challenges = Challenges(Tables());
        var created = await challenges.CreateAsync(ChallengeUse.Login);
        _clock.Advance(TimeSpan.FromMinutes(5));

        await AssertCodeAsync(ErrorCodes.ChallengeExpired, () => challenges.ConsumeAsync(created.Id, ChallengeUse.Login));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ch_AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-challenge-id")]
    [InlineData("ch_../../etc/passwd/xxxxxx")]
    public async Task Unknown_or_malformed_challenge_id_is_not_found(string? id)
    {
        await AssertCodeAsync(ErrorCodes.ChallengeNotFound, () => Challenges(Tables()).ConsumeAsync(id, ChallengeUse.Login));
    }

    [Fact]
    public async Task Cleanup_deletes_only_long_expired_challenges()
    {
        var challenges = Challenges(Tables());
        var old = await challenges.CreateAsync(ChallengeUse.Login);
        _clock.Advance(TimeSpan.FromMinutes(11));
        var fresh = await challenges.CreateAsync(ChallengeUse.Login);

        Assert.True(await challenges.DeleteExpiredAsync() >= 1);
        await AssertCodeAsync(ErrorCodes.ChallengeNotFound, () => challenges.ConsumeAsync(old.Id, ChallengeUse.Login));
        Assert.Equal(fresh.Value, (await challenges.ConsumeAsync(fresh.Id, ChallengeUse.Login)).Value);
    }

    [Fact]
    public async Task Cleanup_deletes_at_most_the_batch_size_a_run()
    {
        var challenges = Challenges(Tables());
        for (var i = 0; i < 3; i++)
        {
            await challenges.CreateAsync(ChallengeUse.Login);
        }

        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(2, await challenges.DeleteExpiredAsync(maxRows: 2));
    }

    [Fact]
    public async Task First_login_creates_a_MyKey_ID_that_later_logins_get_again()
    {
        var ids = new MyKeyIds(new TableMyKeyIdStore(Tables()));
        var binding = MyKeyIds.CertificateBinding([1, 2, 3], Guid.NewGuid().ToByteArray());

        var first = await ids.GetOrCreateAsync(binding);
        var again = await ids.GetOrCreateAsync(binding);

        Assert.True(MyKeyIdFormat.IsValid(first), first);
        Assert.All(first, c => Assert.Contains(c, MyKeyIds.Alphabet));
        Assert.Equal(first, again);
        Assert.NotEqual(first, await ids.GetOrCreateAsync(MyKeyIds.CertificateBinding([1, 2, 3], Guid.NewGuid().ToByteArray())));
    }

    [Fact]
    public async Task Concurrent_first_logins_of_one_certificate_agree_on_one_MyKey_ID()
    {
        var binding = MyKeyIds.CertificateBinding([9, 9], Guid.NewGuid().ToByteArray());

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => new MyKeyIds(new TableMyKeyIdStore(Tables())).GetOrCreateAsync(binding)));

        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task Relink_gives_the_renewed_certificate_the_same_MyKey_ID()
    {
        var ids = new MyKeyIds(new TableMyKeyIdStore(Tables()));
        var oldBinding = MyKeyIds.CertificateBinding([7], Guid.NewGuid().ToByteArray());
        var newBinding = MyKeyIds.CertificateBinding([7], Guid.NewGuid().ToByteArray());
        var myKeyId = await ids.GetOrCreateAsync(oldBinding);

        await ids.RelinkAsync(myKeyId, newBinding);

        Assert.Equal(myKeyId, await ids.GetOrCreateAsync(newBinding));
    }

    [Fact]
    public async Task Relink_to_a_certificate_that_has_its_own_MyKey_ID_is_a_conflict()
    {
        var ids = new MyKeyIds(new TableMyKeyIdStore(Tables()));
        var mine = await ids.GetOrCreateAsync(MyKeyIds.CertificateBinding([5], Guid.NewGuid().ToByteArray()));
        var otherBinding = MyKeyIds.CertificateBinding([5], Guid.NewGuid().ToByteArray());
        await ids.GetOrCreateAsync(otherBinding);

        await AssertCodeAsync(ErrorCodes.Conflict, () => ids.RelinkAsync(mine, otherBinding));
    }

    private static async Task AssertCodeAsync(ErrorCode expected, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(action);
        Assert.Same(expected, error.Error);
    }
}
