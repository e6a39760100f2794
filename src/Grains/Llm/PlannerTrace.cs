using System.Globalization;
using Factory.Grains.Runs;

namespace Factory.Grains.Llm;

/// <summary>
/// The events a planned run journals after its plan: the planner as the skill <see cref="LlmTrace.PlannerSkill"/>
/// (started, each model call with its request and answer, <see cref="LlmTrace.BlueprintPlanned"/> with the prompt,
/// completed with what the calls cost), at fixed ordinals of the run's scope so a re-activated run republishes the same ids.
/// </summary>
public static class PlannerTrace
{
    /// <summary>The run scope's first ordinal the planner's events use (0-2 are the run's own).</summary>
    public const int FirstOrdinal = 3;

    /// <summary>The planner's events for <paramref name="start"/>; none when the run was not planned from a prompt.</summary>
    public static IReadOnlyList<TraceEvent> Events(TraceEventSequence events, RunStart start, string runSpanId, string blueprintHash)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(start);
        if (start.Prompt.Length == 0)
        {
            return [];
        }

        var ordinal = FirstOrdinal;
        var skillSpan = Telemetry.FactoryTelemetry.NewSpanId();
        var list = new List<TraceEvent>
        {
            events.At(ordinal++, TraceEventTypes.SkillStarted, "", skill: LlmTrace.PlannerSkill, spanId: skillSpan, parentSpanId: runSpanId),
        };
        foreach (var exchange in start.PlannerExchanges)
        {
            list.Add(events.At(ordinal++, LlmTrace.CallCompleted, "", skill: LlmTrace.PlannerSkill, spanId: Telemetry.FactoryTelemetry.NewSpanId(), parentSpanId: skillSpan,
                attributes: LlmTrace.Attributes(exchange, replayed: false)));
        }

        list.Add(events.At(ordinal++, LlmTrace.BlueprintPlanned, "", skill: LlmTrace.PlannerSkill, spanId: skillSpan, parentSpanId: runSpanId, attributes:
        [
            new(LlmTrace.Prompt, start.Prompt),
            new(LlmTrace.Attempts, start.PlannerExchanges.Length.ToString(CultureInfo.InvariantCulture)),
            new(TraceAttributes.BlueprintHash, blueprintHash),
        ]));
        var cost = start.PlannerExchanges.Sum(e => e.CostUsd);
        list.Add(events.At(ordinal, TraceEventTypes.SkillCompleted, "", skill: LlmTrace.PlannerSkill, spanId: skillSpan, parentSpanId: runSpanId, attributes:
        [
            new(TraceAttributes.Artifacts, "0"),
            new(TraceAttributes.DurationMs, start.PlannerExchanges.Sum(e => e.DurationMs).ToString("F1", CultureInfo.InvariantCulture)),
            new(TraceAttributes.CostUsd, cost.ToString("0.##########", CultureInfo.InvariantCulture)),
        ]));
        return list;
    }
}
