using System.Net;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>On the unauthenticated registration route an Idempotency-Key is claimed only for a valid signed request, and only for its signer.</summary>
public sealed class DelegationIdempotencyTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    [Fact]
    public async Task A_junk_body_does_not_reserve_the_key_of_the_real_request()
    {
        var key = "reg-" + Guid.NewGuid().ToString("N");
        var junk = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = new { }, signature = new { certificate = "AA==", signature = "AA==" } }, idempotencyKey: key);
        await ProblemAssert.ExactAsync(junk, HttpStatusCode.BadRequest, "invalid_request");

        var real = await RegisterAsync(Representative, key);

        Assert.Equal(HttpStatusCode.Created, real.StatusCode);
    }

    [Fact]
    public async Task Another_signer_cannot_reserve_the_key_of_the_real_request()
    {
        var key = "reg-" + Guid.NewGuid().ToString("N");
        var squatter = new CardHolder("佐藤　三郎", "大阪府大阪市北区1-1", new DateOnly(1980, 1, 1), "male");
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(squatter, key)).StatusCode);

        var real = await RegisterAsync(Representative, key);

        Assert.Equal(HttpStatusCode.Created, real.StatusCode);
    }

    private async Task<HttpResponseMessage> RegisterAsync(CardHolder representative, string idempotencyKey)
    {
        var (_, card) = await app.NewCardholderAsync(representative);
        var (agentId, _) = await app.NewCardholderAsync(Agent);
        var document = Document(agentId, representativeName: representative.Name);
        return await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(card, document) }, idempotencyKey: idempotencyKey);
    }
}
