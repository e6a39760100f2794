using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Factory;

/// <summary>
/// One call to a chat model as the journal records it: what was asked and what came back, so a replay
/// answers the same call from the record instead of calling the model again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Factory.LlmExchange")]
public sealed record LlmExchange
{
    /// <summary>
    /// Identifies the call within its run, stable across replays: <c>planner/{attempt}</c> for the planner,
    /// <c>{module}/{role}/handler/{operation}/{attempt}</c> for a handler body.
    /// </summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>The model that answered (the request's model when the answer did not name one).</summary>
    [Id(1)] public required string Model { get; init; }

    /// <summary>The request's messages as JSON: <c>[{"role":"system","content":"..."},...]</c>.</summary>
    [Id(2)] public required string Request { get; init; }

    /// <summary>The answer's text.</summary>
    [Id(3)] public required string Response { get; init; }

    /// <summary>Input (prompt) tokens the endpoint reported.</summary>
    [Id(4)] public int InputTokens { get; init; }

    /// <summary>Output (completion) tokens the endpoint reported.</summary>
    [Id(5)] public int OutputTokens { get; init; }

    /// <summary>What the call cost by the configured price table, in US dollars (0 for a replayed call).</summary>
    [Id(6)] public decimal CostUsd { get; init; }

    /// <summary>How long the call took, in milliseconds.</summary>
    [Id(7)] public double DurationMs { get; init; }
}

/// <summary>A blueprint the planner wrote from a prompt, accepted by the validator and registered for the tenant.</summary>
[GenerateSerializer, Immutable, Alias("Factory.PlannedBlueprint")]
public sealed record PlannedBlueprint
{
    /// <summary>The accepted blueprint's canonical JSON.</summary>
    [Id(0)] public required string CanonicalJson { get; init; }

    /// <summary>Its name.</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>Its version.</summary>
    [Id(2)] public required string Version { get; init; }

    /// <summary>Its canonical SHA-256.</summary>
    [Id(3)] public required string Sha256 { get; init; }

    /// <summary>Every call the planner made, in order (the last one's answer was accepted).</summary>
    [Id(4)] public ImmutableArray<LlmExchange> Exchanges { get; init; } = [];
}

/// <summary>
/// Turns a tenant's prompt into a validated blueprint through the tenant's chat model; key: the tenant id.
/// The model's answer is parsed and validated like any submitted blueprint; the validator's problems go back
/// to the model for a bounded number of attempts; the accepted blueprint is registered in the tenant's registry.
/// </summary>
[Alias("Factory.IPlannerGrain")]
public interface IPlannerGrain : IGrainWithStringKey
{
    /// <summary>Plans a blueprint from <paramref name="prompt"/>.</summary>
    /// <exception cref="LlmNotConfiguredException">The tenant has no chat model configured.</exception>
    /// <exception cref="LlmUnavailableException">The endpoint failed, timed out or its circuit is open.</exception>
    /// <exception cref="BlueprintPlanningException">No answer was a valid blueprint within the attempts.</exception>
    [Alias("Plan"), ResponseTimeout("00:15:00")]
    Task<PlannedBlueprint> PlanAsync(string prompt);
}

/// <summary>
/// A run's model calls: how many it made (against its edition's limit) and, for a replay, the recorded
/// answers it must use instead of calling a model; key: the run id.
/// </summary>
[Alias("Factory.ILlmLedgerGrain")]
public interface ILlmLedgerGrain : IGrainWithStringKey
{
    /// <summary>Makes the run a replay answered from <paramref name="recorded"/>: it calls no model. Idempotent.</summary>
    [Alias("LoadReplay")]
    Task LoadReplayAsync(ImmutableArray<LlmExchange> recorded);

    /// <summary>Whether the run is a replay, and the recorded answer for <paramref name="key"/> (null when none was recorded).</summary>
    [Alias("Recorded"), ReadOnly]
    Task<(bool Replay, LlmExchange? Exchange)> RecordedAsync(string key);

    /// <summary>Counts one more call of the run; false (and nothing counted) once <paramref name="maxCalls"/> were made.</summary>
    [Alias("TryReserveCall")]
    Task<bool> TryReserveCallAsync(int maxCalls);
}

/// <summary>A prompt-only request, or a blueprint with <c>behavior</c> to implement, for a tenant with no chat model configured.</summary>
[GenerateSerializer, Alias("Factory.LlmNotConfiguredException")]
public sealed class LlmNotConfiguredException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public LlmNotConfiguredException(string tenantId, string edition)
        : base($"No LLM endpoint is configured for tenant '{tenantId}' (edition '{edition}'): set Factory:Llm:Tenants:{tenantId}:Endpoint or Factory:Llm:Editions:{edition}:Endpoint, with its Model.")
    {
        TenantId = tenantId;
        Edition = edition;
    }

    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; }

    /// <summary>The tenant's edition.</summary>
    [Id(1)] public string Edition { get; }
}

/// <summary>The chat endpoint failed, timed out after its retries, its circuit is open, or the run used up its calls.</summary>
[GenerateSerializer, Alias("Factory.LlmUnavailableException")]
public sealed class LlmUnavailableException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public LlmUnavailableException(string endpoint, string reason)
        : base($"The LLM endpoint {endpoint} is unavailable: {reason}")
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>The endpoint's URL.</summary>
    [Id(0)] public string Endpoint { get; }

    /// <summary>What went wrong.</summary>
    [Id(1)] public string Reason { get; }
}

/// <summary>The planner's answers were not a valid blueprint within its attempts; <see cref="Problems"/> are the last answer's.</summary>
[GenerateSerializer, Alias("Factory.BlueprintPlanningException")]
public sealed class BlueprintPlanningException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public BlueprintPlanningException(int attempts, IReadOnlyList<string> problems)
        : base($"The planner's {attempts} answer{(attempts == 1 ? " was" : "s were")} not a valid blueprint; the last one's problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems))
    {
        Attempts = attempts;
        Problems = [.. problems];
    }

    /// <summary>How many answers were tried.</summary>
    [Id(0)] public int Attempts { get; }

    /// <summary>The last answer's problems.</summary>
    [Id(1)] public string[] Problems { get; }
}

/// <summary>Event types and attributes of model calls in the trace, and reading a journal's recorded calls back.</summary>
public static class LlmTrace
{
    /// <summary>Event: a call to a chat model answered (or was answered from the record, in a replay).</summary>
    public const string CallCompleted = "LlmCallCompleted";

    /// <summary>Event: the planner's answer was accepted as the run's blueprint (attributes: the prompt, attempts).</summary>
    public const string BlueprintPlanned = "BlueprintPlanned";

    /// <summary>Event: feedback on earlier runs of the blueprint was put in the model's context.</summary>
    public const string FeedbackIncluded = "LlmFeedbackIncluded";

    /// <summary>Event: a model's answer was refused (validator problems or compiler diagnostics), and sent back.</summary>
    public const string AnswerRejected = "LlmAnswerRejected";

    /// <summary>Skill id of the planner, as its events name it.</summary>
    public const string PlannerSkill = "planner.blueprint";

    /// <summary>Skill id of the developer's handler bodies, as its events name it.</summary>
    public const string HandlerSkill = "developer.handlers";

    /// <summary>Attribute: the call's key (<see cref="LlmExchange.Key"/>).</summary>
    public const string CallKey = "factory.llm.key";

    /// <summary>Attribute: the request's messages as JSON.</summary>
    public const string Request = "factory.llm.request";

    /// <summary>Attribute: the answer's text.</summary>
    public const string Response = "factory.llm.response";

    /// <summary>Attribute: "true" when the call was answered from the record.</summary>
    public const string Replayed = "factory.llm.replayed";

    /// <summary>Attribute: what the call cost, in US dollars.</summary>
    public const string CostUsd = "factory.llm.cost_usd";

    /// <summary>Attribute: the prompt a blueprint was planned from.</summary>
    public const string Prompt = "prompt";

    /// <summary>Attribute: how many answers were asked for.</summary>
    public const string Attempts = "attempts";

    /// <summary>Attribute: the operation a handler body is for.</summary>
    public const string Operation = "operation";

    /// <summary>Attribute: the runs whose feedback was included, space-separated.</summary>
    public const string FeedbackRuns = "feedbackRuns";

    /// <summary>Attribute: how many feedback entries were included.</summary>
    public const string FeedbackCount = "feedbackCount";

    /// <summary>GenAI attribute: the model asked for.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>GenAI attribute: the model that answered.</summary>
    public const string ResponseModel = "gen_ai.response.model";

    /// <summary>GenAI attribute: input tokens.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary>GenAI attribute: output tokens.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>The attributes of a <see cref="CallCompleted"/> event for <paramref name="exchange"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Attributes(LlmExchange exchange, bool replayed)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        yield return new(CallKey, exchange.Key);
        yield return new(ResponseModel, exchange.Model);
        yield return new(InputTokens, exchange.InputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(OutputTokens, exchange.OutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(CostUsd, exchange.CostUsd.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture));
        yield return new(Request, exchange.Request);
        yield return new(Response, exchange.Response);
        if (replayed)
        {
            yield return new(Replayed, "true");
        }
    }

    /// <summary>Every call a journal recorded (replayed ones included), by key, for replaying the run.</summary>
    public static ImmutableArray<LlmExchange> Recorded(IEnumerable<TraceEvent> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var recorded = ImmutableArray.CreateBuilder<LlmExchange>();
        foreach (var e in journal)
        {
            if (e.Type != CallCompleted || !e.Attributes.TryGetValue(CallKey, out var key))
            {
                continue;
            }

            recorded.Add(new LlmExchange
            {
                Key = key,
                Model = e.Attributes.GetValueOrDefault(ResponseModel, ""),
                Request = e.Attributes.GetValueOrDefault(Request, ""),
                Response = e.Attributes.GetValueOrDefault(Response, ""),
                InputTokens = int.TryParse(e.Attributes.GetValueOrDefault(InputTokens), System.Globalization.CultureInfo.InvariantCulture, out var input) ? input : 0,
                OutputTokens = int.TryParse(e.Attributes.GetValueOrDefault(OutputTokens), System.Globalization.CultureInfo.InvariantCulture, out var output) ? output : 0,
            });
        }

        return recorded.ToImmutable();
    }
}
