using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Azure.Tickets;
using ServerlessMyKey.Core.Tickets;

namespace ServerlessMyKey.Azure;

public static class TicketsServiceCollectionExtensions
{
    /// <summary>Ticketless entry: the service and its Table Storage adapter (one partition per event). Needs JPKI login.</summary>
    public static IServiceCollection AddTickets(this IServiceCollection services, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ITicketStore>(sp => new TableTicketStore(new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "TicketEvents")));
        services.AddSingleton<TicketService>();
        return services;
    }
}
