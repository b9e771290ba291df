using System.Reflection;
using ServerlessMyKey.DevHost.Metadata;

namespace ServerlessMyKey.DevHost.Invocation;

/// <summary>Every function of the app, bound at start-up; any binding the DevHost cannot supply fails here.</summary>
public sealed class FunctionCatalog(IReadOnlyList<HostedFunction> functions)
{
    public IReadOnlyList<HostedFunction> Functions { get; } = functions;

    public IEnumerable<HostedFunction> WithTrigger(string triggerType) =>
        Functions.Where(f => f.Trigger.Type.Equals(triggerType, StringComparison.OrdinalIgnoreCase));

    public static FunctionCatalog Load(string metadataPath, Assembly functionsAssembly)
    {
        var metadata = FunctionMetadata.Load(metadataPath);
        var problems = new List<string>();
        var functions = new List<HostedFunction>();
        foreach (var entry in metadata)
        {
            try
            {
                functions.Add(HostedFunction.Create(entry, functionsAssembly));
            }
            catch (UnsupportedBindingException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems.Count == 0
            ? new FunctionCatalog(functions)
            : throw new UnsupportedBindingException("The DevHost cannot run this app:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
    }
}
