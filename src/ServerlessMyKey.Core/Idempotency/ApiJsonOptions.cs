using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessMyKey.Core.Idempotency;

/// <summary>
/// The JSON conventions of the API (camelCase, no nulls written). Responses kept for idempotent
/// replay are serialized with them here, so a replay is byte for byte the first response.
/// </summary>
public static class ApiJsonOptions
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 32,
    };

    public static byte[] Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);
    }
}
