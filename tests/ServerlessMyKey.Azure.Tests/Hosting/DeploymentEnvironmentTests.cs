using Microsoft.Extensions.Configuration;
using ServerlessMyKey.Azure.Hosting;

namespace ServerlessMyKey.Azure.Tests.Hosting;

public sealed class DeploymentEnvironmentTests
{
    [Theory]
    [InlineData("AZURE_FUNCTIONS_ENVIRONMENT", "Development", true)]
    [InlineData("DOTNET_ENVIRONMENT", "Development", true)]
    [InlineData("ASPNETCORE_ENVIRONMENT", "development", true)]
    [InlineData("AZURE_FUNCTIONS_ENVIRONMENT", "Production", false)]
    [InlineData("OTHER", "Development", false)]
    public void Reads_the_environment_settings(string name, string value, bool expected)
    {
        Assert.Equal(expected, DeploymentEnvironment.IsDevelopment(Configuration((name, value))));
    }

    [Fact]
    public void The_functions_setting_wins_over_a_stray_dotnet_one()
    {
        var configuration = Configuration(("AZURE_FUNCTIONS_ENVIRONMENT", "Production"), ("DOTNET_ENVIRONMENT", "Development"));

        Assert.False(DeploymentEnvironment.IsDevelopment(configuration));
    }

    [Fact]
    public void Nothing_set_is_not_development()
    {
        Assert.False(DeploymentEnvironment.IsDevelopment(Configuration()));
    }

    internal static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
