using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>復代理 (sub-delegation): the agent delegates onward when allowed; revoking the parent stops the sub-agent's acts.</summary>
public sealed class SubDelegationTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    private static readonly CardHolder SubAgent = new("佐藤　三郎", "大阪府大阪市北区中之島1-3-20", new DateOnly(1985, 3, 3), "male");
    private static readonly byte[] ActData = Encoding.UTF8.GetBytes("""{"tender":"R8-0077"}""");

    [Fact]
    public async Task A_sub_delegation_authorizes_until_its_parent_is_revoked()
    {
        var (representative, _, agent, parentId) = await app.ActiveDelegationAsync(subDelegationAllowed: true);
        var (subAgentId, subAgent) = await app.NewCardholderAsync(SubAgent);
        var sub = SubDocument(parentId, subAgentId);

        var created = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = sub, signature = Signed(agent, sub) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var subId = body.GetProperty("delegationId").GetString()!;
        var accepted = await app.SendAsync(HttpMethod.Post, $"api/delegations/{subId}/acceptance",
            new { signature = Signed(subAgent, new { action = "accept", delegationId = subId }) }, bearerFor: subAgentId);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var number = body.GetProperty("number").GetString()!;
        Assert.Equal("authorized", await VerifyCodeAsync(number, subAgent));

        await app.SendAsync(HttpMethod.Post, $"api/delegations/{parentId}/revocation", new { signature = Signed(representative, new { action = "revoke", delegationId = parentId }) });
        Assert.Equal("parent_delegation_inactive", await VerifyCodeAsync(number, subAgent));
    }

    [Fact]
    public async Task Sub_delegation_refusals_have_their_codes()
    {
        var (_, _, notAllowedAgent, notAllowedParent) = await app.ActiveDelegationAsync(subDelegationAllowed: false);
        var (_, _, allowedAgent, allowedParent) = await app.ActiveDelegationAsync(subDelegationAllowed: true);
        var (subAgentId, _) = await app.NewCardholderAsync(SubAgent);

        var notAllowed = SubDocument(notAllowedParent, subAgentId);
        await AssertCodeAsync(notAllowed, Signed(notAllowedAgent, notAllowed), HttpStatusCode.Forbidden, "sub_delegation_not_allowed");

        var wider = SubDocument(allowedParent, subAgentId);
        wider["powers"] = new[] { new { procedure = "procurement.contract", agency = "総務省" } };
        await AssertCodeAsync(wider, Signed(allowedAgent, wider), HttpStatusCode.UnprocessableEntity, "sub_delegation_exceeds_parent");

        var bySomeoneElse = SubDocument(allowedParent, subAgentId);
        await AssertCodeAsync(bySomeoneElse, Signed(notAllowedAgent, bySomeoneElse), HttpStatusCode.Forbidden, "signer_not_delegate");
    }

    [Fact]
    public async Task A_sub_delegation_under_a_revoked_grandparent_is_refused()
    {
        // The agent delegates to themselves (D1), the delegator revokes D0: D1 still looks active on its own.
        var (representative, agentId, agent, rootId) = await app.ActiveDelegationAsync(subDelegationAllowed: true);
        var selfId = await ChainLinkAsync(rootId, agentId, agent, DelegationApiFixture.Agent.Name);
        await app.SendAsync(HttpMethod.Post, $"api/delegations/{rootId}/revocation", new { signature = Signed(representative, new { action = "revoke", delegationId = rootId }) });

        var (subAgentId, _) = await app.NewCardholderAsync(SubAgent);
        var under = SubDocument(selfId, subAgentId);
        await AssertCodeAsync(under, Signed(agent, under), HttpStatusCode.Conflict, "parent_delegation_inactive");
    }

    [Fact]
    public async Task A_chain_deeper_than_the_cap_is_refused()
    {
        var (_, agentId, agent, rootId) = await app.ActiveDelegationAsync(subDelegationAllowed: true);
        var parentId = rootId;
        for (var depth = 1; depth <= MaxChainDepth; depth++)
        {
            parentId = await ChainLinkAsync(parentId, agentId, agent, DelegationApiFixture.Agent.Name);
        }

        var tooDeep = SubDocument(parentId, agentId, DelegationApiFixture.Agent.Name);
        tooDeep["validTo"] = ChainValidTo;
        await AssertCodeAsync(tooDeep, Signed(agent, tooDeep), HttpStatusCode.UnprocessableEntity, "delegation_chain_too_deep");
    }

    private static readonly string ChainValidTo = DateTimeOffset.UtcNow.AddMonths(6).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The documented cap (docs/delegation.md): sub-delegations below a delegator-signed delegation.</summary>
    private const int MaxChainDepth = 8;

    /// <summary>A sub-delegation of <paramref name="parentId"/> to the agent themselves, allowing further sub-delegation, accepted.</summary>
    private async Task<string> ChainLinkAsync(string parentId, string agentId, VirtualCard agent, string agentName)
    {
        var document = SubDocument(parentId, agentId, agentName);
        document["subDelegationAllowed"] = true;
        document["validTo"] = ChainValidTo; // one end for the whole chain: a child may not outlast its parent
        var created = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(agent, document) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delegationId").GetString()!;
        var accepted = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance",
            new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: agentId);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return id;
    }

    private static Dictionary<string, object?> SubDocument(string parentId, string subAgentId, string? subAgentName = null)

    {
        var document = Document(subAgentId, delegateName: subAgentName ?? SubAgent.Name);
        document["validFrom"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        document["validTo"] = DateTimeOffset.UtcNow.AddMonths(6).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        document["parentDelegationId"] = parentId;
        return document;
    }

    private async Task AssertCodeAsync(object document, object signature, HttpStatusCode status, string code)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }

    private async Task<string> VerifyCodeAsync(string number, VirtualCard signer)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/delegations/verifications",
            new { number, act = new { procedure = "procurement.bid", agency = "総務省" }, data = Convert.ToBase64String(ActData), signature = Sign(signer, ActData) }, apiKey: VerifierKey);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }
}
