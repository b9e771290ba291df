using System.Text.Json;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>
/// <c>Cors:AllowedOrigins</c> is what the DevHost answers preflights with; in Azure the platform does
/// it from <c>siteConfig.cors</c>. Both must be exact origins without credentials, and the Static Web
/// App's own origin must be among those of the Function App.
/// </summary>
public sealed class CorsParityTests
{
    private static readonly string FunctionApp = BicepSource.StripComments(RepositoryFiles.ReadAllText("infra/modules/function-app.bicep"));
    private static readonly string Main = BicepSource.StripComments(RepositoryFiles.ReadAllText("infra/main.bicep"));

    [Fact]
    public void The_function_app_answers_cors_from_its_parameter_without_credentials()
    {
        Assert.Contains("param corsAllowedOrigins string[]", FunctionApp, StringComparison.Ordinal);
        Assert.Matches(@"cors:\s*\{\s*allowedOrigins:\s*corsAllowedOrigins\s+supportCredentials:\s*false\s*\}", FunctionApp);
    }

    [Fact]
    public void The_static_web_app_origin_is_allowed_on_the_function_app()
    {
        Assert.Contains("corsAllowedOrigins: union([web.outputs.uri], corsAllowedOrigins)", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_lists_exact_origins_only()
    {
        using var sample = JsonDocument.Parse(RepositoryFiles.ReadAllText("local.settings.sample.json"));
        var origins = sample.RootElement.GetProperty("Values").GetProperty("Cors__AllowedOrigins").GetString()!.Split(',');

        Assert.NotEmpty(origins);
        Assert.All(origins, o =>
        {
            Assert.DoesNotContain("*", o, StringComparison.Ordinal);
            var uri = new Uri(o);
            Assert.Equal(uri.GetLeftPart(UriPartial.Authority), o);
        });
    }

    [Fact]
    public void The_web_service_is_deployed_to_the_static_web_app()
    {
        var azure = RepositoryFiles.ReadAllText("azure.yaml");
        Assert.Matches(@"(?m)^  web:\s*\n    project: \./web\s*\n    language: js\s*\n    host: staticwebapp\s*\n    dist: dist", azure.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("'azd-service-name': serviceName", RepositoryFiles.ReadAllText("infra/modules/static-web-app.bicep"), StringComparison.Ordinal);
        Assert.Contains("serviceName: 'web'", Main, StringComparison.Ordinal);
    }
}
