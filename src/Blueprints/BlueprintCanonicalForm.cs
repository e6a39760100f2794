using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Factory.Blueprints;

/// <summary>
/// The canonical form of a blueprint: compact JSON with keys in the model's declaration order, every member
/// written (defaults included), enums as lower-case strings, normalized decimals, lists in document order and
/// policy rules sorted by id. Two texts that differ only in comments, key order, quoting or whitespace have the
/// same canonical form; any change of value changes it. The canonical JSON is itself a loadable blueprint.
/// </summary>
public static class BlueprintCanonicalForm
{
    /// <summary>Writes the canonical JSON of <paramref name="blueprint"/>.</summary>
    public static string ToJson(Blueprint blueprint)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            WriteBlueprint(writer, blueprint);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="canonicalJson"/>.</summary>
    public static string Sha256Hex(string canonicalJson)
    {
        ArgumentNullException.ThrowIfNull(canonicalJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
    }

    /// <summary>
    /// Removes trailing zeros so that equal numbers have one text: <c>1.0</c> and <c>1</c> both give <c>1</c>.
    /// </summary>
    public static string FormatDecimal(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text is "-0" or "" ? "0" : text;
    }

    private static void WriteBlueprint(Utf8JsonWriter w, Blueprint b)
    {
        w.WriteStartObject();
        w.WriteString("apiVersion", b.ApiVersion);

        w.WriteStartObject("metadata");
        w.WriteString("name", b.Metadata.Name);
        w.WriteString("version", b.Metadata.Version);
        w.WriteString("description", b.Metadata.Description);
        w.WriteString("owner", b.Metadata.Owner);
        w.WriteEndObject();

        w.WriteStartObject("domain");
        w.WriteStartArray("entities");
        foreach (var entity in b.Domain.Entities)
        {
            w.WriteStartObject();
            w.WriteString("name", entity.Name);
            w.WriteString("description", entity.Description);
            WriteFields(w, entity.Fields);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("events");
        foreach (var evt in b.Domain.Events)
        {
            w.WriteStartObject();
            w.WriteString("name", evt.Name);
            w.WriteString("description", evt.Description);
            w.WriteString("entity", evt.Entity);
            WriteFields(w, evt.Fields);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("modules");
        foreach (var module in b.Modules)
        {
            WriteModule(w, module);
        }

        w.WriteEndArray();

        w.WriteStartObject("policies");
        w.WriteStartObject("rules");
        foreach (var (id, mode) in b.Policies.Rules.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            w.WriteString(id, Lower(mode));
        }

        w.WriteEndObject();
        WriteDecimal(w, "minTestCoverage", b.Policies.MinTestCoverage);
        if (b.Policies.CostBudgetUsd is { } budget)
        {
            WriteDecimal(w, "costBudgetUsd", budget);
        }
        else
        {
            w.WriteNull("costBudgetUsd");
        }

        w.WriteEndObject();

        w.WriteStartArray("secrets");
        foreach (var secret in b.Secrets)
        {
            w.WriteStartObject();
            w.WriteString("name", secret.Name);
            w.WriteString("ref", secret.Ref);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("environments");
        foreach (var environment in b.Environments)
        {
            w.WriteStartObject();
            w.WriteString("name", environment.Name);
            w.WriteNumber("replicas", environment.Replicas);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteModule(Utf8JsonWriter w, ModuleSpec module)
    {
        w.WriteStartObject();
        w.WriteString("name", module.Name);
        w.WriteString("kind", Lower(module.Kind));
        w.WriteString("description", module.Description);
        WriteStrings(w, "entities", module.Entities);
        WriteStrings(w, "publishes", module.Publishes);
        WriteStrings(w, "consumes", module.Consumes);
        WriteStrings(w, "dependsOn", module.DependsOn);
        w.WriteStartArray("operations");
        foreach (var operation in module.Operations)
        {
            w.WriteStartObject();
            w.WriteString("name", operation.Name);
            w.WriteString("method", Lower(operation.Method));
            w.WriteString("path", operation.Path);
            w.WriteString("scope", operation.Scope);
            w.WriteString("input", operation.Input);
            w.WriteString("output", operation.Output);
            w.WriteBoolean("outputIsList", operation.OutputIsList);
            w.WriteString("description", operation.Description);
            w.WriteString("behavior", operation.Behavior);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter w, IReadOnlyList<FieldSpec> fields)
    {
        w.WriteStartArray("fields");
        foreach (var field in fields)
        {
            w.WriteStartObject();
            w.WriteString("name", field.Name);
            w.WriteString("type", Lower(field.Type));
            w.WriteBoolean("required", field.Required);
            if (field.MaxLength is { } maxLength)
            {
                w.WriteNumber("maxLength", maxLength);
            }
            else
            {
                w.WriteNull("maxLength");
            }

            w.WriteBoolean("pii", field.Pii);
            WriteStrings(w, "values", field.Values);
            w.WriteString("description", field.Description);
            if (field.Example.Length > 0)
            {
                w.WriteString("example", field.Example); // written only when set: blueprints without examples keep their hashes
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteDecimal(Utf8JsonWriter w, string name, decimal value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(FormatDecimal(value), skipInputValidation: false);
    }

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
