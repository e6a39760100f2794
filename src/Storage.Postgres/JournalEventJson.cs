using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Factory.Storage.Postgres;

/// <summary>
/// The JSON form of a journaled <see cref="TraceEvent"/>: camelCase field names fixed here (renaming a
/// property of the record does not change stored rows), attributes as an object.
/// </summary>
public static class JournalEventJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>The event as one JSON object.</summary>
    public static string Serialize(TraceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return JsonSerializer.Serialize(new Row
        {
            Sequence = e.Sequence,
            EventId = e.EventId,
            Type = e.Type,
            RunId = e.RunId,
            TenantId = e.TenantId,
            TraceId = e.TraceId,
            SpanId = e.SpanId,
            ParentSpanId = e.ParentSpanId,
            Module = e.Module,
            Agent = e.Agent,
            Skill = e.Skill,
            Time = e.Time,
            Attributes = new SortedDictionary<string, string>(e.Attributes, StringComparer.Ordinal),
        }, Options);
    }

    /// <summary>The event stored as <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">The text is not a journaled event.</exception>
    public static TraceEvent Deserialize(string json)
    {
        var row = JsonSerializer.Deserialize<Row>(json, Options) ?? throw new JsonException("A journaled event is null.");
        return new TraceEvent
        {
            Sequence = row.Sequence,
            EventId = row.EventId,
            Type = row.Type,
            RunId = row.RunId,
            TenantId = row.TenantId,
            TraceId = row.TraceId,
            SpanId = row.SpanId,
            ParentSpanId = row.ParentSpanId,
            Module = row.Module,
            Agent = row.Agent,
            Skill = row.Skill,
            Time = row.Time,
            Attributes = row.Attributes.ToImmutableDictionary(StringComparer.Ordinal),
        };
    }

    private sealed class Row
    {
        [JsonPropertyName("sequence")] public long Sequence { get; init; }
        [JsonPropertyName("eventId"), JsonRequired] public string EventId { get; init; } = "";
        [JsonPropertyName("type"), JsonRequired] public string Type { get; init; } = "";
        [JsonPropertyName("runId"), JsonRequired] public string RunId { get; init; } = "";
        [JsonPropertyName("tenantId"), JsonRequired] public string TenantId { get; init; } = "";
        [JsonPropertyName("traceId"), JsonRequired] public string TraceId { get; init; } = "";
        [JsonPropertyName("spanId")] public string SpanId { get; init; } = "";
        [JsonPropertyName("parentSpanId")] public string ParentSpanId { get; init; } = "";
        [JsonPropertyName("module")] public string Module { get; init; } = "";
        [JsonPropertyName("agent")] public string Agent { get; init; } = "";
        [JsonPropertyName("skill")] public string Skill { get; init; } = "";
        [JsonPropertyName("time"), JsonRequired] public DateTimeOffset Time { get; init; }
        [JsonPropertyName("attributes")] public IDictionary<string, string> Attributes { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    }
}
