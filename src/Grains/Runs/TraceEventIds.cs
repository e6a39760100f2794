using System.Security.Cryptography;
using System.Text;

namespace Factory.Grains.Runs;

/// <summary>
/// Deterministic event ids: the same step of the same run always yields the same id, so an event
/// that is published again (a re-executed step, a redelivered message) is journaled once.
/// </summary>
public static class TraceEventIds
{
    /// <summary>The id of the <paramref name="ordinal"/>-th event of <paramref name="scope"/> in <paramref name="runId"/>.</summary>
    public static string For(string runId, string scope, int ordinal)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{runId}\n{scope}\n{ordinal}"), hash);
        return new Guid(hash[..16]).ToString("N");
    }
}

/// <summary>Builds the events of one scope (a module or an agent) with consecutive deterministic ids.</summary>
public sealed class TraceEventSequence(string runId, string tenantId, string traceId, string scope, TimeProvider time)
{
    private int _ordinal;

    /// <summary>A new raw event (sequence -1) of <paramref name="type"/>, with the scope's next ordinal.</summary>
    public TraceEvent Next(string type, string module, string agent = "", string skill = "", string spanId = "", string parentSpanId = "",
        IEnumerable<KeyValuePair<string, string>>? attributes = null) =>
        At(_ordinal++, type, module, agent, skill, spanId, parentSpanId, attributes);

    /// <summary>A new raw event at a fixed <paramref name="ordinal"/> of the scope (for events a reactivated grain may publish).</summary>
    public TraceEvent At(int ordinal, string type, string module, string agent = "", string skill = "", string spanId = "", string parentSpanId = "",
        IEnumerable<KeyValuePair<string, string>>? attributes = null) => new()
        {
            EventId = TraceEventIds.For(runId, scope, ordinal),
            RunId = runId,
            TenantId = tenantId,
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = parentSpanId,
            Type = type,
            Module = module,
            Agent = agent,
            Skill = skill,
            Time = time.GetUtcNow(),
            Attributes = attributes is null
                ? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
                : System.Collections.Immutable.ImmutableDictionary.CreateRange(StringComparer.Ordinal, attributes),
        };
}
