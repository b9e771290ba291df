using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Points;

public sealed class StatementCursorTests
{
    [Theory]
    [InlineData(1L)]
    [InlineData(42L)]
    [InlineData(long.MaxValue)]
    public void A_token_round_trips(long sequence)
    {
        Assert.Equal(sequence, StatementCursor.Decode(StatementCursor.Encode(sequence)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("!!!!")]
    [InlineData("cGUxLjA")] // "pe1.0"
    [InlineData("cGUxLi0x")] // "pe1.-1"
    [InlineData("cGUxLjEy")] // "pe1.12" is valid; with padding below it is not ours
    public void Garbage_is_invalid_request(string token)
    {
        if (token == "cGUxLjEy")
        {
            Assert.Equal(12, StatementCursor.Decode(token));
            token += "==";
        }

        Assert.Same(ErrorCodes.InvalidRequest, Assert.Throws<ServiceException>(() => StatementCursor.Decode(token)).Error);
    }
}

public sealed class IdempotentRequestTests
{
    [Fact]
    public void Same_key_and_request_give_the_same_hashes()
    {
        var a = IdempotentRequest.Create("points.debits", "shop-1", "key-1", new { myKeyId = "AB12CD34", amount = 100 });
        var b = IdempotentRequest.Create("points.debits", "shop-1", "key-1", new { myKeyId = "AB12CD34", amount = 100 });

        Assert.Equal(a, b);
    }

    [Fact]
    public void The_key_is_scoped_to_the_operation_and_caller_and_the_request_hash_follows_the_body()
    {
        var a = IdempotentRequest.Create("points.debits", "shop-1", "key-1", new { amount = 100 });

        Assert.NotEqual(a.KeyHash, IdempotentRequest.Create("points.credits", "shop-1", "key-1", new { amount = 100 }).KeyHash);
        Assert.NotEqual(a.KeyHash, IdempotentRequest.Create("points.debits", "shop-2", "key-1", new { amount = 100 }).KeyHash);
        var other = IdempotentRequest.Create("points.debits", "shop-1", "key-1", new { amount = 101 });
        Assert.Equal(a.KeyHash, other.KeyHash);
        Assert.NotEqual(a.RequestHash, other.RequestHash);
    }

    [Fact]
    public void A_stored_response_replays_only_for_its_own_request()
    {
        var request = IdempotentRequest.Create("op", "me", "k", new { amount = 1 });
        var stored = new StoredResponse(201, request.RequestHash, [1, 2, 3]);

        Assert.Same(stored, stored.ReplayFor(request));
        var other = IdempotentRequest.Create("op", "me", "k", new { amount = 2 });
        Assert.Same(ErrorCodes.IdempotencyKeyReused, Assert.Throws<ServiceException>(() => stored.ReplayFor(other)).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("日本語")]
    public void Keys_must_be_printable_ascii(string key)
    {
        Assert.Same(ErrorCodes.InvalidRequest, Assert.Throws<ServiceException>(() => IdempotentRequest.Validate(key)).Error);
        Assert.Throws<ServiceException>(() => IdempotentRequest.Validate(new string('k', 129)));
    }
}
