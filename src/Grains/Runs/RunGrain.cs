using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Factory.Blueprints;
using Factory.Grains.Journal;
using Factory.Grains.Planning;
using Factory.Grains.Redaction;
using Factory.Grains.Runtime;
using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Storage;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Factory.Grains.Runs;

/// <summary>
/// Persistent state of a run: identity, plan and lifecycle. What the journal already holds
/// (sequence, artifacts, live task statuses) is not stored here: it is rebuilt from the journal
/// on the first call of an activation, so appending an event never rewrites grain state.
/// </summary>
[GenerateSerializer, Alias("Factory.Grains.RunState")]
public sealed class RunState
{
    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; set; } = "";
    /// <summary>W3C trace id.</summary>
    [Id(1)] public string TraceId { get; set; } = "";
    /// <summary>The run span's id.</summary>
    [Id(2)] public string SpanId { get; set; } = "";
    /// <summary>Lifecycle status.</summary>
    [Id(3)] public RunStatus Status { get; set; }
    /// <summary>Why it failed, or empty.</summary>
    [Id(4)] public string Reason { get; set; } = "";
    /// <summary>Blueprint name.</summary>
    [Id(5)] public string BlueprintName { get; set; } = "";
    /// <summary>Blueprint version.</summary>
    [Id(6)] public string BlueprintVersion { get; set; } = "";
    /// <summary>Blueprint canonical hash.</summary>
    [Id(7)] public string BlueprintHash { get; set; } = "";
    /// <summary>The plan.</summary>
    [Id(8)] public List<PlanTask> Plan { get; set; } = [];
    /// <summary>Modules handed to their grain.</summary>
    [Id(9)] public List<string> StartedModules { get; set; } = [];
    /// <summary>Modules that reported, with whether they succeeded.</summary>
    [Id(10)] public Dictionary<string, bool> FinishedModules { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Final task states reported by modules, by task id.</summary>
    [Id(11)] public Dictionary<string, PlanTaskState> FinalTasks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>When it was submitted.</summary>
    [Id(12)] public DateTimeOffset SubmittedAt { get; set; }
    /// <summary>When it ended.</summary>
    [Id(13)] public DateTimeOffset? EndedAt { get; set; }
    /// <summary>Template pack name@version.</summary>
    [Id(14)] public string TemplatePack { get; set; } = "";
    /// <summary>Gate results reported by modules, in report order.</summary>
    [Id(15)] public List<GateResult> Gates { get; set; } = [];
    /// <summary>Modules whose gates blocked their promotion.</summary>
    [Id(16)] public List<string> BlockedModules { get; set; } = [];
    /// <summary>Canonical hash of the blueprint the breaking-change gate compares with, or empty.</summary>
    [Id(17)] public string BaselineBlueprintHash { get; set; } = "";
    /// <summary>What finished modules reported they cost, in US dollars.</summary>
    [Id(18)] public decimal FinishedModulesCostUsd { get; set; }
    /// <summary>Modules whose validator passed every blocking gate, in report order.</summary>
    [Id(19)] public List<string> ValidatedModules { get; set; } = [];
    /// <summary>Whether the run was cancelled: it dispatches nothing more and ends <see cref="RunStatus.Cancelled"/> once its modules report.</summary>
    [Id(20)] public bool Cancelling { get; set; }
    /// <summary>Whether the tenant was told the run ended (freeing its concurrent-run slot).</summary>
    [Id(21)] public bool TenantToldEnded { get; set; }
    /// <summary>The blueprint's cost budget in US dollars, or null when it sets none or turns the <c>cost-budget</c> rule off.</summary>
    [Id(40)] public decimal? CostBudgetUsd { get; set; }
    /// <summary>How the <c>cost-budget</c> rule treats a run over its budget.</summary>
    [Id(41)] public GateMode CostBudgetMode { get; set; }
    /// <summary>Whether the run went over its budget: in block mode it dispatches nothing more and ends <see cref="RunStatus.Blocked"/>.</summary>
    [Id(42)] public bool OverBudget { get; set; }
    /// <summary>The tenant's edition when the run was submitted; its agents price compute by it.</summary>
    [Id(43)] public string Edition { get; set; } = "";

    /// <summary>Whether the run dispatches nothing more: cancelled, or stopped by its cost budget.</summary>
    public bool Stopping => Cancelling || (OverBudget && CostBudgetMode == GateMode.Block);
}

/// <summary>
/// One run. Plans the blueprint, hands ready modules to <see cref="IModuleGrain"/>s, and owns the
/// run's journal: as the implicit subscriber of <c>trace/{runId}</c> it de-duplicates agents' raw
/// events by id, assigns sequence numbers, appends them to <see cref="IRunJournal"/>, updates the
/// run's aggregates, wakes watchers and (with <see cref="FactoryRuntimeOptions.PublishRunEvents"/>) republishes the
/// sequenced event on <c>run-events/{runId}</c>.
/// It ends (with a terminal event) once every dispatched task has reported and its terminal event is
/// journaled, then tells its tenant. The terminal event is the journal's last, except for feedback:
/// a <c>FeedbackSubmitted</c> event on an ended run is appended after it, and watchers still receive it.
/// </summary>
[ImplicitStreamSubscription(FactoryNames.TraceNamespace)]
[RandomPlacement] // runs submitted in a burst spread over the silos, instead of all going where load looked lowest a moment ago
public sealed partial class RunGrain(
    [FromKeyedServices(FactoryNames.GrainStorage)] IGrainStorage storage,
    IGrainContext grainContext,
    IRunJournal journal,
    BlueprintCache blueprints,
    ITemplatePack pack,
    FactoryInstruments instruments,
    StorageRetry retry,
    ITraceRedactor redactor,
    RunAdmission admission,
    TimeProvider time,
    IOptions<FactoryRuntimeOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain, IStreamSubscriptionObserver, IRemindable
{
    private const int PageSize = 256;
    private const int MaxFeedbackComment = 2000;
    private const string RedriveReminder = "redrive";
    /// <summary>The stored state, read (with what the journal holds) on the first call of an activation: see <see cref="LoadAsync"/>.</summary>
    private readonly LazyGrainState<RunState> _state = new("run", grainContext, storage);
    private Task? _loading;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ArtifactRef> _artifacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlanTaskStatus> _liveTasks = new(StringComparer.Ordinal);

    /// <summary>
    /// The events a run must find in its journal before it ends, those seen so far: each started module's start
    /// (<see cref="ModuleStartKey"/>) and end (the module's name), and each reported task's end (its task id).
    /// </summary>
    private readonly HashSet<string> _expectedEventsSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _taskEvents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _taskEventsPublished = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Module, string Agent), CostLine> _costs = new();
    private TaskCompletionSource _appended = NewSignal();
    private long _next;
    private decimal _costUsd;
    private bool _terminalJournaled;
    private IGrainTimer? _settleDeadline;
    private bool _settleExtended;
    private Activity? _span;
    private IAsyncStream<TraceEvent>? _runEvents;
    private bool _waitingForAdmission;

    /// <summary>The re-drive reminder this activation registered, if it did (a later activation reads it from the table).</summary>
    private IGrainReminder? _redrive;

    /// <summary>
    /// The modules this activation has told the promotion decision. They are not told again each time another module
    /// reports (a finished one would only be activated again to repeat its report), but a re-drive tells them all
    /// again, and a module that asks again (it was re-activated, or the answer was lost) is told again.
    /// </summary>
    private readonly HashSet<string> _promotionTold = new(StringComparer.Ordinal);

    private string? _runId;

    private string RunId => _runId ??= this.GetPrimaryKeyString();

    /// <summary>
    /// Reads the run's state on the first call of this activation, and rebuilds what its journal holds (the next
    /// sequence, seen ids, artifacts, live statuses); every public entry awaits it first. A start under a new run id
    /// (<paramref name="nothingStored"/>) reads nothing: nothing can be stored yet. A read that fails is tried again
    /// by the next call.
    /// </summary>
    private async Task LoadAsync(bool nothingStored = false)
    {
        var loading = _loading ??= LoadCoreAsync(nothingStored);
        try
        {
            await loading;
        }
        catch
        {
            if (ReferenceEquals(_loading, loading))
            {
                _loading = null;
            }

            throw;
        }
    }

    private async Task LoadCoreAsync(bool nothingStored)
    {
        var stored = await _state.LoadAsync(nothingStored);
        if (stored.Status == RunStatus.None)
        {
            return;
        }

        while (true)
        {
            var page = await journal.ReadAsync(RunId, _next, PageSize);
            foreach (var e in page)
            {
                _seen.Add(e.EventId);
                Apply(e);
                _next = e.Sequence + 1;
            }

            if (page.Count < PageSize)
            {
                break;
            }
        }

        if (EndOwed)
        {
            await CompleteEndAsync(); // the silo may have died between the run's end and the report
        }
    }

    /// <inheritdoc/>
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        await handleFactory.Create<TraceEvent>().ResumeAsync(OnTraceEventsAsync, _ => Task.CompletedTask);
    }

    /// <inheritdoc/>
    public async Task<RunSnapshot> StartAsync(RunStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        await LoadAsync(nothingStored: start.NewRunId);
        if (_state.State.Status != RunStatus.None)
        {
            return Snapshot();
        }

        var loaded = BlueprintLoader.Load(start.BlueprintJson, $"run {RunId}");
        if (!loaded.IsValid || loaded.Blueprint is null || loaded.CanonicalJson is null)
        {
            throw new BlueprintRejectedException([.. loaded.Problems.Select(p => p.ToString())]);
        }

        // A run records (and generates from) the redacted blueprint: no secret or personal data in its bundle or artifacts.
        var blueprint = redactor.Redact(loaded.Blueprint);
        var hash = await blueprints.PutAsync(blueprint, BlueprintCanonicalForm.ToJson(blueprint));
        var plan = Planner.Plan(blueprint);
        var baseline = await BaselineAsync(start, blueprint);

        _span = FactoryTelemetry.StartRunSpan($"run {blueprint.Metadata.Name}");
        _span?.SetTag(FactoryTelemetry.Tenant, start.TenantId);
        _span?.SetTag(FactoryTelemetry.Run, RunId);
        var s = _state.State;
        s.TenantId = start.TenantId;
        s.TraceId = _span?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString();
        s.SpanId = _span?.SpanId.ToHexString() ?? FactoryTelemetry.NewSpanId();
        s.Status = RunStatus.Running;
        s.BlueprintName = blueprint.Metadata.Name;
        s.BlueprintVersion = blueprint.Metadata.Version;
        s.BlueprintHash = hash;
        s.Plan = [.. plan];
        s.SubmittedAt = start.SubmittedAt;
        s.Edition = start.Edition;
        s.TemplatePack = $"{pack.Name}@{pack.Version}";
        s.BaselineBlueprintHash = baseline;
        var budgetMode = blueprint.Policies.ModeOf(Gates.GateRuleIds.CostBudget);
        s.CostBudgetUsd = budgetMode == RuleMode.Off ? null : blueprint.Policies.CostBudgetUsd;
        s.CostBudgetMode = budgetMode == RuleMode.Warn ? GateMode.Warn : GateMode.Block;
        // Durable: if a silo dies, this reminder fires on a survivor and re-drives what was in flight. The state and the
        // reminder are stored at once (the submission waits on one round trip, not two): a reminder stored without the
        // state finds no run when it fires and unregisters itself.
        var period = options.Value.RedrivePeriod;
        var registering = this.RegisterOrUpdateReminder(RedriveReminder, period, period);
        await Task.WhenAll(WriteStateAsync(), registering);
        _redrive = await registering;

        // The run's first events go to the journal in one append.
        var events = RunEvents();
        List<TraceEvent> first =
        [
            events.At(0, TraceEventTypes.RunStarted, "", spanId: s.SpanId, attributes:
            [
                new(TraceAttributes.Blueprint, s.BlueprintName),
                new(TraceAttributes.BlueprintVersion, s.BlueprintVersion),
                new(TraceAttributes.BlueprintHash, s.BlueprintHash),
                new(TraceAttributes.TemplatePack, s.TemplatePack),
                new(TraceAttributes.BaselineBlueprintHash, s.BaselineBlueprintHash),
            ]),
            events.At(1, TraceEventTypes.PlanCreated, "", spanId: s.SpanId, attributes:
            [
                new(TraceAttributes.Tasks, plan.Length.ToString(CultureInfo.InvariantCulture)),
                new("plan", string.Join(' ', plan.Select(t => t.Id))),
            ]),
        ];
        first.AddRange(Llm.PlannerTrace.Events(events, start, s.SpanId, hash));
        await AppendAsync(first);

        instruments.OnRunStarted(s.TenantId);
        LogRunStarted(logger, RunId, s.TenantId, s.BlueprintName, s.BlueprintVersion, plan.Length);
        await PublishSummaryAsync();
        if (admission.TryEnter(RunId))
        {
            await DispatchReadyModulesAsync();
        }
        else
        {
            _waitingForAdmission = true; // journaled and answered; its modules start when the silo admits it
        }

        return Snapshot();
    }

    /// <inheritdoc/>
    public async Task AdmitAsync()
    {
        await LoadAsync();
        _waitingForAdmission = false;
        if (_state.State.Status != RunStatus.Running)
        {
            admission.Leave(RunId); // ended (cancelled) while it waited
            return;
        }

        await DispatchReadyModulesAsync();
        await TryFinishAsync();
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_loading is { IsCompletedSuccessfully: true } && _state.State.Status == RunStatus.Running && !_waitingForAdmission)
        {
            admission.Leave(RunId); // its place is not held by an activation that is going away
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<RunSnapshot> GetSnapshotAsync()
    {
        await LoadAsync();
        EnsureExists();
        return Snapshot();
    }

    /// <summary>
    /// The canonical hash of the blueprint the breaking-change gate compares with: the one the request
    /// names (a replay), else the tenant's last promoted run of a blueprint of the same name; empty for none.
    /// </summary>
    private async Task<string> BaselineAsync(RunStart start, Blueprint blueprint)
    {
        if (start.BaselineRecorded && start.BaselineBlueprintJson.Length == 0)
        {
            return ""; // recorded as none
        }

        if (start.BaselineBlueprintJson.Length > 0)
        {
            var loaded = BlueprintLoader.Load(start.BaselineBlueprintJson, $"baseline of run {RunId}");
            if (!loaded.IsValid || loaded.Blueprint is null || loaded.CanonicalJson is null)
            {
                throw new BlueprintRejectedException([.. loaded.Problems.Select(p => $"baseline: {p}")]);
            }

            var redacted = redactor.Redact(loaded.Blueprint);
            return await blueprints.PutAsync(redacted, BlueprintCanonicalForm.ToJson(redacted));
        }

        var promoted = await GrainFactory.GetGrain<ITenantGrain>(start.TenantId).GetPromotedAsync(blueprint.Metadata.Name);
        return promoted?.BlueprintHash ?? "";
    }

    /// <inheritdoc/>
    public async Task<ImmutableArray<TraceEvent>> ReadJournalAsync(long fromSequence, int max)
    {
        await LoadAsync();
        EnsureExists();
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        var page = await journal.ReadAsync(RunId, fromSequence, Math.Clamp(max, 1, 1000));
        return [.. page];
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TraceEvent> WatchAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await LoadAsync();
        EnsureExists();
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        var next = fromSequence;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (next < _next)
            {
                var page = await journal.ReadAsync(RunId, next, PageSize, cancellationToken);
                foreach (var e in page)
                {
                    yield return e;
                    next = e.Sequence + 1;
                }

                continue;
            }

            if (_terminalJournaled)
            {
                yield break; // caught up with an ended run (feedback journaled after its end included)
            }

            await _appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<RunSnapshot> CancelAsync(string reason)
    {
        await LoadAsync();
        EnsureExists();
        var s = _state.State;
        if (s.Status != RunStatus.Running)
        {
            return Snapshot();
        }

        if (!s.Cancelling)
        {
            s.Cancelling = true;
            s.Reason = string.IsNullOrWhiteSpace(reason) ? "cancelled on request" : redactor.RedactText(reason);
            await WriteStateAsync();
            LogRunCancelling(logger, RunId, s.Reason);
        }

        await StopModulesAsync();
        await TryFinishAsync();
        return Snapshot();
    }

    /// <summary>Tells every module in flight to dispatch nothing more; each reports once its tasks in flight end. Idempotent.</summary>
    private async Task StopModulesAsync()
    {
        var s = _state.State;
        foreach (var module in s.StartedModules.Where(m => !s.FinishedModules.ContainsKey(m)))
        {
            await GrainFactory.GetGrain<IModuleGrain>($"{RunId}/{module}").StopAsync();
        }
    }

    /// <inheritdoc/>
    public async Task<long> SubmitFeedbackAsync(Feedback feedback)
    {
        await LoadAsync();
        EnsureExists();
        ArgumentNullException.ThrowIfNull(feedback);
        var s = _state.State;
        if (feedback.Score is < 1 or > 5)
        {
            throw new ArgumentException($"Feedback.Score must be 1 to 5 (was {feedback.Score}).", nameof(Feedback.Score));
        }

        var comment = feedback.Comment ?? "";
        if (comment.Length > MaxFeedbackComment)
        {
            throw new ArgumentException($"Feedback.Comment is {comment.Length} characters; the limit is {MaxFeedbackComment}.", nameof(Feedback.Comment));
        }

        var module = feedback.Module ?? "";
        if (module.Length > 0 && !s.Plan.Any(t => t.Module == module))
        {
            throw new ArgumentException($"Feedback.Module: the run has no module '{module}'.", nameof(Feedback.Module));
        }

        var agent = feedback.Agent ?? "";
        if (agent.Length > 0 && !s.Plan.Any(t => t.Role == agent && (module.Length == 0 || t.Module == module)))
        {
            throw new ArgumentException(module.Length > 0 ? $"Feedback.Agent: the run has no agent '{agent}' on module '{module}'." : $"Feedback.Agent: the run has no agent '{agent}'.", nameof(Feedback.Agent));
        }

        var path = feedback.ArtifactPath ?? "";
        if (path.Length > 0 && !(_artifacts.TryGetValue(path, out var artifact) && (module.Length == 0 || artifact.Module == module)))
        {
            throw new ArgumentException(module.Length > 0 ? $"Feedback.ArtifactPath: the run has no artifact '{path}' in module '{module}'." : $"Feedback.ArtifactPath: the run has no artifact '{path}'.", nameof(Feedback.ArtifactPath));
        }

        var attributes = new List<KeyValuePair<string, string>> { new(TraceAttributes.Score, feedback.Score.ToString(CultureInfo.InvariantCulture)) };
        if (comment.Length > 0)
        {
            attributes.Add(new(TraceAttributes.Comment, comment));
        }

        if (path.Length > 0)
        {
            attributes.Add(new(TraceAttributes.Path, path));
        }

        if (!string.IsNullOrEmpty(feedback.By))
        {
            attributes.Add(new(TraceAttributes.By, feedback.By));
        }

        var now = time.GetUtcNow();
        var sequence = _next;
        await AppendAsync(new TraceEvent
        {
            EventId = Guid.CreateVersion7(now).ToString("N"),
            RunId = RunId,
            TenantId = s.TenantId,
            TraceId = s.TraceId,
            SpanId = FactoryTelemetry.NewSpanId(),
            ParentSpanId = s.SpanId,
            Type = TraceEventTypes.FeedbackSubmitted,
            Module = module,
            Agent = agent,
            Time = now,
            Attributes = attributes.ToImmutableDictionary(StringComparer.Ordinal),
        });
        return sequence;
    }

    /// <inheritdoc/>
    public async Task OnModuleValidatedAsync(string module)
    {
        await LoadAsync();
        var s = _state.State;
        if (s.Status != RunStatus.Running)
        {
            return;
        }

        if (!s.ValidatedModules.Contains(module))
        {
            s.ValidatedModules.Add(module);
            await WriteStateAsync();
            await DispatchReadyModulesAsync();
        }

        _promotionTold.Remove(module); // it asks: a decision made already is told again
        await DecidePromotionsAsync();
    }

    /// <summary>
    /// Promotion is all or nothing: once every module is validated, each may run its release; once one
    /// failed or was blocked, none may, and the validated ones end without releasing. Idempotent.
    /// </summary>
    private async Task DecidePromotionsAsync()
    {
        var s = _state.State;
        if (s.Stopping)
        {
            return; // stopped modules end without their release
        }

        var stopped = s.FinishedModules.Where(m => !m.Value).Select(m => m.Key).FirstOrDefault();
        var everyModule = s.Plan.Select(t => t.Module).Distinct().Count();
        if (stopped is null && s.ValidatedModules.Count < everyModule)
        {
            return; // undecided: modules are still being validated
        }

        var reason = stopped is null ? "" : $"module {stopped} did not pass";
        foreach (var module in s.ValidatedModules.Where(m => !s.FinishedModules.ContainsKey(m) && !_promotionTold.Contains(m)).ToList())
        {
            await GrainFactory.GetGrain<IModuleGrain>($"{RunId}/{module}").DecidePromotionAsync(stopped is null, reason);
            _promotionTold.Add(module);
        }
    }

    /// <inheritdoc/>
    public async Task OnModuleFinishedAsync(ModuleResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        await LoadAsync();
        var s = _state.State;
        if (s.Status != RunStatus.Running || s.FinishedModules.ContainsKey(result.Module))
        {
            return;
        }

        var hadFailure = FinalStatus() == RunStatus.Failed;
        s.FinishedModules[result.Module] = result.Succeeded && !result.Blocked;
        // The budget is reported once: a module's failing cost-budget result adds nothing to one already recorded.
        s.Gates.AddRange(result.Gates.Where(g => !(IsBudgetFailure(g) && s.Gates.Any(IsBudgetFailure))));
        s.FinishedModulesCostUsd += result.CostUsd;
        foreach (var task in result.Tasks)
        {
            s.FinalTasks[task.Task.Id] = task;
        }

        if (result.Blocked && result.Succeeded)
        {
            s.BlockedModules.Add(result.Module);
        }

        if (s.Stopping)
        {
            // the cancellation's (or the budget's) reason stays the run's reason
        }
        else if (!result.Succeeded && !hadFailure)
        {
            s.Reason = redactor.RedactText($"module {result.Module}: {result.Reason}"); // the first failure's reason outranks a block's
        }
        else if (result.Blocked && s.Reason.Length == 0)
        {
            s.Reason = redactor.RedactText(result.Reason);
        }

        await WriteStateAsync();
        await DispatchReadyModulesAsync();
        await DecidePromotionsAsync();
        await TryFinishAsync();
    }

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RedriveReminder)
        {
            return;
        }

        await LoadAsync();
        if (_state.State.Status != RunStatus.Running)
        {
            if (EndOwed)
            {
                await CompleteEndAsync(); // its end was interrupted part way, as by a failed call to its tenant; unregisters
                return;
            }

            await UnregisterRedriveAsync();
            return;
        }

        if (_waitingForAdmission)
        {
            return; // nothing dispatched yet, so nothing to re-drive
        }

        // Every step is idempotent: modules re-dispatch their in-flight tasks (agents re-execute or
        // re-report), finished modules re-report, and the run re-checks whether it can end.
        await DispatchReadyModulesAsync();
        var s = _state.State;
        if (s.Stopping)
        {
            await StopModulesAsync(); // the stop may not have reached every module
        }

        foreach (var module in s.StartedModules.Where(m => !s.FinishedModules.ContainsKey(m)))
        {
            await GrainFactory.GetGrain<IModuleGrain>($"{RunId}/{module}").StartAsync(ModuleWorkFor(module));
        }

        _promotionTold.Clear(); // the decision may not have reached every module
        await DecidePromotionsAsync();
        if (_settleDeadline is not null)
        {
            await RepublishMissingAsync(); // still waiting for trace events: they may have been lost with a silo
        }

        await TryFinishAsync();
    }

    /// <summary>
    /// Asks each module whose trace events (its own or its agents') are missing from the journal to publish them
    /// again: events on their way to the journal are lost when a silo dies. Re-published events are de-duplicated by id.
    /// </summary>
    private async Task RepublishMissingAsync()
    {
        var missing = MissingExpectedEvents().ToList();
        foreach (var module in _state.State.StartedModules.Where(m => missing.Any(k => k == m || k.StartsWith(m + "/", StringComparison.Ordinal))))
        {
            await GrainFactory.GetGrain<IModuleGrain>($"{RunId}/{module}").RepublishAsync();
        }
    }

    private async Task UnregisterRedriveAsync()
    {
        if (_redrive is { } registered)
        {
            // Registered by this activation: no need to read it back from the reminder table first.
            _redrive = null;
            try
            {
                await this.UnregisterReminder(registered);
                return;
            }
            catch (ReminderException)
            {
                // Changed in the table since (its tag no longer matches): unregister what is there now.
            }
        }

        if (await this.GetReminder(RedriveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// A delivery from the trace stream (one publisher's batch, or several queued batches at once): the events not
    /// journaled yet are appended together, in one journal round trip.
    /// </summary>
    private async Task OnTraceEventsAsync(IList<SequentialItem<TraceEvent>> delivered)
    {
        await LoadAsync();
        List<TraceEvent>? fresh = null;
        foreach (var item in delivered)
        {
            var e = item.Item;
            if (_state.State.Status == RunStatus.None || e.RunId != RunId)
            {
                LogStrayEvent(logger, RunId, e.EventId, e.Type);
                continue;
            }

            if (_terminalJournaled || !_seen.Add(e.EventId))
            {
                continue; // a redelivery, or a straggler after the run ended
            }

            (fresh ??= new List<TraceEvent>(delivered.Count)).Add(e);
        }

        if (fresh is null)
        {
            return;
        }

        await AppendAsync(fresh);
        if (_settleDeadline is not null)
        {
            await TryFinishAsync();
        }
    }

    private Task AppendAsync(TraceEvent raw) => AppendAsync([raw]);

    /// <summary>
    /// The journal boundary: redacts <paramref name="raws"/>, gives them the next sequences and appends them in one
    /// round trip, then applies them to the run's aggregates, wakes its watchers and (with
    /// <see cref="FactoryRuntimeOptions.PublishRunEvents"/>) publishes them, sequenced, on <c>run-events/{runId}</c> as one batch.
    /// </summary>
    private async Task AppendAsync(IReadOnlyList<TraceEvent> raws)
    {
        var batch = new TraceEvent[raws.Count];
        var s = _state.State;
        for (var i = 0; i < batch.Length; i++)
        {
            var raw = raws[i];
            _seen.Add(raw.EventId);

            // Nothing is recorded unredacted; the ids every event of the run repeats are held once.
            batch[i] = redactor.Redact(raw) with
            {
                Sequence = _next + i,
                RunId = RunId,
                TenantId = raw.TenantId == s.TenantId ? s.TenantId : raw.TenantId,
                TraceId = raw.TraceId == s.TraceId ? s.TraceId : raw.TraceId,
            };
        }

        var what = batch.Length == 1 ? $"event {_next}" : $"events {_next}..{_next + batch.Length - 1}";
        await retry.ExecuteAsync($"run {RunId}: appending {what} to the journal", async cancellationToken =>
        {
            try
            {
                await journal.AppendAsync(RunId, batch, cancellationToken);
            }
            catch (JournalSequenceException)
            {
                if (!await IsJournaledAsync(batch[0], cancellationToken))
                {
                    throw;
                }

                // an earlier attempt was stored (a batch is stored whole), though its answer was lost with the connection
            }
        });
        _next += batch.Length;
        TraceEvent? crossing = null;
        var now = time.GetUtcNow();
        foreach (var e in batch)
        {
            Apply(e);
            instruments.OnEventJournaled(now - e.Time);
            if (crossing is null && e.Type == TraceEventTypes.SkillCompleted && OverBudgetUnrecorded)
            {
                crossing = e; // the skill that took the run over its budget
            }
        }

        instruments.OnJournalAppended(batch.Length);
        var signal = _appended;
        _appended = NewSignal();
        signal.TrySetResult();
        if (options.Value.PublishRunEvents)
        {
            _runEvents ??= this.GetStreamProvider(FactoryNames.StreamProvider)
                .GetStream<TraceEvent>(StreamId.Create(FactoryNames.RunEventsNamespace, RunId));
            await _runEvents.OnNextBatchAsync(batch);
        }

        if (crossing is not null)
        {
            await CheckBudgetAsync(crossing);
        }
    }

    /// <summary>The run has spent more than its budget, and has not recorded it yet.</summary>
    private bool OverBudgetUnrecorded => _state.State is { OverBudget: false, CostBudgetUsd: { } budget } && _costUsd > budget;

    /// <summary>
    /// Enforces the blueprint's cost budget while the run goes: the first skill that takes the run's cost over it
    /// records a failed <c>cost-budget</c> gate (reported as the gate's event, with what was spent), and in block
    /// mode stops the run: nothing more is dispatched, and it ends <see cref="RunStatus.Blocked"/> naming the
    /// budget and what was spent.
    /// </summary>
    private async Task CheckBudgetAsync(TraceEvent crossing)
    {
        var s = _state.State;
        if (s.Status != RunStatus.Running || !OverBudgetUnrecorded)
        {
            return;
        }

        var budget = s.CostBudgetUsd!.Value;
        var finding = Gates.CostBudgetGate.Evaluate(budget, _costUsd);
        var gate = new GateResult(crossing.Module, Gates.GateRuleIds.CostBudget, s.CostBudgetMode, Passed: false, finding.Summary, [.. finding.Violations]);
        s.OverBudget = true;
        if (!s.Gates.Any(IsBudgetFailure)) // else a module's validator got there first: the run keeps one result
        {
            s.Gates.Add(gate);
        }

        if (s.Stopping && !s.Cancelling)
        {
            s.Reason = $"cost budget exceeded: the run has cost {Gates.CostBudgetGate.Usd(_costUsd)}, over its budget of {Gates.CostBudgetGate.Usd(budget)} (policies.costBudgetUsd); stopped after skill {crossing.Skill} of agent {crossing.Agent} on module {crossing.Module}";
        }

        await WriteStateAsync();
        instruments.OnGateFailed(gate.RuleId, Agents.GateStep.ModeName(gate.Mode));
        LogOverBudget(logger, RunId, _costUsd, budget, Agents.GateStep.ModeName(gate.Mode));
        // The run's own record of the crossing, with what was spent and the budget, is journaled even when a
        // validator's gate reached the run first: that gate names neither, and whether it comes first is a race
        // between the module's report and the trace stream.
        await AppendAsync(RunEvents().At(3, Agents.GateStep.EventType(gate), crossing.Module, spanId: s.SpanId, attributes:
        [
            .. Agents.GateStep.EventAttributes(gate),
            new(TraceAttributes.CostUsd, Agents.SkillCost.Usd(_costUsd)),
            new(TraceAttributes.BudgetUsd, Agents.SkillCost.Usd(budget)),
        ]));

        if (s.Stopping && !s.Cancelling)
        {
            await StopModulesAsync();
            await TryFinishAsync();
        }
    }

    private async Task<bool> IsJournaledAsync(TraceEvent e, CancellationToken cancellationToken)
    {
        var stored = await journal.ReadAsync(RunId, e.Sequence, 1, cancellationToken);
        return stored.Count == 1 && stored[0].EventId == e.EventId;
    }

    /// <summary>Writes the run's state, retrying through a transient outage of the storage.</summary>
    private Task WriteStateAsync() => retry.ExecuteAsync($"run {RunId}: writing its state", async _ => await _state.WriteStateAsync());

    private void Apply(TraceEvent e)
    {
        var taskId = e.Agent.Length > 0 ? Planner.TaskId(e.Module, e.Agent) : "";
        if (taskId.Length > 0)
        {
            _taskEvents[taskId] = _taskEvents.GetValueOrDefault(taskId) + 1;
        }

        switch (e.Type)
        {
            case TraceEventTypes.AgentStarted:
                _liveTasks[taskId] = PlanTaskStatus.Running;
                break;
            case TraceEventTypes.AgentCompleted or TraceEventTypes.AgentFailed:
                _liveTasks[taskId] = e.Type == TraceEventTypes.AgentCompleted ? PlanTaskStatus.Succeeded : PlanTaskStatus.Failed;
                _expectedEventsSeen.Add(taskId);
                if (int.TryParse(e.Attributes.GetValueOrDefault(TraceAttributes.Events), NumberStyles.None, CultureInfo.InvariantCulture, out var published))
                {
                    _taskEventsPublished[taskId] = published;
                }

                break;
            case TraceEventTypes.ModuleStarted:
                _expectedEventsSeen.Add(ModuleStartKey(e.Module));
                break;
            case TraceEventTypes.ModuleCompleted or TraceEventTypes.ModuleFailed or TraceEventTypes.ModuleBlocked:
                _expectedEventsSeen.Add(e.Module);
                break;
            case TraceEventTypes.SkillCompleted:
                if (decimal.TryParse(e.Attributes.GetValueOrDefault(TraceAttributes.CostUsd), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost))
                {
                    _costUsd += cost;
                }

                AddCost(e, cost);

                break;
            case TraceEventTypes.ArtifactEmitted:
                var path = e.Attributes.GetValueOrDefault(TraceAttributes.Path, "");
                _artifacts[path] = new ArtifactRef(
                    path,
                    e.Attributes.GetValueOrDefault(TraceAttributes.Kind, ""),
                    e.Attributes.GetValueOrDefault(TraceAttributes.Sha256, ""),
                    long.Parse(e.Attributes.GetValueOrDefault(TraceAttributes.Size, "0"), CultureInfo.InvariantCulture),
                    e.Module,
                    e.Agent,
                    e.Skill,
                    e.Attributes.GetValueOrDefault(TraceAttributes.SkillVersion, ""));
                break;
            default:
                if (e.IsTerminal)
                {
                    _terminalJournaled = true;
                    ForgetTraceBookkeeping();
                }

                break;
        }
    }

    private static bool IsBudgetFailure(GateResult gate) => gate.RuleId == Gates.GateRuleIds.CostBudget && !gate.Passed;

    /// <summary>Adds a <c>SkillCompleted</c> event's cost to its module's and its agent's lines.</summary>
    private void AddCost(TraceEvent e, decimal cost)
    {
        var compute = Decimal(e, TraceAttributes.ComputeUsd) ?? cost;
        var tokensUsd = Decimal(e, TraceAttributes.TokensUsd) ?? 0m;
        var tokensIn = (long)(Decimal(e, TraceAttributes.TokensIn) ?? 0m);
        var tokensOut = (long)(Decimal(e, TraceAttributes.TokensOut) ?? 0m);
        foreach (var key in new[] { (e.Module, ""), (e.Module, e.Agent) })
        {
            var line = _costs.GetValueOrDefault(key) ?? new CostLine(key.Item1, key.Item2, 0m, 0m, 0m, 0, 0, 0);
            _costs[key] = line with
            {
                CostUsd = line.CostUsd + cost,
                ComputeUsd = line.ComputeUsd + compute,
                TokensUsd = line.TokensUsd + tokensUsd,
                TokensIn = line.TokensIn + tokensIn,
                TokensOut = line.TokensOut + tokensOut,
                Skills = line.Skills + 1,
            };
        }

        static decimal? Decimal(TraceEvent e, string key) =>
            decimal.TryParse(e.Attributes.GetValueOrDefault(key), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private async Task DispatchReadyModulesAsync()
    {
        var s = _state.State;
        if (s.Status != RunStatus.Running || s.Stopping || s.FinishedModules.ContainsValue(false))
        {
            return;
        }

        var ready = ModuleDependencies()
            .Where(m => !s.StartedModules.Contains(m.Key) && m.Value.All(s.ValidatedModules.Contains))
            .Select(m => m.Key)
            .ToList();
        if (ready.Count == 0)
        {
            return;
        }

        s.StartedModules.AddRange(ready);
        await WriteStateAsync();
        foreach (var module in ready)
        {
            await GrainFactory.GetGrain<IModuleGrain>($"{RunId}/{module}").StartAsync(ModuleWorkFor(module) with { FirstStart = true });
        }
    }

    private ModuleWork ModuleWorkFor(string module) => new()
    {
        RunId = RunId,
        TenantId = _state.State.TenantId,
        Module = module,
        BlueprintHash = _state.State.BlueprintHash,
        Tasks = [.. _state.State.Plan.Where(t => t.Module == module)],
        TraceId = _state.State.TraceId,
        ParentSpanId = _state.State.SpanId,
        BaselineBlueprintHash = _state.State.BaselineBlueprintHash,
        PriorCostUsd = _state.State.FinishedModulesCostUsd,
        Edition = _state.State.Edition,
    };

    /// <summary>
    /// Each module (in plan order) with the modules it depends on, read off the plan's cross-module edges;
    /// a release's edges to every validator are the promotion barrier, not a module dependency.
    /// </summary>
    private IEnumerable<KeyValuePair<string, string[]>> ModuleDependencies()
    {
        var moduleOf = _state.State.Plan.ToDictionary(t => t.Id, t => t.Module, StringComparer.Ordinal);
        return _state.State.Plan
            .GroupBy(t => t.Module)
            .Select(g => new KeyValuePair<string, string[]>(g.Key,
                [.. g.Where(t => t.Role != AgentRoles.Release).SelectMany(t => t.DependsOn).Select(d => moduleOf[d]).Where(m => m != g.Key).Distinct()]));
    }

    private async Task TryFinishAsync()
    {
        var s = _state.State;
        if (s.Status != RunStatus.Running || s.StartedModules.Any(m => !s.FinishedModules.ContainsKey(m)))
        {
            return; // work in flight
        }

        var failed = s.FinishedModules.ContainsValue(false);
        if (!failed && !s.Stopping && s.FinishedModules.Count < s.Plan.Select(t => t.Module).Distinct().Count())
        {
            return; // more modules to dispatch
        }

        var missing = MissingExpectedEvents().ToList();
        if (missing.Count > 0)
        {
            // Tasks reported by call; their trace events are still on the stream. Wait, but not forever; and not in
            // the silo's place for working runs: nothing more is dispatched, so the next run can use the cores.
            admission.Leave(RunId);
            _settleDeadline ??= this.RegisterGrainTimer(OnSettleDeadlineAsync, new GrainTimerCreationOptions
            {
                DueTime = options.Value.TraceSettleTimeout,
                Period = Timeout.InfiniteTimeSpan,
            });
            return;
        }

        await FinishAsync(FinalStatus());
    }

    /// <summary>Cancelled if cancelled, else failed if a module failed, else blocked if a gate blocked one, else succeeded.</summary>
    private RunStatus FinalStatus()
    {
        var s = _state.State;
        return s.Cancelling ? RunStatus.Cancelled
            : s.Stopping ? RunStatus.Blocked
            : s.FinishedModules.Any(m => !m.Value && !s.BlockedModules.Contains(m.Key)) ? RunStatus.Failed
            : s.BlockedModules.Count > 0 ? RunStatus.Blocked
            : RunStatus.Succeeded;
    }

    private IEnumerable<string> MissingExpectedEvents()
    {
        var s = _state.State;
        var expected = s.StartedModules.Concat(s.StartedModules.Select(ModuleStartKey)).Concat(s.FinalTasks.Values
            .Where(t => t.Status is PlanTaskStatus.Succeeded or PlanTaskStatus.Failed)
            .Select(t => t.Task.Id));
        return expected.Where(k => !_expectedEventsSeen.Contains(k))
            .Concat(_taskEventsPublished.Where(p => _taskEvents.GetValueOrDefault(p.Key) < p.Value).Select(p => p.Key)); // some of an agent's events lost
    }

    /// <summary>
    /// Once the terminal event is journaled the trace stream's events are dropped unread, so the ids seen and the
    /// events expected are of no more use: an ended run that stays in memory holds only what its snapshot shows.
    /// </summary>
    private void ForgetTraceBookkeeping()
    {
        _seen.Clear();
        _seen.TrimExcess();
        _expectedEventsSeen.Clear();
        _expectedEventsSeen.TrimExcess();
        _taskEvents.Clear();
        _taskEvents.TrimExcess();
        _taskEventsPublished.Clear();
        _taskEventsPublished.TrimExcess();
    }

    /// <summary>The key of a module's start among <see cref="_expectedEventsSeen"/>: under the module, as its tasks are.</summary>
    private static string ModuleStartKey(string module) => $"{module}/{TraceEventTypes.ModuleStarted}";

    private async Task OnSettleDeadlineAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Status != RunStatus.Running)
        {
            return;
        }

        if (!_settleExtended)
        {
            _settleExtended = true;
            // Once: have the missing events published again, and wait as long again for them.
            LogTraceRepublishing(logger, RunId, string.Join(", ", MissingExpectedEvents()));
            await RepublishMissingAsync();
            _settleDeadline?.Dispose();
            _settleDeadline = this.RegisterGrainTimer(OnSettleDeadlineAsync, new GrainTimerCreationOptions
            {
                DueTime = options.Value.TraceSettleTimeout,
                Period = Timeout.InfiniteTimeSpan,
            });
            return;
        }

        LogTraceNotSettled(logger, RunId, string.Join(", ", MissingExpectedEvents()));
        await FinishAsync(FinalStatus());
    }

    private async Task FinishAsync(RunStatus status)
    {
        _settleDeadline?.Dispose();
        _settleDeadline = null;
        var s = _state.State;
        s.Status = status;
        s.EndedAt = time.GetUtcNow();
        await WriteStateAsync();
        await CompleteEndAsync();
    }

    /// <summary>Whether the run's final status is stored but its end is not complete: its tenant not told, or its terminal event not journaled.</summary>
    private bool EndOwed => IsTerminal(_state.State.Status) && (!_state.State.TenantToldEnded || !_terminalJournaled);

    /// <summary>
    /// The end of a run whose final status is stored: its tenant is told, then its terminal event journaled, then its
    /// place and its reminder are given up. When that was interrupted part way (its silo died, or the call to its
    /// tenant failed because the tenant's silo did), the next activation or reminder tick does what is still owed;
    /// the reminder stays registered until then. Called only while <see cref="EndOwed"/>.
    /// </summary>
    private async Task CompleteEndAsync()
    {
        var s = _state.State;
        var journaling = !_terminalJournaled;

        // The tenant hears of the end before any watcher does: a client that sees the terminal event and
        // submits again finds the run's slot free and, when it succeeded, its release promoted.
        if (!s.TenantToldEnded)
        {
            await TellTenantEndedAsync();
        }

        if (journaling)
        {
            await AppendTerminalEventAsync();
        }

        if (_span is not null)
        {
            if (s.Status != RunStatus.Succeeded)
            {
                _span.SetStatus(ActivityStatusCode.Error, s.Reason);
            }

            _span.Dispose();
            _span = null;
        }

        _waitingForAdmission = false;
        admission.Leave(RunId);
        await UnregisterRedriveAsync();
        if (journaling)
        {
            instruments.OnRunEnded(s.TenantId, s.Status);
            LogRunEnded(logger, RunId, s.Status, s.Reason);
            await PublishSummaryAsync();
        }
    }

    /// <summary>
    /// Frees the run's concurrent-run slot at its tenant and records there its final status, its cost and, when it
    /// succeeded (every gate of every module passed), its release as the blueprint's promoted one (idempotent).
    /// </summary>
    private async Task TellTenantEndedAsync()
    {
        var s = _state.State;
        var promoted = s.Status == RunStatus.Succeeded ? new PromotedRelease(RunId, s.BlueprintName, s.BlueprintVersion, s.BlueprintHash) : null;
        await GrainFactory.GetGrain<ITenantGrain>(s.TenantId).OnRunEndedAsync(new RunEnded(RunId, s.Status, _costUsd, promoted));
        s.TenantToldEnded = true;
        await WriteStateAsync();
    }

    private Task AppendTerminalEventAsync()
    {
        var s = _state.State;
        var type = s.Status switch
        {
            RunStatus.Succeeded => TraceEventTypes.RunSucceeded,
            RunStatus.Blocked => TraceEventTypes.RunBlocked,
            RunStatus.Cancelled => TraceEventTypes.RunCancelled,
            _ => TraceEventTypes.RunFailed,
        };
        var attributes = new List<KeyValuePair<string, string>>
        {
            new(TraceAttributes.Tasks, s.FinalTasks.Values.Count(t => t.Status == PlanTaskStatus.Succeeded).ToString(CultureInfo.InvariantCulture)),
            new(TraceAttributes.Artifacts, _artifacts.Count.ToString(CultureInfo.InvariantCulture)),
            new(TraceAttributes.DurationMs, ((s.EndedAt ?? time.GetUtcNow()) - s.SubmittedAt).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)),
            new(TraceAttributes.CostUsd, _costUsd.ToString("0.##########", CultureInfo.InvariantCulture)),
        };
        if (s.Status == RunStatus.Blocked)
        {
            attributes.Add(new(TraceAttributes.Violations, s.Gates.Where(g => g.Blocks).Sum(g => g.Violations.Length).ToString(CultureInfo.InvariantCulture)));
        }

        if (s.Reason.Length > 0)
        {
            attributes.Add(new(TraceAttributes.Reason, s.Reason));
        }

        return AppendAsync(RunEvents().At(2, type, "", spanId: s.SpanId, attributes: attributes));
    }

    private RunSnapshot Snapshot()
    {
        var s = _state.State;
        var terminal = IsTerminal(s.Status);
        return new RunSnapshot
        {
            RunId = RunId,
            TenantId = s.TenantId,
            TraceId = s.TraceId,
            Status = s.Status,
            Reason = s.Reason,
            BlueprintName = s.BlueprintName,
            BlueprintVersion = s.BlueprintVersion,
            BlueprintHash = s.BlueprintHash,
            Tasks = [.. s.Plan.Select(t => s.FinalTasks.TryGetValue(t.Id, out var final)
                ? final
                : new PlanTaskState(t,
                    _liveTasks.TryGetValue(t.Id, out var live) ? live : terminal ? PlanTaskStatus.Skipped : PlanTaskStatus.Pending,
                    terminal && !_liveTasks.ContainsKey(t.Id) ? "not run: the run ended before its dependencies succeeded" : ""))],
            Artifacts = [.. _artifacts.Values],
            EventCount = _next,
            SubmittedAt = s.SubmittedAt,
            EndedAt = s.EndedAt,
            TemplatePack = s.TemplatePack,
            Gates = [.. s.Gates.OrderBy(g => g.Module, StringComparer.Ordinal).ThenBy(g => g.RuleId, StringComparer.Ordinal)],
            CostUsd = _costUsd,
            BaselineBlueprintHash = s.BaselineBlueprintHash,
            Costs = [.. _costs.Values],
        };
    }

    private Task PublishSummaryAsync()
    {
        var s = _state.State;
        return this.GetStreamProvider(FactoryNames.StreamProvider)
            .GetStream<RunSummary>(StreamId.Create(FactoryNames.TenantRunsNamespace, s.TenantId))
            .OnNextAsync(new RunSummary(RunId, s.TenantId, s.Status, s.BlueprintName, s.BlueprintVersion, s.Reason, _next));
    }

    private TraceEventSequence RunEvents() =>
        new(RunId, _state.State.TenantId, _state.State.TraceId, "run", time);

    private void EnsureExists()
    {
        if (_state.State.Status == RunStatus.None)
        {
            throw new RunNotFoundException(RunId);
        }
    }

    private static bool IsTerminal(RunStatus status) => status is not (RunStatus.None or RunStatus.Running);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
