using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Documents;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Documents;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Childcare;

public static class ChildcareServiceCollectionExtensions
{
    public const string ContainerName = "childcare-applications";

    /// <summary>
    /// The child-care one-stop service: <c>Childcare:*</c> (validated here), its services, workflow steps
    /// and activities, Table Storage and encrypted Blob Storage adapters. Needs the mailbox, delegation
    /// and signature services.
    /// </summary>
    public static IServiceCollection AddChildcare(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(ReadOptions(configuration));
        services.AddIdempotencyClaims(tablePrefix);
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<IApplicationStore>(sp => new TableApplicationStore(
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "ChildcareApplications"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "ChildcareRequests"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "ChildcareSigners"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "ChildcareApplicants")));
        services.AddSingleton(sp => new ApplicationDocuments(new EncryptedDocuments(
            new BlobDocuments(sp.GetRequiredService<BlobServiceClient>(), ContainerName), sp.GetRequiredService<EnvelopeEncryption>())));
        services.AddSingleton<ApplicationSigner>();
        services.AddSingleton<ApplicationReader>();
        services.AddSingleton<ApplicationIntake>();
        services.AddSingleton<EmploymentCertificates>();
        services.AddSingleton<MunicipalityDesk>();
        services.AddSingleton<IApplicationWorkflowSteps, ApplicationWorkflowSteps>();
        services.AddTransient<RemindParentActivity>();
        services.AddTransient<HandToMunicipalityActivity>();
        services.AddTransient<DeliverNoticeActivity>();
        services.AddTransient<CloseRequestsActivity>();
        return services;
    }

    /// <summary>Reads <c>Childcare:Procedures</c>, <c>Childcare:Municipalities:&lt;code&gt;:Clients</c> and <c>Childcare:EmployerResponseDays</c>.</summary>
    public static ChildcareOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var procedures = DelegationServiceCollectionExtensions.ReadList(configuration, "Childcare:Procedures") ?? [.. ChildcareProcedures.All];
        if (procedures.Count == 0 || procedures.Any(p => p is null || !ChildcareProcedures.All.Contains(p)))
        {
            throw new InvalidOperationException($"Configuration key 'Childcare:Procedures' must list procedures among {string.Join(", ", ChildcareProcedures.All)}.");
        }

        var municipalities = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var municipality in configuration.GetSection("Childcare:Municipalities").GetChildren())
        {
            var clients = DelegationServiceCollectionExtensions.ReadList(configuration, $"Childcare:Municipalities:{municipality.Key}:Clients") ?? [];
            if (!ApplicationIds.IsMunicipalityCode(municipality.Key) || clients.Count == 0 || clients.Any(c => !Core.Validation.RequestFields.IsId(c)))
            {
                throw new InvalidOperationException($"Configuration key 'Childcare:Municipalities:{municipality.Key}:Clients' must list service client ids, under a 6-digit municipality code.");
            }

            municipalities[municipality.Key] = new HashSet<string>(clients!, StringComparer.Ordinal);
        }

        var raw = configuration["Childcare:EmployerResponseDays"];
        var days = 14.0;
        if (raw is not null && (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out days) || days is < 0.0001 or > 365))
        {
            throw new InvalidOperationException("Configuration key 'Childcare:EmployerResponseDays' must be a number of days, 0.0001–365.");
        }

        return new ChildcareOptions(new HashSet<string>(procedures!, StringComparer.Ordinal), municipalities, TimeSpan.FromDays(days));
    }
}
