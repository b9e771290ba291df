using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace ServerlessMyKey.Functions.Hosting;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// OpenTelemetry traces, metrics and structured logs, exported to Application Insights when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (Entra ID auth with the app's identity,
    /// since local auth is disabled on the component). Logs carry message templates and allow-listed
    /// values only; personal data is never passed to a logger.
    /// </summary>
    public static IServiceCollection AddFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var openTelemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(Operations.OperationalStateFunction.MeterName));
        if (!string.IsNullOrEmpty(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            var clientId = configuration["AzureWebJobsStorage:clientId"];
            openTelemetry.UseAzureMonitorExporter(options =>
                options.Credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId }));
        }

        return services;
    }
}
