using System.Collections.Concurrent;
using System.Diagnostics;
using Factory.Blueprints;
using Factory.Grains.Agents;
using Factory.Grains.Gates;
using Factory.Grains.Planning;
using Factory.Grains.Skills;
using Factory.Grains.Storage;

namespace Factory.Bench;

/// <summary>What the bare-work loop measured.</summary>
/// <param name="Runs">Runs of bare work done.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="AgentSteps">Agent tasks done (one per module and role).</param>
/// <param name="Artifacts">Files produced (the validation reports included).</param>
/// <param name="BlockingGateFailures">Gate results that would have blocked a run (expected 0).</param>
/// <param name="GateSeconds">Time spent in the gates (summed over threads).</param>
/// <param name="CompileGateSeconds">Wall time spent in the compile gate (summed over threads; includes waiting for a core).</param>
/// <param name="CpuSeconds">The process's CPU time over the loop.</param>
/// <param name="AllocatedBytes">Managed memory the loop allocated.</param>
public sealed record BaselineResult(int Runs, double Seconds, long AgentSteps, long Artifacts, long BlockingGateFailures, double GateSeconds, double CompileGateSeconds, double CpuSeconds,
    long AllocatedBytes)
{
    /// <summary>KiB allocated per run.</summary>
    public double AllocatedKbPerRun => Runs > 0 ? Math.Round(AllocatedBytes / 1024.0 / Runs, 0) : 0;

    /// <summary>CPU milliseconds per run.</summary>
    public double CpuMsPerRun => Runs > 0 ? CpuSeconds * 1000 / Runs : 0;

    /// <summary>Runs per second.</summary>
    public double RunsPerSecond => Seconds > 0 ? Runs / Seconds : 0;

    /// <summary>Two measurements as one: their runs, time, CPU and allocations added up, so each rate is over both.</summary>
    public static BaselineResult Combine(BaselineResult a, BaselineResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Runs + b.Runs, a.Seconds + b.Seconds, a.AgentSteps + b.AgentSteps, a.Artifacts + b.Artifacts,
            a.BlockingGateFailures + b.BlockingGateFailures, a.GateSeconds + b.GateSeconds, a.CompileGateSeconds + b.CompileGateSeconds,
            a.CpuSeconds + b.CpuSeconds, a.AllocatedBytes + b.AllocatedBytes);
    }
}

/// <summary>
/// The ceiling the runtime is measured against: the same skills producing the same artifacts (hashed) for the same
/// blueprints, and the same gates over them, in a plain loop on every core of one process, with no grains, streams,
/// journal or gateway. Each run follows the plan's order and gives each task the upstream artifacts the runtime gives it.
/// </summary>
public sealed class Baseline
{
    private readonly TemplatePack _pack = TemplatePack.LoadEmbedded();
    private readonly ScribanSkillExecutor _executor;
    private readonly CompilesGate _compiles = new();
    private readonly GateEvaluator _gates;

    /// <summary>Loads the embedded template pack and the built-in gates.</summary>
    public Baseline()
    {
        _executor = new ScribanSkillExecutor(_pack);
        _gates = new GateEvaluator([new AuthScopeRequiredGate(), new NoSecretValuesGate(), new PiiRedactedGate(), new OperationTestCoverageGate(),
            new TimedGate(_compiles, this), new CostBudgetGate(), new BreakingChangeGate()]);
    }

    private long _compileTicks;

    /// <summary>
    /// Does <paramref name="runs"/> runs of bare work, run i on <c>variants[i % variants.Count]</c>, on every core, after
    /// <paramref name="warmup"/> runs that are not counted (as many as the silos get, so both are measured with the JIT's later tiers).
    /// </summary>
    public async Task<BaselineResult> RunAsync(IReadOnlyList<BlueprintVariant> variants, int runs, int warmup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var hashes = variants.Select(v => BlueprintCanonicalForm.Sha256Hex(BlueprintCanonicalForm.ToJson(v.Blueprint))).ToArray();
        long steps = 0, artifacts = 0, blocking = 0, gateTicks = 0;
        _compileTicks = 0;
        // Warm up (the first renders, the compiler's references, the JIT's later tiers) on every core.
        await Parallel.ForAsync(0, Math.Max(warmup, 4 * Environment.ProcessorCount), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, ct) =>
            await RunOnceAsync(variants[i % variants.Count].Blueprint, hashes[i % variants.Count], ct));
        Interlocked.Exchange(ref _compileTicks, 0);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, runs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var (s, a, b, g) = await RunOnceAsync(variants[i % variants.Count].Blueprint, hashes[i % variants.Count], ct);
            Interlocked.Add(ref steps, s);
            Interlocked.Add(ref artifacts, a);
            Interlocked.Add(ref blocking, b);
            Interlocked.Add(ref gateTicks, g);
        });
        clock.Stop();
        return new BaselineResult(runs, clock.Elapsed.TotalSeconds, steps, artifacts, blocking,
            TimeSpan.FromTicks(gateTicks).TotalSeconds, TimeSpan.FromTicks(Interlocked.Read(ref _compileTicks)).TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private async Task<(long Steps, long Artifacts, long Blocking, long GateTicks)> RunOnceAsync(Blueprint blueprint, string hash, CancellationToken cancellationToken)
    {
        var store = new MemoryStore();
        var gateStep = new GateStep(_gates, store);
        var plan = Planner.Plan(blueprint);
        long steps = 0, artifacts = 0, blocking = 0, gateTicks = 0;
        var produced = new Dictionary<string, List<(string Role, UpstreamArtifact Artifact)>>(StringComparer.Ordinal);
        // Every task but the releases in plan order (each module's tasks in pipeline order), then the releases,
        // which wait for every module's validator.
        foreach (var task in plan.Where(t => t.Role != AgentRoles.Release).Concat(plan.Where(t => t.Role == AgentRoles.Release)))
        {
            var module = blueprint.Modules.First(m => m.Name == task.Module);
            var roles = Planner.UpstreamRoles(plan, task);
            var mine = produced.TryGetValue(task.Module, out var list) ? list : produced[task.Module] = [];
            var input = new SkillInput
            {
                Blueprint = blueprint,
                BlueprintHash = hash,
                Module = module,
                Upstream = [.. mine.Where(p => roles.Contains(p.Role)).Select(p => p.Artifact).OrderBy(a => a.Path, StringComparer.Ordinal)],
            };
            var outputs = new List<(string Skill, GeneratedFile File)>();
            foreach (var skill in _pack.SkillsFor(task.Role))
            {
                outputs.AddRange(_executor.Execute(skill, input).Select(f => (skill.Id, f)));
            }

            if (task.Role == AgentRoles.Validator)
            {
                var started = Stopwatch.GetTimestamp();
                var (results, report) = await gateStep.RunAsync(input, baseline: null, runCostUsd: 0m, cancellationToken);
                gateTicks += Stopwatch.GetElapsedTime(started).Ticks;
                blocking += results.Count(r => r.Blocks);
                outputs.Add((GateStep.SkillId, report));
            }

            foreach (var (skill, file) in outputs)
            {
                var address = await store.PutAsync(file.Content, cancellationToken);
                mine.Add((task.Role, new UpstreamArtifact(file.Path, file.Kind, address.Sha256, address.Size, skill, task.Role)));
            }

            steps++;
            artifacts += outputs.Count;
        }

        return (steps, artifacts, blocking, gateTicks);
    }

    /// <summary>A run's artifacts, by hash, in memory.</summary>
    private sealed class MemoryStore : IArtifactStore
    {
        private readonly ConcurrentDictionary<string, byte[]> _content = new(StringComparer.Ordinal);

        public ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            var sha = ContentHash.Sha256Hex(content.Span);
            _content.TryAdd(sha, content.ToArray());
            return ValueTask.FromResult(new ContentAddress(sha, content.Length));
        }

        public ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(_content.TryGetValue(sha256, out var content) ? content : null);
    }

    /// <summary>The compile gate, timed.</summary>
    private sealed class TimedGate(IGate inner, Baseline owner) : IGate
    {
        public string RuleId => inner.RuleId;

        public async ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await inner.EvaluateAsync(context, cancellationToken);
            }
            finally
            {
                Interlocked.Add(ref owner._compileTicks, Stopwatch.GetElapsedTime(started).Ticks);
            }
        }
    }
}
