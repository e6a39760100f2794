using System.Collections.Immutable;

namespace Factory;

/// <summary>
/// The envelope of everything that happens in a run. Agents publish events with
/// <see cref="Sequence"/> = -1; the run's journal assigns the sequence when it appends them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Factory.TraceEvent")]
public sealed record TraceEvent
{
    /// <summary>Stable id: re-publishing the same step yields the same id, so the journal de-duplicates it.</summary>
    [Id(0)] public required string EventId { get; init; }

    /// <summary>The run.</summary>
    [Id(1)] public required string RunId { get; init; }

    /// <summary>The tenant that owns the run.</summary>
    [Id(2)] public required string TenantId { get; init; }

    /// <summary>W3C trace id of the run (32 hex characters).</summary>
    [Id(3)] public required string TraceId { get; init; }

    /// <summary>W3C span id of the step that produced the event, or empty.</summary>
    [Id(4)] public string SpanId { get; init; } = "";

    /// <summary>W3C span id of the step's parent, or empty.</summary>
    [Id(5)] public string ParentSpanId { get; init; } = "";

    /// <summary>Position in the run's journal, from 0; -1 before it is journaled.</summary>
    [Id(6)] public long Sequence { get; init; } = -1;

    /// <summary>Noun and past-tense verb, one of <see cref="TraceEventTypes"/>.</summary>
    [Id(7)] public required string Type { get; init; }

    /// <summary>The module, or empty for run-level events.</summary>
    [Id(8)] public string Module { get; init; } = "";

    /// <summary>The agent role, or empty.</summary>
    [Id(9)] public string Agent { get; init; } = "";

    /// <summary>The skill id, or empty.</summary>
    [Id(10)] public string Skill { get; init; } = "";

    /// <summary>When it happened (from the silo's <see cref="TimeProvider"/>).</summary>
    [Id(11)] public required DateTimeOffset Time { get; init; }

    /// <summary>Small attributes (paths, hashes, reasons). Never secrets or personal data.</summary>
    [Id(12)] public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Whether this event ends its run: only <see cref="TraceEventTypes.FeedbackSubmitted"/> events follow it in the journal.</summary>
    public bool IsTerminal => TraceEventTypes.IsRunTerminal(Type);
}

/// <summary>The event types of the trace.</summary>
public static class TraceEventTypes
{
    /// <summary>A run was accepted and its plan made.</summary>
    public const string RunStarted = "RunStarted";
    /// <summary>The plan's tasks, as attributes.</summary>
    public const string PlanCreated = "PlanCreated";
    /// <summary>Every task succeeded.</summary>
    public const string RunSucceeded = "RunSucceeded";
    /// <summary>A task failed; the reason is in the attributes.</summary>
    public const string RunFailed = "RunFailed";
    /// <summary>A gate blocked promotion.</summary>
    public const string RunBlocked = "RunBlocked";
    /// <summary>Cancelled on request.</summary>
    public const string RunCancelled = "RunCancelled";
    /// <summary>A module's first task was dispatched.</summary>
    public const string ModuleStarted = "ModuleStarted";
    /// <summary>Every task of a module succeeded.</summary>
    public const string ModuleCompleted = "ModuleCompleted";
    /// <summary>A task of the module failed.</summary>
    public const string ModuleFailed = "ModuleFailed";
    /// <summary>A gate of the module blocked its promotion: its release did not run.</summary>
    public const string ModuleBlocked = "ModuleBlocked";
    /// <summary>An agent began its work.</summary>
    public const string AgentStarted = "AgentStarted";
    /// <summary>An agent finished every skill.</summary>
    public const string AgentCompleted = "AgentCompleted";
    /// <summary>An agent's skill failed; the reason is in the attributes.</summary>
    public const string AgentFailed = "AgentFailed";
    /// <summary>A skill began.</summary>
    public const string SkillStarted = "SkillStarted";
    /// <summary>A skill finished.</summary>
    public const string SkillCompleted = "SkillCompleted";
    /// <summary>A skill threw.</summary>
    public const string SkillFailed = "SkillFailed";
    /// <summary>An artifact was written to the store.</summary>
    public const string ArtifactEmitted = "ArtifactEmitted";
    /// <summary>A gate found nothing wrong.</summary>
    public const string GatePassed = "GatePassed";
    /// <summary>A gate in block mode found violations: the run will not be promoted.</summary>
    public const string GateFailed = "GateFailed";
    /// <summary>A gate in warn mode found violations: reported, not blocking.</summary>
    public const string GateWarned = "GateWarned";
    /// <summary>
    /// Someone scored the run (or a module, agent or artifact of it). The one event that may follow the run's
    /// terminal event: feedback on an ended run is appended after it, and watchers still receive it.
    /// </summary>
    public const string FeedbackSubmitted = "FeedbackSubmitted";

    /// <summary>Whether <paramref name="type"/> ends a run.</summary>
    public static bool IsRunTerminal(string type) =>
        type is RunSucceeded or RunFailed or RunBlocked or RunCancelled;
}

/// <summary>Attribute keys used on trace events.</summary>
public static class TraceAttributes
{
    /// <summary>Why something failed.</summary>
    public const string Reason = "reason";
    /// <summary>Artifact path, relative to the run's output root.</summary>
    public const string Path = "path";
    /// <summary>Artifact kind.</summary>
    public const string Kind = "kind";
    /// <summary>SHA-256 of content.</summary>
    public const string Sha256 = "sha256";
    /// <summary>Size in bytes.</summary>
    public const string Size = "size";
    /// <summary>A skill's version.</summary>
    public const string SkillVersion = "skillVersion";
    /// <summary>Blueprint name.</summary>
    public const string Blueprint = "blueprint";
    /// <summary>Blueprint version.</summary>
    public const string BlueprintVersion = "blueprintVersion";
    /// <summary>Blueprint canonical hash.</summary>
    public const string BlueprintHash = "blueprintHash";
    /// <summary>Number of tasks.</summary>
    public const string Tasks = "tasks";
    /// <summary>Number of artifacts.</summary>
    public const string Artifacts = "artifacts";
    /// <summary>On an agent's terminal event: how many trace events the agent published, that one included.</summary>
    public const string Events = "events";
    /// <summary>Elapsed milliseconds.</summary>
    public const string DurationMs = "durationMs";
    /// <summary>Template pack name@version.</summary>
    public const string TemplatePack = "templatePack";
    /// <summary>A gate's rule id.</summary>
    public const string Rule = "rule";
    /// <summary>A gate's mode (block or warn).</summary>
    public const string Mode = "mode";
    /// <summary>A gate's one-line summary.</summary>
    public const string Summary = "summary";
    /// <summary>Number of violations.</summary>
    public const string Violations = "violations";
    /// <summary>Cost in US dollars.</summary>
    public const string CostUsd = "costUsd";
    /// <summary>Of a skill's cost, what its compute time cost, in US dollars.</summary>
    public const string ComputeUsd = "computeUsd";
    /// <summary>Of a skill's cost, what its model tokens cost, in US dollars (present when it called a model).</summary>
    public const string TokensUsd = "tokensUsd";
    /// <summary>Model tokens a skill sent (present when it called a model).</summary>
    public const string TokensIn = "tokensIn";
    /// <summary>Model tokens a skill received (present when it called a model).</summary>
    public const string TokensOut = "tokensOut";
    /// <summary>The model a skill called (present when it called one).</summary>
    public const string Model = "model";
    /// <summary>A run's cost budget in US dollars (<c>policies.costBudgetUsd</c>).</summary>
    public const string BudgetUsd = "budgetUsd";
    /// <summary>Canonical hash of the blueprint the breaking-change gate compares with.</summary>
    public const string BaselineBlueprintHash = "baselineBlueprintHash";
    /// <summary>Prefix of the violation attributes: <c>violation.0</c> holds "path: message".</summary>
    public const string ViolationPrefix = "violation.";
    /// <summary>A feedback score, 1 to 5.</summary>
    public const string Score = "score";
    /// <summary>A feedback comment.</summary>
    public const string Comment = "comment";
    /// <summary>Who gave feedback: the caller's API key id.</summary>
    public const string By = "by";
}
