using System.Text.Json;
using ServerlessMyKey.Cli.Commands;
using ServerlessMyKey.EndToEnd.Tests.Web;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Cli;

/// <summary><c>mykey</c> as a new user tries it: help everywhere, exit codes, and a login against a real DevHost.</summary>
[Collection(WebCollection.Name)]
public sealed class MyKeyCommandTests(WebFixture web)
{
    private string DataFolder => Path.GetDirectoryName(web.Pki.Folder)!;

    [Theory]
    [InlineData("--help")]
    [InlineData("card --help")]
    [InlineData("card new --help")]
    [InlineData("card list --help")]
    [InlineData("pki init --help")]
    [InlineData("login --help")]
    [InlineData("revoke --help")]
    [InlineData("sign --help")]
    public async Task Every_command_has_help(string args)
    {
        var (code, output, _) = await RunAsync(args.Split(' '));

        Assert.Equal(ExitCodes.Done, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("card")]
    [InlineData("card new --name 山田")]
    [InlineData("login")]
    [InlineData("login --card card-00000000 --api ftp://x")]
    [InlineData("revoke --card card-00000000 --reason nope")]
    public async Task A_usage_error_exits_2_and_points_to_help(string args)
    {
        var (code, _, error) = await RunAsync(args.Split(' '));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--help'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_prints_the_session_and_exits_0()
    {
        var card = web.Pki.IssueCard(new("中村　さくら", "東京都千代田区霞が関1-2-3", new DateOnly(1995, 5, 5), "female"));

        var (code, output, error) = await RunAsync(["login", "--card", card.Id, "--api", web.Host.BaseAddress.ToString(), "--data", DataFolder]);

        Assert.True(code == ExitCodes.Done, error);
        using var session = JsonDocument.Parse(output);
        Assert.Equal(8, session.RootElement.GetProperty("myKeyId").GetString()!.Length);
    }

    [Fact]
    public async Task A_refused_login_exits_1_with_the_API_code()
    {
        var card = web.Pki.IssueCard(
            new("中村　さくら", "東京都千代田区霞が関1-2-3", new DateOnly(1995, 5, 5), "female"),
            validFrom: DateTimeOffset.UtcNow.AddHours(-12), validTo: DateTimeOffset.UtcNow.AddHours(-1));

        var (code, _, error) = await RunAsync(["login", "--card", card.Id, "--api", web.Host.BaseAddress.ToString(), "--data", DataFolder]);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("401 certificate_expired", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_API_exits_3()
    {
        var card = web.Pki.IssueCard(new("中村　さくら", "東京都千代田区霞が関1-2-3", new DateOnly(1995, 5, 5), "female"));

        var (code, _, _) = await RunAsync(["login", "--card", card.Id, "--api", "http://127.0.0.1:9", "--data", DataFolder]);

        Assert.Equal(ExitCodes.Unreachable, code);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await MyKeyCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
