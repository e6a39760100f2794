using System.Diagnostics;

namespace Factory.Grains.Telemetry;

/// <summary>The <see cref="ActivitySource"/> and attribute names of Factory's spans (run, module, agent, skill).</summary>
public static class FactoryTelemetry
{
    /// <summary>Name of the activity source and meter.</summary>
    public const string SourceName = "Factory";

    /// <summary>The source of every Factory span.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Span attribute: tenant id.</summary>
    public const string Tenant = "factory.tenant";
    /// <summary>Span attribute: run id.</summary>
    public const string Run = "factory.run";
    /// <summary>Span attribute: module.</summary>
    public const string Module = "factory.module";
    /// <summary>Span attribute: agent role.</summary>
    public const string Agent = "factory.agent";
    /// <summary>Span attribute: skill id.</summary>
    public const string Skill = "factory.skill";

    /// <summary>
    /// Starts a span under <paramref name="traceId"/>/<paramref name="parentSpanId"/> (ids recorded in
    /// grain state, so a span's parent may live in another grain or silo). Null when nobody listens.
    /// </summary>
    public static Activity? StartSpan(string name, string traceId, string parentSpanId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = TryParent(traceId, parentSpanId);
        return parent is { } context
            ? Source.StartActivity(name, ActivityKind.Internal, context)
            : Source.StartActivity(name, ActivityKind.Internal);
    }

    /// <summary>
    /// Starts a run's span as the root of a trace of its own (a run outlives the request that
    /// submitted it), linked to the submitter's span when there is one. Null when nobody listens.
    /// </summary>
    public static Activity? StartRunSpan(string name)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var caller = Activity.Current;
        Activity.Current = null;
        ActivityLink[]? links = caller is null ? null : [new ActivityLink(caller.Context)];
        return Source.StartActivity(ActivityKind.Internal, parentContext: default, links: links, name: name);
    }

    /// <summary>A new random W3C span id, for spans whose id must be known before they start.</summary>
    public static string NewSpanId() => ActivitySpanId.CreateRandom().ToHexString();

    private static ActivityContext? TryParent(string traceId, string parentSpanId)
    {
        if (traceId.Length != 32 || parentSpanId.Length != 16)
        {
            return null;
        }

        return new ActivityContext(
            ActivityTraceId.CreateFromString(traceId),
            ActivitySpanId.CreateFromString(parentSpanId),
            ActivityTraceFlags.Recorded,
            isRemote: true);
    }
}
