using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Factory.Grains.Redaction;
using Factory.Grains.Llm;
using Factory.Grains.Runs;
using Factory.Grains.Runtime;
using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Orleans.Streams;

namespace Factory.Grains.Agents;

/// <summary>Persistent state of an agent: its result once it has one (re-execution then only re-reports it).</summary>
[GenerateSerializer, Alias("Factory.Grains.AgentState")]
public sealed class AgentState
{
    /// <summary>The result, once the agent ended.</summary>
    [Id(0)] public AgentResult? Result { get; set; }

    /// <summary>The trace events the agent published, kept with its result so it can publish them again after a silo died.</summary>
    [Id(1)] public List<TraceEvent> Events { get; set; } = [];
}

/// <summary>
/// One agent role on one module of one run. <see cref="ExecuteAsync"/> accepts the work and returns;
/// the role's skills then run in a one-shot grain timer (so no caller waits on them), through a
/// Semantic Kernel whose plugins are the role's skills. Every step is published to the run's
/// trace stream, artifacts go to the content-addressed store, and the result is reported to the module.
/// Its state is read only when the work may have run before: work its module hands on for the first time starts
/// from nothing stored (in PostgreSQL mode, a query saved per agent).
/// </summary>
public sealed partial class AgentGrain(
    [FromKeyedServices(FactoryNames.GrainStorage)] IGrainStorage storage,
    IGrainContext grainContext,
    SkillKernels kernels,
    IArtifactStore store,
    BlueprintCache blueprints,
    GateStep gateStep,
    HandlerAuthor handlerAuthor,
    LlmSessions llm,
    FactoryInstruments instruments,
    ITraceRedactor redactor,
    ISkillCostCalculator costs,
    TimeProvider time,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain
{
    private readonly LazyGrainState<AgentState> _state = new("agent", grainContext, storage);
    private IGrainTimer? _work;
    private decimal _costUsd;
    private string _edition = "";

    /// <inheritdoc/>
    public Task ExecuteAsync(AgentWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_work is null)
        {
            // The work runs after this call returns: the module is never kept waiting on skills.
            _work = this.RegisterGrainTimer(RunAsync, work, new GrainTimerCreationOptions
            {
                DueTime = TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
                Interleave = false,
                KeepAlive = true,
            });
        }

        return Task.CompletedTask;
    }

    private async Task RunAsync(AgentWork work, CancellationToken cancellationToken)
    {
        try
        {
            // Work handed on for the first time has nothing stored yet: its state is not read.
            var stored = await _state.LoadAsync(nothingStored: work.FirstDispatch);
            if (stored.Result is not null && stored.Events.Count > 0)
            {
                // Ended before: its events may have been lost on their way to the journal; the run de-duplicates them.
                await TraceStream(work).OnNextBatchAsync(stored.Events);
            }

            var result = stored.Result ?? await ExecuteSkillsAsync(work, cancellationToken);
            await GrainFactory.GetGrain<IModuleGrain>($"{work.RunId}/{work.Module}").OnAgentFinishedAsync(result);
            this.DeactivateOnIdle(); // done: its state is stored, and a re-drive activates it again to re-report
        }
        catch (OrleansMessageRejectionException exception)
        {
            // A grain it called was on a silo that died: not the skills' fault. Nothing is recorded as ended, so the
            // run's re-drive starts this agent again once the cluster has moved that grain.
            LogAgentInterrupted(logger, work.RunId, work.Module, work.Role, exception.Message);
        }
        finally
        {
            _work?.Dispose();
            _work = null;
        }
    }

    private async Task<AgentResult> ExecuteSkillsAsync(AgentWork work, CancellationToken cancellationToken)
    {
        _costUsd = 0m;
        var started = time.GetTimestamp();
        var events = new TraceEventSequence(work.RunId, work.TenantId, work.TraceId, Planning.Planner.TaskId(work.Module, work.Role), time);
        using var span = FactoryTelemetry.StartSpan($"agent {work.Role}", work.TraceId, work.ParentSpanId);
        Tag(span, work);
        var spanId = span?.SpanId.ToHexString() ?? FactoryTelemetry.NewSpanId();
        var stream = new RecordingStream(TraceStream(work), time);

        await stream.AddAsync(events.Next(TraceEventTypes.AgentStarted, work.Module, work.Role, spanId: spanId, parentSpanId: work.ParentSpanId));
        var artifacts = ImmutableArray.CreateBuilder<ArtifactRef>();
        string? failedSkill = null;
        AgentResult result;
        try
        {
            // Prices compute: the edition travels with the work (asked of the tenant only for work recorded without it).
            _edition = work.Edition.Length > 0 ? work.Edition : (await GrainFactory.GetGrain<ITenantGrain>(work.TenantId).GetLimitsAsync()).Edition;
            var blueprint = await blueprints.GetAsync(work.BlueprintHash);
            var module = blueprint.Modules.FirstOrDefault(m => m.Name == work.Module)
                ?? throw new InvalidOperationException($"Blueprint {work.BlueprintHash} has no module '{work.Module}'.");
            var input = new SkillInput
            {
                Blueprint = blueprint,
                BlueprintHash = work.BlueprintHash,
                Module = module,
                Upstream = [.. work.Upstream.Select(a => ToUpstream(work.Module, a)).OrderBy(a => a.Path, StringComparer.Ordinal)],
            };
            input = await handlerAuthor.WithRecordedBodiesAsync(input, work.Upstream, work.Module, cancellationToken);
            GateResult? handlerBlock = null;
            if (work.Role == AgentRoles.Developer && HandlerAuthor.Needing(blueprint, module).Count > 0
                && await llm.OpenAsync(GrainFactory, work.TenantId, work.RunId) is { } session
                && await HandlerAuthor.ToWriteAsync(session, blueprint, module, work) is { Count: > 0 } operations)
            {
                failedSkill = LlmTrace.HandlerSkill;
                await stream.FlushAsync(); // watchers see the agent start before the model's slow answers
                (input, handlerBlock, var batch) = await WriteHandlersAsync(session, operations, input, work, events, spanId, artifacts, cancellationToken);
                await stream.AddAsync(batch);
                failedSkill = null;
            }

            var kernel = kernels.CreateKernel(work.Role);
            foreach (var skill in handlerBlock is null ? kernels.Pack.SkillsFor(work.Role) : [])
            {
                failedSkill = skill.Id;
                var batch = await RunSkillAsync(kernel, skill, input, work, events, spanId, artifacts, cancellationToken);
                await stream.AddAsync(batch);
                failedSkill = null;
            }

            ImmutableArray<GateResult> gates = handlerBlock is null ? [] : [handlerBlock];
            if (work.Role == AgentRoles.Validator)
            {
                failedSkill = GateStep.SkillId;
                (gates, var batch) = await RunGatesAsync(input, work, events, spanId, artifacts, cancellationToken);
                await stream.AddAsync(batch);
                failedSkill = null;
            }

            result = new AgentResult(work.Role, Succeeded: true, Reason: "", artifacts.ToImmutable()) { Gates = gates, CostUsd = _costUsd };
            await stream.AddAsync(events.Next(TraceEventTypes.AgentCompleted, work.Module, work.Role, spanId: spanId, parentSpanId: work.ParentSpanId,
                attributes: [new(TraceAttributes.Artifacts, artifacts.Count.ToString(CultureInfo.InvariantCulture)), EventCount(stream.Count + 1)]));
        }
        catch (Exception exception) when ((exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            && exception is not OrleansMessageRejectionException)
        {
            var reason = failedSkill is null
                ? $"agent {work.Role} on module {work.Module} failed: {exception.Message}"
                : $"skill {failedSkill} of agent {work.Role} on module {work.Module} failed: {exception.Message}";
            LogAgentFailed(logger, exception, work.RunId, work.Module, work.Role, reason);
            span?.SetStatus(ActivityStatusCode.Error, redactor.RedactText(reason));
            result = new AgentResult(work.Role, Succeeded: false, reason, artifacts.ToImmutable()) { CostUsd = _costUsd };
            var failed = new List<TraceEvent>(2);
            if (failedSkill is not null)
            {
                failed.Add(events.Next(TraceEventTypes.SkillFailed, work.Module, work.Role, failedSkill, parentSpanId: spanId,
                    attributes: [new(TraceAttributes.Reason, exception.Message)]));
            }

            failed.Add(events.Next(TraceEventTypes.AgentFailed, work.Module, work.Role, spanId: spanId, parentSpanId: work.ParentSpanId,
                attributes: [new(TraceAttributes.Reason, reason), EventCount(stream.Count + failed.Count + 1)]));
            await stream.AddAsync(failed);
        }

        await stream.FlushAsync();

        instruments.OnAgentEnded(work.Role, result.Succeeded, time.GetElapsedTime(started));
        return await StoreAsync(result, stream.Published, cancellationToken);
    }

    /// <summary>
    /// Stores the result and the events published with it. When state was stored meanwhile although the work was handed
    /// on as new (the module re-dispatched it from state written before it recorded the first dispatch), the result
    /// stored first stands: the run has journaled its events, whose ids both executions share.
    /// </summary>
    private async Task<AgentResult> StoreAsync(AgentResult result, List<TraceEvent> events, CancellationToken cancellationToken)
    {
        _state.State.Result = result;
        _state.State.Events = events;
        try
        {
            await _state.WriteStateAsync(cancellationToken);
            return result;
        }
        catch (InconsistentStateException exception)
        {
            LogStoredMeanwhile(logger, this.GetPrimaryKeyString(), exception.Message);
            var stored = await _state.ReloadAsync();
            if (stored.Result is { } first)
            {
                return first;
            }

            stored.Result = result;
            stored.Events = events;
            await _state.WriteStateAsync(cancellationToken);
            return result;
        }
    }

    private async Task<List<TraceEvent>> RunSkillAsync(
        Microsoft.SemanticKernel.Kernel kernel,
        SkillDescriptor skill,
        SkillInput input,
        AgentWork work,
        TraceEventSequence events,
        string agentSpanId,
        ImmutableArray<ArtifactRef>.Builder artifacts,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (span, spanId, batch) = StartSkill(skill.Id, skill.Version, work, events, agentSpanId);
        using var scope = span;
        var files = await kernels.InvokeAsync(kernel, skill, input, cancellationToken);
        await EmitAsync(files, skill.Id, skill.Version, work, events, spanId, agentSpanId, artifacts, batch, cancellationToken);

        batch.Add(SkillCompleted(skill.Id, files.Count, started, work, events, spanId, agentSpanId));
        return batch;
    }

    /// <summary>
    /// The validator's gates, traced as the built-in skill <see cref="GateStep.SkillId"/>: one event per gate
    /// result, and the module's validation report as an artifact.
    /// </summary>
    private async Task<(ImmutableArray<GateResult> Gates, List<TraceEvent> Batch)> RunGatesAsync(
        SkillInput input,
        AgentWork work,
        TraceEventSequence events,
        string agentSpanId,
        ImmutableArray<ArtifactRef>.Builder artifacts,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (span, spanId, batch) = StartSkill(GateStep.SkillId, GateStep.SkillVersion, work, events, agentSpanId);
        using var scope = span;
        var baseline = work.BaselineBlueprintHash.Length > 0 ? await blueprints.GetAsync(work.BaselineBlueprintHash) : null;
        var (gates, report) = await gateStep.RunAsync(input, baseline, work.CostSoFarUsd + _costUsd, cancellationToken);
        await EmitAsync([report], GateStep.SkillId, GateStep.SkillVersion, work, events, spanId, agentSpanId, artifacts, batch, cancellationToken);
        foreach (var gate in gates)
        {
            batch.Add(events.Next(GateStep.EventType(gate), work.Module, work.Role, GateStep.SkillId, spanId, agentSpanId, GateStep.EventAttributes(gate)));
            if (!gate.Passed)
            {
                LogGateViolated(logger, work.RunId, work.Module, gate.RuleId, GateStep.ModeName(gate.Mode), gate.Summary);
                instruments.OnGateFailed(gate.RuleId, GateStep.ModeName(gate.Mode));
            }
        }

        if (gates.Any(g => g.Blocks))
        {
            span?.SetStatus(ActivityStatusCode.Error, "a gate blocked promotion");
        }

        batch.Add(SkillCompleted(GateStep.SkillId, 1, started, work, events, spanId, agentSpanId));
        return (gates, batch);
    }

    /// <summary>Opens the skill's span (a child of the agent's) and its batch of events, starting with <c>SkillStarted</c>.</summary>
    private static (Activity? Span, string SpanId, List<TraceEvent> Batch) StartSkill(
        string skillId, string skillVersion, AgentWork work, TraceEventSequence events, string agentSpanId)
    {
        var span = FactoryTelemetry.StartSpan($"skill {skillId}", work.TraceId, agentSpanId);
        Tag(span, work);
        span?.SetTag(FactoryTelemetry.Skill, skillId);
        var spanId = span?.SpanId.ToHexString() ?? FactoryTelemetry.NewSpanId();
        return (span, spanId, [events.Next(TraceEventTypes.SkillStarted, work.Module, work.Role, skillId, spanId, agentSpanId,
            [new(TraceAttributes.SkillVersion, skillVersion)])]);
    }

    /// <summary>
    /// Stores a skill's files and adds an <c>ArtifactEmitted</c> event per file to <paramref name="batch"/>, in the
    /// files' order. The files are handed to the store all at once: a database store writes them in one statement.
    /// </summary>
    private async Task EmitAsync(
        IReadOnlyList<GeneratedFile> files,
        string skillId,
        string skillVersion,
        AgentWork work,
        TraceEventSequence events,
        string spanId,
        string agentSpanId,
        ImmutableArray<ArtifactRef>.Builder artifacts,
        List<TraceEvent> batch,
        CancellationToken cancellationToken)
    {
        var addresses = await store.PutAllAsync([.. files.Select(f => f.Content)], cancellationToken);
        for (var i = 0; i < files.Count; i++)
        {
            var address = addresses[i];
            var artifact = new ArtifactRef($"{work.Module}/{files[i].Path}", files[i].Kind, address.Sha256, address.Size, work.Module, work.Role, skillId, skillVersion);
            artifacts.Add(artifact);
            batch.Add(events.Next(TraceEventTypes.ArtifactEmitted, work.Module, work.Role, skillId, spanId, agentSpanId,
            [
                new(TraceAttributes.Path, artifact.Path),
                new(TraceAttributes.Kind, artifact.Kind),
                new(TraceAttributes.Sha256, artifact.Sha256),
                new(TraceAttributes.Size, artifact.Size.ToString(CultureInfo.InvariantCulture)),
                new(TraceAttributes.SkillVersion, skillVersion),
            ]));
        }
    }

    /// <summary>
    /// The skill's closing event, with its duration and what it cost (<see cref="SkillCost.Attributes"/>): its compute
    /// time and, when it called a model, that model's tokens.
    /// </summary>
    private TraceEvent SkillCompleted(string skillId, int artifactCount, long started, AgentWork work, TraceEventSequence events, string spanId, string agentSpanId,
        LlmTokens? tokens = null)
    {
        var elapsed = time.GetElapsedTime(started);
        var cost = costs.Price(new SkillUsage(_edition, skillId, elapsed, tokens?.Input ?? 0, tokens?.Output ?? 0, tokens?.Model ?? ""));
        _costUsd += cost.TotalUsd;
        instruments.OnSkillEnded(skillId, elapsed, artifactCount);
        instruments.OnSkillCost(_edition, work.Role, cost.TotalUsd);
        return events.Next(TraceEventTypes.SkillCompleted, work.Module, work.Role, skillId, spanId, agentSpanId,
        [
            new(TraceAttributes.Artifacts, artifactCount.ToString(CultureInfo.InvariantCulture)),
            new(TraceAttributes.DurationMs, elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)),
            .. cost.Attributes(),
        ]);
    }


    private IAsyncStream<TraceEvent> TraceStream(AgentWork work) => this.GetStreamProvider(FactoryNames.TraceStreamProvider)
        .GetStream<TraceEvent>(StreamId.Create(FactoryNames.TraceNamespace, work.RunId));

    /// <summary>
    /// The run's trace stream, remembering what was published on it. Events are published in batches: what an agent
    /// adds waits until <see cref="Linger"/> has passed since the oldest pending event, or until the agent flushes (before
    /// a slow call to a model, and when it ends), so a fast agent's whole trace is one stream message and one journal
    /// append, and a slow one's events still reach watchers within about that time.
    /// </summary>
    private sealed class RecordingStream(IAsyncStream<TraceEvent> stream, TimeProvider time)
    {
        private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
        private readonly List<TraceEvent> _pending = [];
        private long _pendingSince;

        public List<TraceEvent> Published { get; } = [];

        /// <summary>Events published or pending.</summary>
        public int Count => Published.Count + _pending.Count;

        public Task AddAsync(TraceEvent e) => AddAsync([e]);

        public Task AddAsync(IReadOnlyList<TraceEvent> batch)
        {
            if (_pending.Count == 0)
            {
                _pendingSince = time.GetTimestamp();
            }

            _pending.AddRange(batch);
            return time.GetElapsedTime(_pendingSince) >= Linger ? FlushAsync() : Task.CompletedTask;
        }

        public async Task FlushAsync()
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var batch = _pending.ToArray();
            _pending.Clear();
            Published.AddRange(batch);
            await stream.OnNextBatchAsync(batch);
        }
    }

    /// <summary>
    /// The terminal event's count of the agent's events: the run checks its journal holds that many, and asks for them
    /// again when some were lost on the way (with a silo that died).
    /// </summary>
    private static KeyValuePair<string, string> EventCount(int count) => new(TraceAttributes.Events, count.ToString(CultureInfo.InvariantCulture));

    private static UpstreamArtifact ToUpstream(string module, ArtifactRef artifact) => new(
        artifact.Path.StartsWith(module + "/", StringComparison.Ordinal) ? artifact.Path[(module.Length + 1)..] : artifact.Path,
        artifact.Kind, artifact.Sha256, artifact.Size, artifact.Skill, artifact.Role);

    private static void Tag(Activity? span, AgentWork work)
    {
        span?.SetTag(FactoryTelemetry.Tenant, work.TenantId);
        span?.SetTag(FactoryTelemetry.Run, work.RunId);
        span?.SetTag(FactoryTelemetry.Module, work.Module);
        span?.SetTag(FactoryTelemetry.Agent, work.Role);
    }
}
