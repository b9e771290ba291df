using System.Reflection;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessMyKey.DevHost.Invocation;

namespace ServerlessMyKey.DevHost.Durable;

/// <summary>Registers the app's orchestration and activity functions with the Durable Task worker.</summary>
internal static class FunctionTasks
{
    public static void Register(DurableTaskRegistry registry, FunctionCatalog catalog, Func<IServiceProvider> rootServices)
    {
        foreach (var function in catalog.WithTrigger("orchestrationTrigger"))
        {
            registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function, rootServices()));
        }

        foreach (var function in catalog.WithTrigger("activityTrigger"))
        {
            registry.AddActivity(function.Name, services => new FunctionActivity(function, services));
        }
    }

    private sealed class FunctionOrchestrator(HostedFunction function, IServiceProvider services) : ITaskOrchestrator
    {
        public Type InputType => typeof(JsonElement?);

        public Type OutputType => typeof(object);

        public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var converter = services.GetRequiredService<IOptionsMonitor<DurableTaskWorkerOptions>>().Get(Options.DefaultName).DataConverter;
            return await function.InvokeAsync(new InvocationContext
            {
                Services = services,
                TriggerValue = new FunctionsOrchestrationContext(context, (JsonElement?)input, converter),
                BindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["instanceId"] = context.InstanceId },
            });
        }
    }

    private sealed class FunctionActivity(HostedFunction function, IServiceProvider services) : ITaskActivity
    {
        public Type InputType { get; } = function.Method.GetParameters()
            .FirstOrDefault(p => p.GetCustomAttributes().Any(a => a.GetType().Name == "ActivityTriggerAttribute"))?.ParameterType ?? typeof(object);

        public Type OutputType => function.ResultType == typeof(void) ? typeof(object) : function.ResultType;

        public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
            function.InvokeAsync(new InvocationContext
            {
                Services = services,
                TriggerValue = input,
                DurableClient = services.GetService<DurableTaskClient>(),
                BindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["instanceId"] = context.InstanceId },
            });
    }
}
