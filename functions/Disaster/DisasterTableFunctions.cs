using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>The municipality's two tables (避難状況確認, 在宅状況確認) and its watching alerts, as JSON or CSV.</summary>
public sealed class DisasterTableFunctions(MunicipalityTables tables, WatchingService watching, ServiceClientAuthenticator clients, ILogger<DisasterTableFunctions> logger)
{
    private const string Tag = "Disaster: municipality tables";

    [Function("DisasterEvacuationStatus")]
    [ApiOperation(Tag, "避難状況確認 for an alert: each targeted resident of the caller's municipality with 確認状況 (evacuated|unconfirmed from shelter check-ins) and 発災時視聴状況 (tvAtAlert on|off|unknown at the alert's sent time); ?districtCode=, ?format=csv (UTF-8 with BOM, Japanese headers).",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, Query = ["districtCode", "format"], ResponseBody = typeof(EvacuationStatusTable), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> EvacuationStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/alerts/{alertId}/evacuation-status")] HttpRequest request,
        string alertId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, DisasterRoles.Admin);
            var csv = DisasterQuery.WantsCsv(request);
            var table = await tables.EvacuationStatusAsync(alertId, DisasterQuery.Optional(request, "districtCode"), caller, cancellationToken);
            return csv ? DisasterQuery.Csv(MunicipalityTableCsv.EvacuationStatus(table), $"evacuation-status-{table.AlertId}.csv") : ApiJson.Ok(table);
        });

    [Function("DisasterPresence")]
    [ApiOperation(Tag, "在宅状況確認: for each resident of the municipality, at home at each JST slot of the date (the TV on then, or any event in the hour before); ?municipalityCode=, ?date=YYYY-MM-DD (required), ?slots=09:00,15:00,21:00, ?districtCode=, ?format=csv.",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, Query = ["municipalityCode", "date", "slots", "districtCode", "format"], ResponseBody = typeof(PresenceTable), Responses = [200, 401, 403, 422])]
    public Task<IActionResult> Presence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/presence")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, DisasterRoles.Admin);
            var csv = DisasterQuery.WantsCsv(request);
            var table = await tables.PresenceAsync(DisasterQuery.Optional(request, "municipalityCode"), DisasterQuery.Optional(request, "date"),
                DisasterQuery.Optional(request, "slots"), DisasterQuery.Optional(request, "districtCode"), caller, cancellationToken);
            return csv ? DisasterQuery.Csv(MunicipalityTableCsv.Presence(table), $"presence-{table.MunicipalityCode}-{table.Date}.csv") : ApiJson.Ok(table);
        });

    [Function("DisasterWatchAlerts")]
    [ApiOperation(Tag, "The municipality's watching (見守り) alerts, newest first: TVs on too long or idle too long for residents who consented; ?municipalityCode= (required), ?limit=1–500 (100).",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, Query = ["municipalityCode", "limit"], ResponseBody = typeof(WatchAlertList), Responses = [200, 401, 403, 422])]
    public Task<IActionResult> WatchAlerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/watch-alerts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, DisasterRoles.Admin);
            return ApiJson.Ok(await watching.ListAsync(DisasterQuery.Optional(request, "municipalityCode"), QueryParameters.Limit(request), caller, cancellationToken));
        });

    /// <summary>The watching run (<c>Disaster:WatchSchedule</c>, every 15 minutes by default).</summary>
    [Function("DisasterWatching")]
    public Task Watch([TimerTrigger("%Disaster:WatchSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        watching.RunAsync(cancellationToken);
}
