using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.OpenApi;

/// <summary>
/// Builds the OpenAPI 3 document from the HTTP-triggered functions of this assembly: every
/// <c>[Function]</c> with an <c>[HttpTrigger]</c> becomes an operation at its route and methods.
/// </summary>
public static partial class OpenApiDocumentFactory
{
    /// <summary>The route prefix of host.json (<c>extensions.http.routePrefix</c>).</summary>
    public const string RoutePrefix = "api";

    private static readonly Lazy<string> CachedJson = new(() => Create().Serialize(OpenApiSpecVersion.OpenApi3_0, OpenApiFormat.Json));

    /// <summary>The document as JSON, built once per process.</summary>
    public static string Json => CachedJson.Value;

    public static OpenApiDocument Create(Assembly? functionsAssembly = null)
    {
        functionsAssembly ??= typeof(OpenApiDocumentFactory).Assembly;
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "ServerlessMyKey API",
                Version = "1.0.0",
                Description = "JPKI (公的個人認証) login and signature verification, the MyKey platform and municipal points, "
                    + "electronic delegation and the other services of ServerlessMyKey. Errors are RFC 9457 problem+json with a stable `code`.",
            },
            Servers = [new OpenApiServer { Url = "/" + RoutePrefix }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, OpenApiSchema> { ["Problem"] = ProblemSchema() },
                SecuritySchemes = new Dictionary<string, OpenApiSecurityScheme>
                {
                    ["citizen"] = new() { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "Access token from POST /auth/sessions." },
                    ["serviceClient"] = new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-api-key", Description = "Service-client API key (Clients:<id>:ApiKey)." },
                    ["webhook"] = new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-mykey-signature", Description = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>" },
                },
            },
        };

        foreach (var (method, trigger, operation) in HttpFunctions(functionsAssembly).OrderBy(f => f.Trigger.Route, StringComparer.Ordinal))
        {
            var path = "/" + StripConstraints(trigger.Route ?? method.GetCustomAttribute<FunctionAttribute>()!.Name);
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem();
                document.Paths.Add(path, item);
            }

            foreach (var verb in trigger.Methods ?? ["get", "post"])
            {
                item.Operations[Enum.Parse<OperationType>(verb, ignoreCase: true)] = CreateOperation(method, trigger, operation, document);
            }
        }

        return document;
    }

    /// <summary>Every HTTP-triggered function method of the assembly.</summary>
    public static IEnumerable<(MethodInfo Method, HttpTriggerAttribute Trigger, ApiOperationAttribute? Operation)> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is null)
                {
                    continue;
                }

                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
                if (trigger is not null)
                {
                    yield return (method, trigger, method.GetCustomAttribute<ApiOperationAttribute>());
                }
            }
        }
    }

    private static OpenApiOperation CreateOperation(MethodInfo method, HttpTriggerAttribute trigger, ApiOperationAttribute? description, OpenApiDocument document)
    {
        var operation = new OpenApiOperation
        {
            OperationId = method.GetCustomAttribute<FunctionAttribute>()!.Name,
            Summary = description?.Summary,
            Tags = [new OpenApiTag { Name = description?.Tag ?? "Other" }],
        };

        foreach (Match match in RouteParameter().Matches(trigger.Route ?? string.Empty))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = match.Groups["name"].Value,
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = "string" },
            });
        }

        foreach (var name in description?.Query ?? [])
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = false,
                Schema = new OpenApiSchema { Type = "string" },
            });
        }

        if (description?.Idempotent == true)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key",
                In = ParameterLocation.Header,
                Description = "Repeating a request with the same key and body returns the first response.",
                Schema = new OpenApiSchema { Type = "string", MaxLength = 128 },
            });
        }

        if (description?.RequestContentTypes is { Length: > 0 } contentTypes)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = "string" } }),
            };
        }

        if (description?.RequestBody is { } bodyType)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = SchemaReference(bodyType, document) },
                },
            };
        }

        foreach (var scheme in SecuritySchemes(description?.Caller ?? ApiCaller.Anonymous))
        {
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = scheme } }] = [],
            });
        }

        foreach (var status in (description?.Responses ?? [200]).Concat([400, 413]).Distinct().Order())
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = status < 400
                ? new OpenApiResponse
                {
                    Description = "Success",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = description?.ResponseBody is { } responseType ? new() { Schema = SchemaReference(responseType, document) } : new(),
                    },
                }
                : new OpenApiResponse
                {
                    Description = string.Join(", ", ErrorCodes.All.Where(e => e.Status == status).Select(e => e.Code)) is { Length: > 0 } codes ? codes : "Error",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = "Problem" } } },
                    },
                };
        }

        return operation;
    }

    private static IEnumerable<string> SecuritySchemes(ApiCaller caller) => caller switch
    {
        ApiCaller.Citizen => ["citizen"],
        ApiCaller.ServiceClient => ["serviceClient"],
        ApiCaller.CitizenAndServiceClient => ["citizen", "serviceClient"],
        ApiCaller.Webhook => ["webhook"],
        _ => [],
    };

    private static OpenApiSchema SchemaReference(Type type, OpenApiDocument document)
    {
        var name = type.Name;
        if (!document.Components.Schemas.ContainsKey(name))
        {
            var schema = new OpenApiSchema { Type = "object" };
            document.Components.Schemas[name] = schema;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                schema.Properties[char.ToLowerInvariant(property.Name[0]) + property.Name[1..]] = PropertySchema(property.PropertyType, document);
            }
        }

        return new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = name } };
    }

    private static OpenApiSchema PropertySchema(Type type, OpenApiDocument document)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => new OpenApiSchema { Type = "string" },
            _ when type == typeof(System.Text.Json.JsonElement) => new OpenApiSchema(), // any JSON value (a signed document)
            _ when type == typeof(bool) => new OpenApiSchema { Type = "boolean" },
            _ when type == typeof(int) || type == typeof(long) => new OpenApiSchema { Type = "integer" },
            _ when type == typeof(decimal) || type == typeof(double) => new OpenApiSchema { Type = "number" },
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => new OpenApiSchema { Type = "string", Format = "date-time" },
            _ when type.IsEnum => new OpenApiSchema { Type = "string" },
            _ when DictionaryValueType(type) is { } valueType => new OpenApiSchema { Type = "object", AdditionalProperties = PropertySchema(valueType, document) },
            _ when type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable)) =>
                new OpenApiSchema { Type = "array", Items = type.IsArray ? PropertySchema(type.GetElementType()!, document) : type.IsGenericType ? PropertySchema(type.GetGenericArguments()[^1], document) : new OpenApiSchema() },
            _ => SchemaReference(type, document),
        };
    }

    private static Type? DictionaryValueType(Type type) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() is { } definition && (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))?.GetGenericArguments()[1];

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = "object",
        Description = "RFC 9457 problem details.",
        Required = new HashSet<string> { "type", "title", "status", "code" },
        Properties = new Dictionary<string, OpenApiSchema>
        {
            ["type"] = new() { Type = "string", Format = "uri" },
            ["title"] = new() { Type = "string" },
            ["status"] = new() { Type = "integer" },
            ["detail"] = new() { Type = "string" },
            ["instance"] = new() { Type = "string" },
            ["code"] = new() { Type = "string", Enum = [.. ErrorCodes.All.Select(e => (Microsoft.OpenApi.Any.IOpenApiAny)new Microsoft.OpenApi.Any.OpenApiString(e.Code))] },
        },
    };

    private static string StripConstraints(string route) => RouteParameter().Replace(route, m => "{" + m.Groups["name"].Value + "}");

    [GeneratedRegex(@"\{\*?(?<name>[A-Za-z0-9_]+)(:[^}?]+)?\??\}")]
    private static partial Regex RouteParameter();
}
