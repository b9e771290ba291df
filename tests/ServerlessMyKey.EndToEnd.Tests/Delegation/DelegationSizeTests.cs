using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>The size limit of a delegation is computed on what is stored (its envelope), so a large but valid document is a 400, never a 500.</summary>
public sealed class DelegationSizeTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    [Fact]
    public async Task A_signed_delegation_whose_envelope_would_not_fit_a_table_property_is_invalid_request()
    {
        var (_, representative) = await app.NewCardholderAsync(Representative);
        var (agentId, _) = await app.NewCardholderAsync(Agent);
        var document = Document(agentId);
        // ~28 KB of UTF-8: under the old 30 KiB limit, but its envelope (base64, UTF-16) is over 64 KiB.
        document["powers"] = Enumerable.Range(0, 100).Select(i => new { procedure = "procurement.bid", agency = $"総務省{i:D3}" + new string('局', 75) }).ToArray();

        var response = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) });

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }
}
