using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Delegation;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Azure;

public static class DelegationServiceCollectionExtensions
{
    /// <summary>
    /// Electronic delegation: <c>Delegation:*</c> (validated here), the service and its Table Storage
    /// adapter. Needs the JPKI verifier, a <see cref="TableServiceClient"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddDelegation(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(ReadOptions(configuration));
        services.AddSingleton<IDelegationStore>(sp => new TableDelegationStore(
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "Delegations"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "DelegationNumbers")));
        services.AddSingleton<DelegationService>();
        return services;
    }

    /// <summary>Reads <c>Delegation:Procedures</c> (a list, or one comma-separated value).</summary>
    public static DelegationOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Delegation:Procedures");
        var procedures = section.GetChildren().Select(c => c.Value).ToList() is { Count: > 0 } list
            ? list
            : (section.Value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [.. DelegationOptions.DefaultProcedures]).ToList<string?>();
        if (procedures.Count == 0 || procedures.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 100 || p.Any(char.IsControl)))
        {
            throw new InvalidOperationException("Configuration key 'Delegation:Procedures' must list 1 or more procedure ids of at most 100 characters.");
        }

        return new DelegationOptions(new HashSet<string>(procedures!, StringComparer.Ordinal));
    }
}
