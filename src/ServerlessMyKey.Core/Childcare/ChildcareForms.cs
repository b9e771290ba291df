using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>One violation of a form's schema: a JSON Pointer (RFC 6901) into the request and a message.</summary>
public sealed record FormViolation(string Pointer, string Message);

/// <summary>
/// The versioned JSON Schemas of the forms (e-Gov's form_id + form_version), kept in the repository
/// as <c>Childcare/Forms/&lt;formId&gt;.v&lt;version&gt;.schema.json</c> and checked with JsonSchema.Net
/// (draft 2020-12, formats asserted). Every violation is reported, not only the first.
/// </summary>
public static class ChildcareForms
{
    public const string EmploymentCertificateForm = "childcare.employment-certificate";
    private const int MaxViolations = 50;

    private static readonly ConcurrentDictionary<string, JsonSchema?> Schemas = new(StringComparer.Ordinal);

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Whether a schema exists for this form id and version.</summary>
    public static bool Exists(string formId, int version) => Load(formId, version) is not null;

    /// <summary>The violations of <paramref name="form"/> (empty when valid); pointers start with <paramref name="pointerPrefix"/>.</summary>
    public static IReadOnlyList<FormViolation> Validate(string formId, int version, JsonElement form, string pointerPrefix)
    {
        var schema = Load(formId, version) ?? throw new ServiceException(ErrorCodes.UnknownProcedure, $"No form '{formId}' version {version}.");
        var results = schema.Evaluate(form, Evaluation);
        if (results.IsValid)
        {
            return [];
        }

        var violations = new List<FormViolation>();
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (_, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                violations.Add(new FormViolation(pointerPrefix + detail.InstanceLocation, message));
            }
        }

        if (results.Errors is { } top)
        {
            violations.AddRange(top.Select(e => new FormViolation(pointerPrefix + results.InstanceLocation, e.Value)));
        }

        return violations.Count == 0
            ? [new FormViolation(pointerPrefix, "The form does not match its schema.")]
            : violations.Distinct().Take(MaxViolations).ToList();
    }

    /// <summary>Throws <c>form_invalid</c> with every violation as <c>errors:[{pointer,message}]</c>.</summary>
    public static void Require(string formId, int version, JsonElement form, string pointerPrefix)
    {
        var violations = Validate(formId, version, form, pointerPrefix);
        if (violations.Count > 0)
        {
            throw Invalid(violations);
        }
    }

    public static ServiceException Invalid(IReadOnlyList<FormViolation> violations) =>
        new(ErrorCodes.FormInvalid, $"{violations.Count} field(s) of the form are invalid.")
        {
            Extensions = new Dictionary<string, object> { ["errors"] = violations },
        };

    private static JsonSchema? Load(string formId, int version) => Schemas.GetOrAdd($"{formId}.v{version}", static name =>
    {
        using var stream = typeof(ChildcareForms).Assembly.GetManifestResourceStream($"childcare.forms.{name}.schema.json");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });
}
