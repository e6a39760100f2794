using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Factory.Grains.Planning;
using Factory.Grains.Runtime;
using Factory.Grains.Redaction;
using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Factory.Grains.Runs;

/// <summary>Persistent state of a module of a run.</summary>
[GenerateSerializer, Alias("Factory.Grains.ModuleState")]
public sealed class ModuleState
{
    /// <summary>The work, once started.</summary>
    [Id(0)] public ModuleWork? Work { get; set; }

    /// <summary>Status of each of the module's tasks, by task id.</summary>
    [Id(1)] public Dictionary<string, PlanTaskStatus> Statuses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Failure or skip reasons, by task id.</summary>
    [Id(2)] public Dictionary<string, string> Reasons { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Artifacts the module's agents produced so far.</summary>
    [Id(3)] public List<ArtifactRef> Artifacts { get; set; } = [];

    /// <summary>The module span's id (parent of its agents' spans).</summary>
    [Id(4)] public string SpanId { get; set; } = "";

    /// <summary>The first failure's reason, or empty.</summary>
    [Id(5)] public string FailureReason { get; set; } = "";

    /// <summary>Whether the module has reported its result to the run.</summary>
    [Id(6)] public bool Finished { get; set; }

    /// <summary>The validator's gate results.</summary>
    [Id(7)] public List<GateResult> Gates { get; set; } = [];

    /// <summary>Why a gate blocked the module's promotion, or empty.</summary>
    [Id(8)] public string BlockedReason { get; set; } = "";

    /// <summary>What the module's finished agents cost, in US dollars.</summary>
    [Id(9)] public decimal CostUsd { get; set; }

    /// <summary>The run's promotion decision: null until made, then whether the release may run.</summary>
    [Id(10)] public bool? Promoted { get; set; }

    /// <summary>Why the run decided not to promote, or empty.</summary>
    [Id(11)] public string NotPromotedReason { get; set; } = "";

    /// <summary>Whether the validator passed every blocking gate (reported to the run).</summary>
    [Id(12)] public bool Validated { get; set; }

    /// <summary>Whether the run was cancelled: nothing more is dispatched.</summary>
    [Id(13)] public bool Stopped { get; set; }
}

/// <summary>
/// One module of one run: dispatches the module's agents as their dependencies succeed
/// (architect, developer, the five parallel roles, validator), tells the run once its gates
/// pass, runs its release only when the run decides to promote (every module validated), and
/// reports to the run when every dispatched task has ended.
/// </summary>
public sealed class ModuleGrain(
    [FromKeyedServices(FactoryNames.GrainStorage)] IGrainStorage storage,
    IGrainContext grainContext,
    StorageRetry retry,
    ITraceRedactor redactor,
    TimeProvider time) : Grain, IModuleGrain
{
    /// <summary>The stored state, read on the first call of an activation unless that call starts the module (nothing is stored yet).</summary>
    private readonly LazyGrainState<ModuleState> _state = new("module", grainContext, storage);
    private Activity? _span;
    private TraceEventSequence? _events;

    /// <summary>
    /// Whether the state holds an agent's report not yet written. A report that dispatches nothing and ends nothing is
    /// not written at once: if this activation is lost, the task is still running in the stored state, and the
    /// re-drive has its agent report again from the agent's own stored result. It is written with the next change
    /// that must be, or when the module is deactivated.
    /// </summary>
    private bool _unwritten;

    /// <inheritdoc/>
    public async Task StartAsync(ModuleWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _state.LoadAsync(nothingStored: work.FirstStart);
        if (_state.State.Work is { } started)
        {
            await ResumeAsync(started);
            return;
        }

        _span = FactoryTelemetry.StartSpan($"module {work.Module}", work.TraceId, work.ParentSpanId);
        _span?.SetTag(FactoryTelemetry.Tenant, work.TenantId);
        _span?.SetTag(FactoryTelemetry.Run, work.RunId);
        _span?.SetTag(FactoryTelemetry.Module, work.Module);
        _state.State.Work = work;
        _state.State.SpanId = _span?.SpanId.ToHexString() ?? FactoryTelemetry.NewSpanId();
        foreach (var task in work.Tasks)
        {
            _state.State.Statuses[task.Id] = PlanTaskStatus.Pending;
        }

        await PublishAsync(0, TraceEventTypes.ModuleStarted,
            [new(TraceAttributes.Tasks, work.Tasks.Length.ToString(CultureInfo.InvariantCulture))]);
        await DispatchReadyAsync(work, alwaysWrite: true);
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unwritten)
        {
            await WriteStateAsync();
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task OnAgentFinishedAsync(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        await _state.LoadAsync();
        var work = _state.State.Work;
        if (work is null || _state.State.Finished)
        {
            return;
        }

        var taskId = Planner.TaskId(work.Module, result.Role);
        if (!_state.State.Statuses.TryGetValue(taskId, out var status) || status != PlanTaskStatus.Running)
        {
            return; // a duplicate report
        }

        _state.State.Statuses[taskId] = result.Succeeded ? PlanTaskStatus.Succeeded : PlanTaskStatus.Failed;
        _state.State.Artifacts.AddRange(result.Artifacts);
        _state.State.Gates.AddRange(result.Gates);
        _state.State.CostUsd += result.CostUsd;
        if (result.Blocked && _state.State.BlockedReason.Length == 0)
        {
            _state.State.BlockedReason = BlockedReason(work.Module, result.Gates);
        }

        var validated = result.Role == AgentRoles.Validator && result.Succeeded && !result.Blocked;
        _state.State.Validated |= validated;
        if (!result.Succeeded)
        {
            _state.State.Reasons[taskId] = result.Reason;
            if (_state.State.FailureReason.Length == 0)
            {
                _state.State.FailureReason = result.Reason;
            }
        }

        if (_state.State.FailureReason.Length == 0 && _state.State.BlockedReason.Length == 0)
        {
            await DispatchReadyAsync(work, alwaysWrite: false);
        }
        else
        {
            _unwritten = true; // written when the module ends, once its other running tasks have
        }

        if (validated)
        {
            await GrainFactory.GetGrain<IRunGrain>(work.RunId).OnModuleValidatedAsync(work.Module);
        }

        await FinishIfIdleAsync(work);
    }

    /// <inheritdoc/>
    public async Task DecidePromotionAsync(bool promote, string reason)
    {
        await _state.LoadAsync();
        var work = _state.State.Work;
        if (work is null)
        {
            return;
        }

        if (_state.State.Finished)
        {
            await ReportAgainAsync(work);
            return;
        }

        if (_state.State.Promoted is not null)
        {
            return; // decided already; a re-drive resumes what is in flight
        }

        _state.State.Promoted = promote;
        _state.State.NotPromotedReason = promote ? "" : reason;
        if (promote && _state.State.FailureReason.Length == 0 && _state.State.BlockedReason.Length == 0)
        {
            await DispatchReadyAsync(work, alwaysWrite: true);
        }
        else
        {
            await WriteStateAsync();
        }

        await FinishIfIdleAsync(work);
    }

    /// <inheritdoc/>
    public async Task StopAsync()
    {
        await _state.LoadAsync();
        if (_state.State.Stopped)
        {
            if (_state.State.Finished && _state.State.Work is { } finished)
            {
                await ReportAgainAsync(finished);
            }

            return;
        }

        _state.State.Stopped = true;
        await WriteStateAsync();
        if (_state.State.Work is { } work && !_state.State.Finished)
        {
            await FinishIfIdleAsync(work);
        }
    }

    /// <inheritdoc/>
    public async Task RepublishAsync()
    {
        await _state.LoadAsync();
        if (_state.State.Work is not { } work)
        {
            return;
        }

        await PublishAsync(0, TraceEventTypes.ModuleStarted,
            [new(TraceAttributes.Tasks, work.Tasks.Length.ToString(CultureInfo.InvariantCulture))]);
        foreach (var task in work.Tasks.Where(t => _state.State.Statuses[t.Id] is PlanTaskStatus.Succeeded or PlanTaskStatus.Failed))
        {
            // An ended agent only publishes its events again and re-reports, which the module ignores.
            await GrainFactory.GetGrain<IAgentGrain>($"{work.RunId}/{work.Module}/{task.Role}").ExecuteAsync(AgentWorkFor(work, task));
        }

        if (_state.State.Finished)
        {
            var (type, attributes) = EndEvent();
            await PublishAsync(1, type, attributes);
            this.DeactivateOnIdle();
        }
    }

    /// <summary>Ends the module once nothing is running and nothing more can be dispatched (a release waits for the run's decision).</summary>
    private async Task FinishIfIdleAsync(ModuleWork work)
    {
        var s = _state.State;
        var awaitingPromotion = !s.Stopped && s.Validated && s.Promoted is null && s.FailureReason.Length == 0 && s.BlockedReason.Length == 0
            && work.Tasks.Any(t => t.Role == AgentRoles.Release && s.Statuses[t.Id] == PlanTaskStatus.Pending);
        if (!awaitingPromotion && !s.Statuses.Values.Any(status => status == PlanTaskStatus.Running))
        {
            await FinishAsync(work);
        }
    }

    /// <summary>A re-drive: hand the in-flight tasks to their agents again (they re-execute or re-report), or re-report the module's result.</summary>
    private async Task ResumeAsync(ModuleWork work)
    {
        if (_state.State.Finished)
        {
            await ReportAgainAsync(work);
            return;
        }

        foreach (var task in work.Tasks.Where(t => _state.State.Statuses[t.Id] == PlanTaskStatus.Running))
        {
            await GrainFactory.GetGrain<IAgentGrain>($"{work.RunId}/{work.Module}/{task.Role}").ExecuteAsync(AgentWorkFor(work, task));
        }

        if (_state.State.Validated && _state.State.Promoted is null)
        {
            await GrainFactory.GetGrain<IRunGrain>(work.RunId).OnModuleValidatedAsync(work.Module); // the report may have been lost
        }
    }

    /// <summary>
    /// Dispatches the tasks whose dependencies have succeeded. The state is written first when any is dispatched, or
    /// when <paramref name="alwaysWrite"/>; otherwise the change is left for a later write (see <see cref="_unwritten"/>).
    /// </summary>
    private async Task DispatchReadyAsync(ModuleWork work, bool alwaysWrite)
    {
        // Another module's task is this module's dependency in two ways: the modules it depends on (the run
        // starts this module only once they are validated), and every module's validator before a release
        // (satisfied only when the run has decided to promote).
        var own = _state.State.Statuses;
        var promoted = _state.State.Promoted == true;
        var ready = _state.State.Stopped ? [] : work.Tasks
            .Where(t => own[t.Id] == PlanTaskStatus.Pending && t.DependsOn.All(d =>
                own.TryGetValue(d, out var s) ? s == PlanTaskStatus.Succeeded : t.Role != AgentRoles.Release || promoted))
            .ToList();
        foreach (var task in ready)
        {
            own[task.Id] = PlanTaskStatus.Running;
        }

        if (ready.Count == 0 && !alwaysWrite)
        {
            _unwritten = true;
            return;
        }

        // Persist what is in flight before handing it on, so a re-drive knows what to resume.
        await WriteStateAsync();
        foreach (var task in ready)
        {
            await GrainFactory.GetGrain<IAgentGrain>($"{work.RunId}/{work.Module}/{task.Role}").ExecuteAsync(AgentWorkFor(work, task) with { FirstDispatch = true });
        }
    }

    /// <summary>
    /// The work of one task. Its upstream is exactly the artifacts of the module's tasks it depends on,
    /// directly or not, so a re-dispatched task sees the same inputs as the first time.
    /// </summary>
    private AgentWork AgentWorkFor(ModuleWork work, PlanTask task) => new()
    {
        RunId = work.RunId,
        TenantId = work.TenantId,
        Module = work.Module,
        Role = task.Role,
        BlueprintHash = work.BlueprintHash,
        Upstream = UpstreamOf(work, task),
        TraceId = work.TraceId,
        ParentSpanId = _state.State.SpanId,
        BaselineBlueprintHash = work.BaselineBlueprintHash,
        CostSoFarUsd = work.PriorCostUsd + _state.State.CostUsd,
        Edition = work.Edition,
    };

    private ImmutableArray<ArtifactRef> UpstreamOf(ModuleWork work, PlanTask task)
    {
        var roles = Planner.UpstreamRoles(work.Tasks, task);
        return [.. _state.State.Artifacts.Where(a => roles.Contains(a.Role)).OrderBy(a => a.Path, StringComparer.Ordinal)];
    }

    private async Task FinishAsync(ModuleWork work)
    {
        var failed = _state.State.FailureReason.Length > 0 || _state.State.Statuses.Values.Any(s => s == PlanTaskStatus.Failed);
        var blocked = !failed && _state.State.BlockedReason.Length > 0;
        foreach (var task in work.Tasks.Where(t => _state.State.Statuses[t.Id] == PlanTaskStatus.Pending))
        {
            _state.State.Statuses[task.Id] = PlanTaskStatus.Skipped;
            _state.State.Reasons[task.Id] = blocked ? "not run: a gate blocked the module's promotion"
                : failed ? "not run: an earlier task of the module failed"
                : _state.State.Stopped ? "not run: the run was cancelled"
                : $"not promoted: {_state.State.NotPromotedReason}";
        }

        _state.State.Finished = true;
        await WriteStateAsync();
        var (type, attributes) = EndEvent();
        await PublishAsync(1, type, attributes);
        if (failed || blocked)
        {
            _span?.SetStatus(ActivityStatusCode.Error, redactor.RedactText(failed ? _state.State.FailureReason : _state.State.BlockedReason));
        }

        _span?.Dispose();
        _span = null;
        await ReportAsync(work);
        this.DeactivateOnIdle(); // done: its state is stored, and a re-drive or a re-publish activates it again
    }

    /// <summary>Writes the module's state, retrying through a transient outage of the storage.</summary>
    private async Task WriteStateAsync()
    {
        await retry.ExecuteAsync($"module {this.GetPrimaryKeyString()}: writing its state", async _ => await _state.WriteStateAsync());
        _unwritten = false;
    }

    /// <summary>The module's closing event: failed, blocked, or completed (with why it stopped short, if it did).</summary>
    private (string Type, KeyValuePair<string, string>[] Attributes) EndEvent()
    {
        var failed = _state.State.FailureReason.Length > 0 || _state.State.Statuses.Values.Any(s => s == PlanTaskStatus.Failed);
        var blocked = !failed && _state.State.BlockedReason.Length > 0;
        KeyValuePair<string, string> Reason(string reason) => new(TraceAttributes.Reason, reason);
        var artifacts = new KeyValuePair<string, string>(TraceAttributes.Artifacts, _state.State.Artifacts.Count.ToString(CultureInfo.InvariantCulture));
        return failed ? (TraceEventTypes.ModuleFailed, [Reason(_state.State.FailureReason)])
            : blocked ? (TraceEventTypes.ModuleBlocked, [Reason(_state.State.BlockedReason)])
            : _state.State.Stopped && _state.State.Statuses.Values.Any(v => v == PlanTaskStatus.Skipped) ? (TraceEventTypes.ModuleCompleted, [artifacts, Reason("stopped: the run was cancelled")])
            : _state.State.Promoted == false ? (TraceEventTypes.ModuleCompleted, [artifacts, Reason($"not promoted: {_state.State.NotPromotedReason}")])
            : (TraceEventTypes.ModuleCompleted, [artifacts]);
    }

    /// <summary>A finished module asked again re-reports its result (the first report may have been lost) and leaves memory.</summary>
    private async Task ReportAgainAsync(ModuleWork work)
    {
        await ReportAsync(work);
        this.DeactivateOnIdle();
    }

    private Task ReportAsync(ModuleWork work)
    {
        var succeeded = _state.State.FailureReason.Length == 0;
        var tasks = work.Tasks
            .Select(t => new PlanTaskState(t, _state.State.Statuses[t.Id], _state.State.Reasons.GetValueOrDefault(t.Id, "")))
            .ToImmutableArray();
        var reason = succeeded ? _state.State.BlockedReason : _state.State.FailureReason;
        return GrainFactory.GetGrain<IRunGrain>(work.RunId)
            .OnModuleFinishedAsync(new ModuleResult(work.Module, succeeded, reason, tasks) { Gates = [.. _state.State.Gates], CostUsd = _state.State.CostUsd });
    }

    /// <summary>One line naming each blocking gate and its first violation.</summary>
    private static string BlockedReason(string module, IEnumerable<GateResult> gates) =>
        $"gates blocked the promotion of module {module}: " + string.Join("; ", gates.Where(g => g.Blocks).Select(g =>
            g.Violations.Length == 0
                ? g.RuleId
                : $"{g.RuleId} ({g.Violations.Length} violation{(g.Violations.Length == 1 ? "" : "s")}, first: {(g.Violations[0].Path.Length > 0 ? g.Violations[0].Path + ": " : "")}{g.Violations[0].Message})"));

    /// <summary>Publishes the module's event number <paramref name="ordinal"/> (0: started, 1: ended), whose id is stable across activations.</summary>
    private Task PublishAsync(int ordinal, string type, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        var work = _state.State.Work!;
        _events ??= new TraceEventSequence(work.RunId, work.TenantId, work.TraceId, work.Module, time);
        return this.GetStreamProvider(FactoryNames.TraceStreamProvider)
            .GetStream<TraceEvent>(StreamId.Create(FactoryNames.TraceNamespace, work.RunId))
            .OnNextAsync(_events.At(ordinal, type, work.Module, spanId: _state.State.SpanId, parentSpanId: work.ParentSpanId, attributes: attributes));
    }
}
