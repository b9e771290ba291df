using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>
/// Writes a job's progress and, when it is completed, its results streamed part by part from
/// storage (a 100,000-certificate job is about 15 MB of JSON; no more than one part is in memory).
/// </summary>
public sealed class StatusJobResult(StatusJobProgress progress, IStatusJobStore store) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(http.Response.Body);
        writer.WriteStartObject();
        // Values are copied as the API's serializer wrote them (WriteTo would escape them again, e.g. '+' in times).
        foreach (var property in JsonSerializer.SerializeToElement(progress.View, ApiJson.Options).EnumerateObject())
        {
            writer.WritePropertyName(property.Name);
            writer.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
        }

        if (progress.View.Status == "completed")
        {
            writer.WriteStartArray("results");
            foreach (var part in progress.ResultParts)
            {
                var results = await store.ReadResultsAsync(progress.View.JobId, part, http.RequestAborted)
                    ?? throw new InvalidOperationException($"The results of part {part} of a completed job are missing.");
                using var document = JsonDocument.Parse(results);
                foreach (var result in document.RootElement.EnumerateArray())
                {
                    writer.WriteRawValue(result.GetRawText(), skipInputValidation: true);
                }

                await writer.FlushAsync(http.RequestAborted);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted);
    }
}
