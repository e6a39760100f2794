using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Factory.Bundles;

/// <summary>
/// The JSON form of one trace event, as a line of <c>trace.jsonl</c> and of a bundle's <c>events.jsonl</c>:
/// camelCase properties in a fixed order, attributes sorted by key.
/// </summary>
public static class TraceEventJson
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>One event as a JSON object on one line, attributes sorted by key.</summary>
    public static string Serialize(TraceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return JsonSerializer.Serialize(new
        {
            e.Sequence,
            e.EventId,
            e.Type,
            e.RunId,
            e.TenantId,
            e.TraceId,
            e.SpanId,
            e.ParentSpanId,
            e.Module,
            e.Agent,
            e.Skill,
            e.Time,
            Attributes = new SortedDictionary<string, string>(e.Attributes, StringComparer.Ordinal),
        }, Json);
    }

    /// <summary>Reads a line <see cref="Serialize"/> wrote back into an event.</summary>
    /// <exception cref="JsonException">The line is not such an event.</exception>
    public static TraceEvent Deserialize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return JsonSerializer.Deserialize<TraceEvent>(line, Json) ?? throw new JsonException("The line holds no trace event.");
    }
}
