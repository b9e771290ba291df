using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessMyKey.DevHost.Metadata;

/// <summary>One entry of the <c>functions.metadata</c> file the Worker SDK writes at build.</summary>
public sealed record FunctionMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("scriptFile")] string ScriptFile,
    [property: JsonPropertyName("entryPoint")] string EntryPoint,
    [property: JsonPropertyName("bindings")] IReadOnlyList<BindingMetadata> Bindings)
{
    public const string FileName = "functions.metadata";

    public BindingMetadata Trigger =>
        Bindings.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"Function '{Name}' has no trigger binding in {FileName}.");

    public static IReadOnlyList<FunctionMetadata> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {FileName} at '{path}'. Build the Functions app first (the Worker SDK writes it at build).", path);
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<List<FunctionMetadata>>(stream)
            ?? throw new InvalidOperationException($"'{path}' is empty.");
    }
}

/// <summary>A binding of a function; the properties the DevHost uses are typed, the rest kept raw.</summary>
public sealed record BindingMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("direction")] string Direction)
{
    [JsonPropertyName("route")]
    public string? Route { get; init; }

    [JsonPropertyName("methods")]
    public IReadOnlyList<string>? Methods { get; init; }

    [JsonPropertyName("queueName")]
    public string? QueueName { get; init; }

    [JsonPropertyName("connection")]
    public string? Connection { get; init; }

    [JsonPropertyName("schedule")]
    public string? Schedule { get; init; }

    [JsonPropertyName("runOnStartup")]
    public bool RunOnStartup { get; init; }

    [JsonPropertyName("dataType")]
    public string? DataType { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    public bool IsOutput => Direction.Equals("Out", StringComparison.OrdinalIgnoreCase);
}
