using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.DevHost.Metadata;

namespace ServerlessMyKey.DevHost.Invocation;

/// <summary>A function from functions.metadata bound to its method, ready to invoke.</summary>
public sealed class HostedFunction
{
    private readonly Func<InvocationContext, object?>[] _binders;

    // Built once, as the Functions worker's activator does: matching the constructor by reflection on every call cost CPU per request.
    private readonly Lazy<ObjectFactory>? _activator;

    private HostedFunction(FunctionMetadata metadata, MethodInfo method, Func<InvocationContext, object?>[] binders)
    {
        Metadata = metadata;
        Method = method;
        _binders = binders;
        _activator = method.IsStatic ? null : new Lazy<ObjectFactory>(() => ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes));
    }

    public FunctionMetadata Metadata { get; }

    public MethodInfo Method { get; }

    public string Name => Metadata.Name;

    public BindingMetadata Trigger => Metadata.Trigger;

    /// <summary>The declared result type once Task/ValueTask are unwrapped (<c>typeof(void)</c> for none).</summary>
    public Type ResultType
    {
        get
        {
            var type = Method.ReturnType;
            if (type == typeof(Task) || type == typeof(ValueTask) || type == typeof(void))
            {
                return typeof(void);
            }

            return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
                ? type.GetGenericArguments()[0]
                : type;
        }
    }

    public static HostedFunction Create(FunctionMetadata metadata, System.Reflection.Assembly assembly)
    {
        var lastDot = metadata.EntryPoint.LastIndexOf('.');
        var typeName = metadata.EntryPoint[..lastDot];
        var methodName = metadata.EntryPoint[(lastDot + 1)..];
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"Function '{metadata.Name}': type '{typeName}' is not in {assembly.GetName().Name}.");
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .SingleOrDefault(m => m.Name == methodName && m.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>()?.Name == metadata.Name)
            ?? throw new InvalidOperationException($"Function '{metadata.Name}': no [Function(\"{metadata.Name}\")] method '{methodName}' on {typeName}.");

        foreach (var binding in metadata.Bindings.Where(b => b.IsOutput && b.Type != "http"))
        {
            throw new UnsupportedBindingException($"Function '{metadata.Name}' uses the output binding '{binding.Type}' ({binding.Name}), which the DevHost cannot supply; write through a client from DI instead.");
        }

        var trigger = metadata.Trigger.Type;
        if (trigger is not ("httpTrigger" or "queueTrigger" or "timerTrigger" or "orchestrationTrigger" or "activityTrigger"))
        {
            throw new UnsupportedBindingException($"Function '{metadata.Name}' uses the trigger '{trigger}', which the DevHost cannot supply.");
        }

        var binders = method.GetParameters().Select(p => ParameterBinder.Create(metadata, p)).ToArray();
        return new HostedFunction(metadata, method, binders);
    }

    /// <summary>
    /// Invokes the method (a new instance per call for instance methods, like the Functions worker)
    /// and unwraps its result. Awaits stay on the caller's context: orchestrator code must resume on
    /// the orchestration's own scheduler, or the Durable executor never sees it finish.
    /// </summary>
    public async Task<object?> InvokeAsync(InvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var instance = _activator?.Value.Invoke(context.Services, null);
        try
        {
            var arguments = _binders.Select(b => b(context)).ToArray();
            object? returned;
            try
            {
                returned = Method.Invoke(instance, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }

            switch (returned)
            {
                case Task task:
                    await task;
                    return ResultType == typeof(void) ? null : task.GetType().GetProperty("Result")!.GetValue(task);
                case ValueTask valueTask:
                    await valueTask;
                    return null;
                default:
                    if (returned is not null && returned.GetType().IsGenericType && returned.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>))
                    {
                        var asTask = (Task)returned.GetType().GetMethod("AsTask")!.Invoke(returned, null)!;
                        await asTask;
                        return asTask.GetType().GetProperty("Result")!.GetValue(asTask);
                    }

                    return returned;
            }
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
