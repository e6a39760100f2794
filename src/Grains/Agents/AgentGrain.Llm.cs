using System.Collections.Immutable;
using System.Diagnostics;
using Factory.Grains.Llm;
using Factory.Grains.Runs;
using Factory.Grains.Skills;

namespace Factory.Grains.Agents;

public sealed partial class AgentGrain
{
    /// <summary>Version of the built-in skill <see cref="LlmTrace.HandlerSkill"/>.</summary>
    public const string HandlerSkillVersion = "1.0.0";

    /// <summary>
    /// The developer's handler bodies, traced as the built-in skill <see cref="LlmTrace.HandlerSkill"/>: each model
    /// call and rejected answer, the accepted bodies as an artifact, and, when one never compiled, the blocking
    /// <c>compiles</c> result (the developer's templates then do not run, and the run ends blocked).
    /// </summary>
    private async Task<(SkillInput Input, GateResult? Blocked, List<TraceEvent> Batch)> WriteHandlersAsync(
        LlmSession session,
        IReadOnlyList<Blueprints.OperationSpec> operations,
        SkillInput input,
        AgentWork work,
        TraceEventSequence events,
        string agentSpanId,
        ImmutableArray<ArtifactRef>.Builder artifacts,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (span, spanId, batch) = StartSkill(LlmTrace.HandlerSkill, HandlerSkillVersion, work, events, agentSpanId);
        using var scope = span;
        var outcome = await handlerAuthor.WriteAsync(session, operations, GrainFactory, input, work, events, spanId, cancellationToken);
        batch.AddRange(outcome.Events);
        if (outcome.File is { } file)
        {
            await EmitAsync([file], LlmTrace.HandlerSkill, HandlerSkillVersion, work, events, spanId, agentSpanId, artifacts, batch, cancellationToken);
        }

        if (outcome.Blocked is { } blocked)
        {
            batch.Add(events.Next(GateStep.EventType(blocked), work.Module, work.Role, LlmTrace.HandlerSkill, spanId, agentSpanId, GateStep.EventAttributes(blocked)));
            span?.SetStatus(ActivityStatusCode.Error, blocked.Summary);
            LogGateViolated(logger, work.RunId, work.Module, blocked.RuleId, GateStep.ModeName(blocked.Mode), blocked.Summary);
        }

        batch.Add(SkillCompleted(LlmTrace.HandlerSkill, outcome.File is null ? 0 : 1, started, work, events, spanId, agentSpanId, outcome.Tokens));
        return (input with { HandlerBodies = outcome.Bodies }, outcome.Blocked, batch);
    }
}
