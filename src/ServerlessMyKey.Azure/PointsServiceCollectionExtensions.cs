using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Facilities;
using ServerlessMyKey.Azure.Points;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Facilities;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Azure;

public static class PointsServiceCollectionExtensions
{
    /// <summary>
    /// MyKey points: the rules from <c>Points:*</c> (validated here, so bad configuration stops the
    /// app naming the key), the ledger service and its Table Storage adapters. Needs a
    /// <see cref="TableServiceClient"/> and a <see cref="TimeProvider"/> in the container.
    /// <paramref name="tablePrefix"/> lets tests keep their tables apart.
    /// </summary>
    public static IServiceCollection AddPoints(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(ReadRules(configuration));
        services.AddIdempotencyClaims(tablePrefix);
        services.AddSingleton<IPointsLedgerStore>(sp => new TablePointsLedgerStore(Table(sp, tablePrefix, "PointsLedger")));
        services.AddSingleton<IPointsDueIndex>(sp => new TablePointsDueIndex(Table(sp, tablePrefix, "PointsDue")));
        services.AddSingleton<IMerchantStore>(sp => new TableMerchantStore(Table(sp, tablePrefix, "PointsMerchants")));
        services.AddSingleton<PointsLedgerService>();
        return services;
    }

    /// <summary>Public-facility cards: the service and its Table Storage adapter.</summary>
    public static IServiceCollection AddFacilities(this IServiceCollection services, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddIdempotencyClaims(tablePrefix);
        services.AddSingleton<IFacilityStore>(sp => new TableFacilityStore(
            Table(sp, tablePrefix, "FacilityRegistry"), Table(sp, tablePrefix, "FacilityLinks"), Table(sp, tablePrefix, "FacilityCheckins")));
        services.AddSingleton<FacilityService>();
        return services;
    }

    /// <summary>Reads <c>Points:HoldingPeriodDays</c> and <c>Points:Municipalities:&lt;code&gt;:ExpiryRule</c> and <c>:GrantClients</c> (comma-separated client ids).</summary>
    public static PointsRules ReadRules(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Points");
        var municipalities = new Dictionary<string, ExpiryRule>(StringComparer.Ordinal);
        var grantClients = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var municipality in section.GetSection("Municipalities").GetChildren())
        {
            var key = $"Points:Municipalities:{municipality.Key}:ExpiryRule";
            if (!PointsRules.IsMunicipalityCode(municipality.Key))
            {
                throw new InvalidOperationException($"Configuration key '{key}': '{municipality.Key}' is not a 6-digit municipality code.");
            }

            try
            {
                municipalities[municipality.Key] = ExpiryRule.Parse(municipality["ExpiryRule"] ?? "EndOfNextFiscalYear");
                grantClients[municipality.Key] = (municipality["GrantClients"] ?? string.Empty)
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .ToHashSet(StringComparer.Ordinal);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Configuration key '{key}': {ex.Message}", ex);
            }
        }

        var holdingDays = section["HoldingPeriodDays"];
        if (holdingDays is null)
        {
            return new PointsRules(municipalities, grantClients: grantClients);
        }

        return int.TryParse(holdingDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 365
            ? new PointsRules(municipalities, TimeSpan.FromDays(days), grantClients)
            : throw new InvalidOperationException("Configuration key 'Points:HoldingPeriodDays' must be a whole number of days, 1–365.");
    }

    internal static void AddIdempotencyClaims(this IServiceCollection services, string tablePrefix) =>
        services.TryAddSingleton<IIdempotencyClaims>(sp => new TableIdempotencyClaims(
            IdempotencyClaimRows.Table(sp.GetRequiredService<TableServiceClient>(), tablePrefix, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>()));

    private static LazyTable Table(IServiceProvider services, string prefix, string name) =>
        new(services.GetRequiredService<TableServiceClient>(), prefix + name);
}
