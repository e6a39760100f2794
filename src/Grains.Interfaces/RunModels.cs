using System.Collections.Immutable;

namespace Factory;

/// <summary>Where a run is in its life.</summary>
[GenerateSerializer]
public enum RunStatus
{
    /// <summary>Not submitted (a run id nobody used).</summary>
    None = 0,
    /// <summary>Accepted; tasks are being dispatched or executed.</summary>
    Running = 1,
    /// <summary>Every task succeeded.</summary>
    Succeeded = 2,
    /// <summary>A task failed.</summary>
    Failed = 3,
    /// <summary>A gate blocked promotion.</summary>
    Blocked = 4,
    /// <summary>Cancelled on request.</summary>
    Cancelled = 5,
}

/// <summary>Where one task of the plan is.</summary>
[GenerateSerializer]
public enum PlanTaskStatus
{
    /// <summary>Waiting for its dependencies.</summary>
    Pending = 0,
    /// <summary>Dispatched to its agent.</summary>
    Running = 1,
    /// <summary>Done.</summary>
    Succeeded = 2,
    /// <summary>Its agent failed.</summary>
    Failed = 3,
    /// <summary>Never ran: an earlier task failed or the run was cancelled.</summary>
    Skipped = 4,
}

/// <summary>One node of the plan's DAG: one agent role on one module.</summary>
/// <param name="Id">"{module}/{role}".</param>
/// <param name="Module">The module.</param>
/// <param name="Role">The agent role.</param>
/// <param name="DependsOn">Ids of the tasks that must succeed first.</param>
[GenerateSerializer, Immutable, Alias("Factory.PlanTask")]
public sealed record PlanTask(
    [property: Id(0)] string Id,
    [property: Id(1)] string Module,
    [property: Id(2)] string Role,
    [property: Id(3)] ImmutableArray<string> DependsOn);

/// <summary>A generated file: where it goes, what it is, its content address and its provenance.</summary>
/// <param name="Path">Path relative to the run's output root ("{module}/...").</param>
/// <param name="Kind">Artifact kind (csharp, openapi, markdown, ...).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content: its address in the artifact store.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Module">The module it belongs to.</param>
/// <param name="Role">The agent role that produced it.</param>
/// <param name="Skill">The skill id that produced it.</param>
/// <param name="SkillVersion">The skill's version.</param>
[GenerateSerializer, Immutable, Alias("Factory.ArtifactRef")]
public sealed record ArtifactRef(
    [property: Id(0)] string Path,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Sha256,
    [property: Id(3)] long Size,
    [property: Id(4)] string Module,
    [property: Id(5)] string Role,
    [property: Id(6)] string Skill,
    [property: Id(7)] string SkillVersion);

/// <summary>A request to run a blueprint for a tenant.</summary>
[GenerateSerializer, Immutable, Alias("Factory.RunRequest")]
public sealed record RunRequest
{
    /// <summary>The blueprint's canonical JSON (see Factory.Blueprints.BlueprintCanonicalForm).</summary>
    [Id(0)] public required string BlueprintJson { get; init; }

    /// <summary>Optional: the same key from the same tenant returns the same run.</summary>
    [Id(1)] public string IdempotencyKey { get; init; } = "";

    /// <summary>
    /// Canonical JSON of the blueprint the breaking-change gate compares with; empty (the default) for the
    /// tenant's last promoted run of a blueprint of the same name. Replays pass the recorded one.
    /// </summary>
    [Id(2)] public string BaselineBlueprintJson { get; init; } = "";

    /// <summary>
    /// True when <see cref="BaselineBlueprintJson"/> is the baseline as recorded (a replay): used as it is, and
    /// empty then means none, rather than the tenant's promoted release.
    /// </summary>
    [Id(3)] public bool BaselineRecorded { get; init; }

    /// <summary>The prompt the planner turned into <see cref="BlueprintJson"/>, or empty when a blueprint was submitted.</summary>
    [Id(4)] public string Prompt { get; init; } = "";

    /// <summary>The planner's calls to the model (recorded in the run's trace with the prompt).</summary>
    [Id(5)] public ImmutableArray<LlmExchange> PlannerExchanges { get; init; } = [];

    /// <summary>True for a replay: the run calls no model and answers every model call from <see cref="RecordedExchanges"/>.</summary>
    [Id(6)] public bool Replay { get; init; }

    /// <summary>A replay's recorded model calls (from the original run's trace).</summary>
    [Id(7)] public ImmutableArray<LlmExchange> RecordedExchanges { get; init; } = [];
}

/// <summary>What submitting a run returns at once; the run proceeds without the caller.</summary>
/// <param name="RunId">The new (or, for a repeated idempotency key, existing) run.</param>
/// <param name="TraceId">The run's W3C trace id.</param>
/// <param name="Existing">True when an idempotency key matched an earlier run.</param>
[GenerateSerializer, Immutable, Alias("Factory.RunSubmission")]
public sealed record RunSubmission(
    [property: Id(0)] string RunId,
    [property: Id(1)] string TraceId,
    [property: Id(2)] bool Existing);

/// <summary>What the run grain is told when it starts.</summary>
[GenerateSerializer, Immutable, Alias("Factory.RunStart")]
public sealed record RunStart
{
    /// <summary>The tenant.</summary>
    [Id(0)] public required string TenantId { get; init; }

    /// <summary>The blueprint's canonical JSON.</summary>
    [Id(1)] public required string BlueprintJson { get; init; }

    /// <summary>When the tenant accepted it.</summary>
    [Id(2)] public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Canonical JSON of the blueprint the breaking-change gate compares with (the tenant's last promoted version), or empty for none.</summary>
    [Id(3)] public string BaselineBlueprintJson { get; init; } = "";

    /// <summary>True when <see cref="BaselineBlueprintJson"/> is used as it is (empty: no baseline).</summary>
    [Id(4)] public bool BaselineRecorded { get; init; }

    /// <summary>The prompt the planner turned into the blueprint, or empty.</summary>
    [Id(5)] public string Prompt { get; init; } = "";

    /// <summary>The planner's calls to the model, journaled at the run's start.</summary>
    [Id(6)] public ImmutableArray<LlmExchange> PlannerExchanges { get; init; } = [];

    /// <summary>The tenant's edition when the run was submitted (prices its skills' compute).</summary>
    [Id(7)] public string Edition { get; init; } = "";

    /// <summary>
    /// Whether the run id was made for this start and nothing can be stored under it yet: the run then does not read
    /// its state (in PostgreSQL mode, a query less on the submission's path).
    /// </summary>
    [Id(8)] public bool NewRunId { get; init; }
}

/// <summary>A task's state as the run sees it.</summary>
/// <param name="Task">The task.</param>
/// <param name="Status">Its status.</param>
/// <param name="Reason">Why it failed or was skipped, or empty.</param>
[GenerateSerializer, Immutable, Alias("Factory.PlanTaskState")]
public sealed record PlanTaskState(
    [property: Id(0)] PlanTask Task,
    [property: Id(1)] PlanTaskStatus Status,
    [property: Id(2)] string Reason);

/// <summary>A point-in-time view of a run.</summary>
[GenerateSerializer, Immutable, Alias("Factory.RunSnapshot")]
public sealed record RunSnapshot
{
    /// <summary>The run id.</summary>
    [Id(0)] public required string RunId { get; init; }
    /// <summary>The tenant.</summary>
    [Id(1)] public required string TenantId { get; init; }
    /// <summary>The run's W3C trace id.</summary>
    [Id(2)] public required string TraceId { get; init; }
    /// <summary>The status.</summary>
    [Id(3)] public required RunStatus Status { get; init; }
    /// <summary>Why it failed, was blocked or cancelled; empty otherwise.</summary>
    [Id(4)] public string Reason { get; init; } = "";
    /// <summary>Blueprint name.</summary>
    [Id(5)] public required string BlueprintName { get; init; }
    /// <summary>Blueprint version.</summary>
    [Id(6)] public required string BlueprintVersion { get; init; }
    /// <summary>SHA-256 of the blueprint's canonical form.</summary>
    [Id(7)] public required string BlueprintHash { get; init; }
    /// <summary>Every task with its status, in plan order.</summary>
    [Id(8)] public required ImmutableArray<PlanTaskState> Tasks { get; init; }
    /// <summary>Every artifact journaled so far, ordered by path.</summary>
    [Id(9)] public required ImmutableArray<ArtifactRef> Artifacts { get; init; }
    /// <summary>Number of journaled events (the next sequence number).</summary>
    [Id(10)] public required long EventCount { get; init; }
    /// <summary>When it was submitted.</summary>
    [Id(11)] public required DateTimeOffset SubmittedAt { get; init; }
    /// <summary>When it ended, or null while running.</summary>
    [Id(12)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Template pack name@version the run used.</summary>
    [Id(13)] public string TemplatePack { get; init; } = "";

    /// <summary>Every gate result of the run, by module then rule.</summary>
    [Id(14)] public ImmutableArray<GateResult> Gates { get; init; } = [];

    /// <summary>What the run has cost so far (skills' compute and model tokens), in US dollars.</summary>
    [Id(15)] public decimal CostUsd { get; init; }

    /// <summary>Canonical hash of the blueprint its breaking-change gate compares with (the tenant's last promoted version), or empty.</summary>
    [Id(16)] public string BaselineBlueprintHash { get; init; } = "";

    /// <summary>
    /// What the run cost, broken down: one line per module (its <see cref="CostLine.Agent"/> empty), followed by one
    /// line per agent of that module; modules and agents in name order. Read off the journal's <c>SkillCompleted</c> events.
    /// </summary>
    [Id(30)] public ImmutableArray<CostLine> Costs { get; init; } = [];
}

/// <summary>What a module, or one agent of it, cost.</summary>
/// <param name="Module">The module.</param>
/// <param name="Agent">The agent role, or empty for the module's total.</param>
/// <param name="CostUsd">The total, in US dollars.</param>
/// <param name="ComputeUsd">Of which skill compute time.</param>
/// <param name="TokensUsd">Of which model tokens.</param>
/// <param name="TokensIn">Model tokens sent.</param>
/// <param name="TokensOut">Model tokens received.</param>
/// <param name="Skills">Skill executions counted.</param>
[GenerateSerializer, Immutable, Alias("Factory.CostLine")]
public sealed record CostLine(
    [property: Id(0)] string Module,
    [property: Id(1)] string Agent,
    [property: Id(2)] decimal CostUsd,
    [property: Id(3)] decimal ComputeUsd,
    [property: Id(4)] decimal TokensUsd,
    [property: Id(5)] long TokensIn,
    [property: Id(6)] long TokensOut,
    [property: Id(7)] int Skills);

/// <summary>What a module grain is told when it starts.</summary>
[GenerateSerializer, Immutable, Alias("Factory.ModuleWork")]
public sealed record ModuleWork
{
    /// <summary>The run.</summary>
    [Id(0)] public required string RunId { get; init; }
    /// <summary>The tenant.</summary>
    [Id(1)] public required string TenantId { get; init; }
    /// <summary>The module.</summary>
    [Id(2)] public required string Module { get; init; }
    /// <summary>SHA-256 of the blueprint's canonical form (its address in the artifact store).</summary>
    [Id(3)] public required string BlueprintHash { get; init; }
    /// <summary>The module's tasks, in plan order.</summary>
    [Id(4)] public required ImmutableArray<PlanTask> Tasks { get; init; }
    /// <summary>The run's W3C trace id.</summary>
    [Id(5)] public required string TraceId { get; init; }
    /// <summary>The run span's id, parent of the module span.</summary>
    [Id(6)] public required string ParentSpanId { get; init; }

    /// <summary>Canonical hash of the blueprint the breaking-change gate compares with, or empty for none.</summary>
    [Id(7)] public string BaselineBlueprintHash { get; init; } = "";

    /// <summary>What the run's modules that finished before this one cost, in US dollars.</summary>
    [Id(8)] public decimal PriorCostUsd { get; init; }

    /// <summary>The tenant's edition (prices its skills' compute); empty in work recorded before it was carried.</summary>
    [Id(9)] public string Edition { get; init; } = "";

    /// <summary>
    /// Whether the run starts this module for the first time, so the module has stored nothing yet and does not read
    /// its state. False for a re-drive, which reads it.
    /// </summary>
    [Id(10)] public bool FirstStart { get; init; }
}

/// <summary>What an agent grain is told to do.</summary>
[GenerateSerializer, Immutable, Alias("Factory.AgentWork")]
public sealed record AgentWork
{
    /// <summary>The run.</summary>
    [Id(0)] public required string RunId { get; init; }
    /// <summary>The tenant.</summary>
    [Id(1)] public required string TenantId { get; init; }
    /// <summary>The module.</summary>
    [Id(2)] public required string Module { get; init; }
    /// <summary>The role.</summary>
    [Id(3)] public required string Role { get; init; }
    /// <summary>SHA-256 of the blueprint's canonical form.</summary>
    [Id(4)] public required string BlueprintHash { get; init; }
    /// <summary>Artifacts produced by earlier tasks of the module.</summary>
    [Id(5)] public required ImmutableArray<ArtifactRef> Upstream { get; init; }
    /// <summary>The run's W3C trace id.</summary>
    [Id(6)] public required string TraceId { get; init; }
    /// <summary>The module span's id, parent of the agent span.</summary>
    [Id(7)] public required string ParentSpanId { get; init; }

    /// <summary>Canonical hash of the blueprint the breaking-change gate compares with, or empty for none.</summary>
    [Id(8)] public string BaselineBlueprintHash { get; init; } = "";

    /// <summary>What the run has cost before this task: finished modules and this module's finished tasks, in US dollars.</summary>
    [Id(9)] public decimal CostSoFarUsd { get; init; }

    /// <summary>The tenant's edition (prices the skills' compute); empty in work recorded before it was carried.</summary>
    [Id(10)] public string Edition { get; init; } = "";

    /// <summary>
    /// Whether the module hands this task on for the first time, so the agent has stored nothing yet and does not read
    /// its state. False for a re-drive or a re-publish, which read it.
    /// </summary>
    [Id(11)] public bool FirstDispatch { get; init; }
}

/// <summary>What an agent reports to its module when it ends.</summary>
/// <param name="Role">The role.</param>
/// <param name="Succeeded">Whether every skill succeeded.</param>
/// <param name="Reason">Why it failed, or empty.</param>
/// <param name="Artifacts">What it produced.</param>
[GenerateSerializer, Immutable, Alias("Factory.AgentResult")]
public sealed record AgentResult(
    [property: Id(0)] string Role,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] string Reason,
    [property: Id(3)] ImmutableArray<ArtifactRef> Artifacts)
{
    /// <summary>The gates the agent evaluated (the validator's), in rule order; empty for other roles.</summary>
    [Id(4)] public ImmutableArray<GateResult> Gates { get; init; } = [];

    /// <summary>What the agent's skills cost, in US dollars.</summary>
    [Id(5)] public decimal CostUsd { get; init; }

    /// <summary>Whether a blocking gate failed: the agent ran, and promotion must not happen.</summary>
    public bool Blocked => Gates.Any(g => g.Blocks);
}

/// <summary>What a module reports to its run when every task it dispatched has ended.</summary>
/// <param name="Module">The module.</param>
/// <param name="Succeeded">Whether every task succeeded.</param>
/// <param name="Reason">The first failure's reason, or empty.</param>
/// <param name="Tasks">Each task's final state.</param>
[GenerateSerializer, Immutable, Alias("Factory.ModuleResult")]
public sealed record ModuleResult(
    [property: Id(0)] string Module,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] string Reason,
    [property: Id(3)] ImmutableArray<PlanTaskState> Tasks)
{
    /// <summary>The module's gate results.</summary>
    [Id(4)] public ImmutableArray<GateResult> Gates { get; init; } = [];

    /// <summary>What the module's agents cost, in US dollars.</summary>
    [Id(5)] public decimal CostUsd { get; init; }

    /// <summary>Whether a blocking gate failed (the module's tasks did not fail, but it must not be promoted).</summary>
    public bool Blocked => Gates.Any(g => g.Blocks);
}

/// <summary>One run in a tenant's index.</summary>
/// <param name="RunId">The run.</param>
/// <param name="BlueprintName">Blueprint name.</param>
/// <param name="BlueprintVersion">Blueprint version.</param>
/// <param name="SubmittedAt">When it was accepted.</param>
[GenerateSerializer, Immutable, Alias("Factory.TenantRunEntry")]
public sealed record TenantRunEntry(
    [property: Id(0)] string RunId,
    [property: Id(1)] string BlueprintName,
    [property: Id(2)] string BlueprintVersion,
    [property: Id(3)] DateTimeOffset SubmittedAt)
{
    /// <summary>The run's last known status: <see cref="RunStatus.Running"/> until the run tells its tenant it ended.</summary>
    [Id(4)] public RunStatus Status { get; init; } = RunStatus.Running;

    /// <summary>What the run cost, in US dollars, as it reported when it ended (0 before).</summary>
    [Id(5)] public decimal CostUsd { get; init; }

    /// <summary>The idempotency key it was submitted with, or empty: forgotten with the entry.</summary>
    [Id(6)] public string IdempotencyKey { get; init; } = "";
}

/// <summary>A run's headline, published on the tenant's <c>tenant-runs</c> stream when its status changes.</summary>
/// <param name="RunId">The run.</param>
/// <param name="TenantId">The tenant.</param>
/// <param name="Status">The new status.</param>
/// <param name="BlueprintName">Blueprint name.</param>
/// <param name="BlueprintVersion">Blueprint version.</param>
/// <param name="Reason">Why it failed, or empty.</param>
/// <param name="EventCount">Events journaled so far.</param>
[GenerateSerializer, Immutable, Alias("Factory.RunSummary")]
public sealed record RunSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] RunStatus Status,
    [property: Id(3)] string BlueprintName,
    [property: Id(4)] string BlueprintVersion,
    [property: Id(5)] string Reason,
    [property: Id(6)] long EventCount);

/// <summary>A run promoted to release: every gate of every module passed.</summary>
/// <param name="RunId">The run.</param>
/// <param name="BlueprintName">Blueprint name.</param>
/// <param name="BlueprintVersion">Blueprint version (SemVer).</param>
/// <param name="BlueprintHash">The blueprint's canonical hash.</param>
[GenerateSerializer, Immutable, Alias("Factory.PromotedRelease")]
public sealed record PromotedRelease(
    [property: Id(0)] string RunId,
    [property: Id(1)] string BlueprintName,
    [property: Id(2)] string BlueprintVersion,
    [property: Id(3)] string BlueprintHash);

/// <summary>How a run of a tenant ended, as the run reports it to its tenant.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Status">Its final status.</param>
/// <param name="CostUsd">What it cost, in US dollars.</param>
/// <param name="Promoted">The release it promoted (it succeeded, every gate passed), or null.</param>
[GenerateSerializer, Immutable, Alias("Factory.RunEnded")]
public sealed record RunEnded(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunStatus Status,
    [property: Id(2)] decimal CostUsd,
    [property: Id(3)] PromotedRelease? Promoted);
