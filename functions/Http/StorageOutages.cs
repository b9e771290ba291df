using Azure;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Recognizes storage that did not answer (connection refused or reset, 5xx, the SDK's retries
/// exhausted) among unexpected exceptions, so that the client is told <c>503 storage_unavailable</c>
/// and may retry — with the same <c>Idempotency-Key</c>, which makes the retry safe — instead of a 500.
/// </summary>
internal static class StorageOutages
{
    public static bool IsOutage(Exception exception) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsOutage),
        { InnerException: { } inner } => IsOutage(inner),
        _ => false,
    };
}
