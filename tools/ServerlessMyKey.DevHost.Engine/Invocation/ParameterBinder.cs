using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.DevHost.Metadata;

namespace ServerlessMyKey.DevHost.Invocation;

/// <summary>
/// Decides, once at start-up, how each parameter of a function method is supplied — the binding
/// types ARCHITECTURE.md allows: HttpRequest, queue message (string, bytes, POCO), TimerInfo,
/// DurableTaskClient, TaskOrchestrationContext, activity input, binding data, CancellationToken.
/// Anything else is refused with a message naming the function and parameter.
/// </summary>
internal static class ParameterBinder
{
    /// <summary>JSON options of the isolated worker's default serializer.</summary>
    public static readonly JsonSerializerOptions WorkerJson = new(JsonSerializerDefaults.Web);

    private static readonly string[] QueueBindingData = ["id", "dequeueCount", "insertionTime", "expirationTime", "nextVisibleTime", "popReceipt", "queueTrigger"];

    public static Func<InvocationContext, object?> Create(FunctionMetadata function, ParameterInfo parameter)
    {
        var where = $"function '{function.Name}', parameter '{parameter.Name}' ({parameter.ParameterType.Name})";
        var type = parameter.ParameterType;
        var attributes = parameter.GetCustomAttributes().Select(a => a.GetType().Name).ToList();

        if (type == typeof(CancellationToken))
        {
            return ctx => ctx.CancellationToken;
        }

        if (type == typeof(FunctionContext))
        {
            throw new UnsupportedBindingException($"The DevHost cannot supply FunctionContext ({where}); take the services you need through the constructor (ARCHITECTURE.md).");
        }

        if (attributes.Contains(nameof(HttpTriggerAttribute)))
        {
            return type == typeof(HttpRequest)
                ? ctx => ctx.HttpContext!.Request
                : throw new UnsupportedBindingException($"HTTP triggers must take Microsoft.AspNetCore.Http.HttpRequest ({where}).");
        }

        if (attributes.Contains(nameof(QueueTriggerAttribute)))
        {
            return ctx => ConvertMessage((string)ctx.TriggerValue!, type);
        }

        if (attributes.Contains(nameof(TimerTriggerAttribute)))
        {
            return type == typeof(TimerInfo)
                ? ctx => ctx.TriggerValue
                : throw new UnsupportedBindingException($"Timer triggers must take TimerInfo ({where}).");
        }

        if (attributes.Contains(nameof(OrchestrationTriggerAttribute)))
        {
            return type == typeof(TaskOrchestrationContext)
                ? ctx => ctx.TriggerValue
                : throw new UnsupportedBindingException($"Orchestration triggers must take TaskOrchestrationContext ({where}).");
        }

        if (attributes.Contains(nameof(ActivityTriggerAttribute)))
        {
            return ctx => ctx.TriggerValue;
        }

        if (attributes.Contains(nameof(DurableClientAttribute)))
        {
            return type == typeof(DurableTaskClient)
                ? ctx => ctx.DurableClient ?? throw new InvalidOperationException("The Durable client is not running.")
                : throw new UnsupportedBindingException($"[DurableClient] must be a DurableTaskClient ({where}).");
        }

        var bindingAttribute = parameter.GetCustomAttributes().FirstOrDefault(a => a.GetType().Namespace?.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal) == true);
        if (bindingAttribute is not null)
        {
            throw new UnsupportedBindingException($"The DevHost cannot supply the binding [{bindingAttribute.GetType().Name}] ({where}).");
        }

        // A plain parameter is binding data: route values, instanceId, queue message properties.
        var trigger = function.Trigger;
        var known = trigger.Type switch
        {
            "httpTrigger" => RouteParameters(trigger.Route),
            "activityTrigger" or "orchestrationTrigger" => ["instanceId"],
            "queueTrigger" => QueueBindingData,
            _ => [],
        };
        if (!known.Contains(parameter.Name!, StringComparer.OrdinalIgnoreCase))
        {
            throw new UnsupportedBindingException($"The DevHost cannot supply {where}: it is neither a binding it knows nor binding data of a {trigger.Type}.");
        }

        var name = parameter.Name!;
        return ctx => ctx.BindingData.TryGetValue(name, out var value) ? ConvertValue(value, type) : DefaultOf(type);
    }

    public static object? ConvertMessage(string text, Type type)
    {
        if (type == typeof(string))
        {
            return text;
        }

        if (type == typeof(byte[]))
        {
            return System.Text.Encoding.UTF8.GetBytes(text);
        }

        if (type == typeof(BinaryData))
        {
            return BinaryData.FromString(text);
        }

        return JsonSerializer.Deserialize(text, type, WorkerJson);
    }

    private static object? ConvertValue(object? value, Type type)
    {
        if (value is null || type.IsInstanceOfType(value))
        {
            return value;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        var converter = TypeDescriptor.GetConverter(target);
        return value is string s && converter.CanConvertFrom(typeof(string))
            ? converter.ConvertFromString(null, CultureInfo.InvariantCulture, s)
            : Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private static string[] RouteParameters(string? route) =>
        route is null
            ? []
            : [.. System.Text.RegularExpressions.Regex.Matches(route, @"\{\*?([A-Za-z0-9_]+)").Select(m => m.Groups[1].Value)];
}
