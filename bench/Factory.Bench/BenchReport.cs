namespace Factory.Bench;

/// <summary>Everything one bench invocation measured; printed and written as JSON.</summary>
public sealed record BenchReport
{
    /// <summary>What was run.</summary>
    public required BenchSettings Settings { get; init; }

    /// <summary>Runs completed per second, submit of the first to the end of the last.</summary>
    public double RunsPerSecond { get; init; }

    /// <summary>The bare-work baseline: its measurements before and after the load, as one.</summary>
    public required BaselineResult Baseline { get; init; }

    /// <summary>The baseline measured before the silos started.</summary>
    public BaselineResult? BaselineBefore { get; init; }

    /// <summary>The baseline measured again once the load was over and the silos had stopped (none when the load failed).</summary>
    public BaselineResult? BaselineAfter { get; init; }

    /// <summary><see cref="RunsPerSecond"/> over the baseline's runs per second.</summary>
    public double RatioToBaseline { get; init; }

    /// <summary>Agent tasks completed per second.</summary>
    public double AgentStepsPerSecond { get; init; }

    /// <summary>Wall time of the load, seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>Submit latency percentiles, ms.</summary>
    public required Latency SubmitMs { get; init; }

    /// <summary>
    /// Submit latency of the runs submitted once the in-flight limit was reached (each as an earlier run ended), ms:
    /// the gateway's answer while that many runs are in flight, without the initial burst that fills the window.
    /// </summary>
    public required Latency SteadySubmitMs { get; init; }

    /// <summary>Submit to the first event at the watcher, ms.</summary>
    public required Latency FirstEventMs { get; init; }

    /// <summary>Submit to the last event at the watcher, ms.</summary>
    public required Latency LastEventMs { get; init; }

    /// <summary>Events delivered to the watchers (each sequence once).</summary>
    public long EventsDelivered { get; init; }

    /// <summary>Events in the runs' journals (<c>GetRun</c>'s event count after the load).</summary>
    public long EventsJournaled { get; init; }

    /// <summary>Sequences delivered twice.</summary>
    public long DuplicateEvents { get; init; }

    /// <summary>Sequences never delivered.</summary>
    public long MissingEvents { get; init; }

    /// <summary>Runs that did not end <c>Succeeded</c> (or could not be driven to their end).</summary>
    public int FailedRuns { get; init; }

    /// <summary>The first few failures' reasons.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Grain calls received by the silos, per run.</summary>
    public double GrainCallsPerRun { get; init; }

    /// <summary>Stream messages (queue enqueues and deliveries to subscribers), per run.</summary>
    public double StreamEventsPerRun { get; init; }

    /// <summary>Storage writes (grain state, journal round trips, artifact puts), per run.</summary>
    public double StorageWritesPerRun { get; init; }

    /// <summary>Grain activations created, per run.</summary>
    public double ActivationsPerRun { get; init; }

    /// <summary>Grain activations still alive after the load, by type.</summary>
    public IReadOnlyDictionary<string, long> ActivationsAfter { get; init; } = new Dictionary<string, long>();

    /// <summary>Grain calls per run by interface, the largest first.</summary>
    public IReadOnlyDictionary<string, double> GrainCallsPerRunByInterface { get; init; } = new Dictionary<string, double>();

    /// <summary>Every silo counter's delta per run.</summary>
    public IReadOnlyDictionary<string, double> CountersPerRun { get; init; } = new Dictionary<string, double>();

    /// <summary>Silo CPU seconds per run.</summary>
    public double SiloCpuMsPerRun { get; init; }

    /// <summary>Managed memory the silos allocated per run, KiB (garbage included: what the collector has to clear).</summary>
    public double SiloAllocatedKbPerRun { get; init; }

    /// <summary>The silos' garbage collections of generation 0, 1 and 2 per 1000 runs.</summary>
    public IReadOnlyList<double> SiloGcPer1000Runs { get; init; } = [];

    /// <summary>The baseline's CPU per run over the silos' (and the private PostgreSQL's) CPU per run: the runtime's cost measured in CPU rather than wall time, which other load on the machine disturbs less.</summary>
    public double CpuRatioToBaseline { get; init; }

    /// <summary>The private PostgreSQL server's CPU per run, ms (postgres mode with a server the bench started).</summary>
    public double? PostgresCpuMsPerRun { get; init; }

    /// <summary>The bench process's own CPU per run during the load, ms: its submitters and the watchers' streams, which share the machine's cores with the silos.</summary>
    public double LoadGeneratorCpuMsPerRun { get; init; }

    /// <summary>
    /// The highest <see cref="RatioToBaseline"/> this load generator leaves room for on a CPU-bound machine: a runtime
    /// that cost nothing beyond the bare work would still share the cores with the submitters and watchers.
    /// </summary>
    public double CeilingRatio { get; init; }

    /// <summary>
    /// The ratio to the baseline reached by a runtime whose only CPU per run is the bare work
    /// (<paramref name="baselineCpuMsPerRun"/>), when the load generator spends <paramref name="loadGeneratorCpuMsPerRun"/>
    /// per run on the same cores.
    /// </summary>
    public static double Ceiling(double baselineCpuMsPerRun, double loadGeneratorCpuMsPerRun) =>
        baselineCpuMsPerRun <= 0 ? 0 : Math.Round(baselineCpuMsPerRun / (baselineCpuMsPerRun + Math.Max(0, loadGeneratorCpuMsPerRun)), 3);

    /// <summary>With the compile gate on: its share of the bare work's CPU (1 - baseline CPU per run without it / with it).</summary>
    public double? CompileGateShare { get; init; }

    /// <summary>The machine's load average (1, 5, 15 min) before and after the load.</summary>
    public string LoadAverage { get; init; } = "";

    /// <summary>Each silo's peak resident memory, bytes.</summary>
    public IReadOnlyList<long> SiloPeakBytes { get; init; } = [];

    /// <summary>The killed silo's runs, when one was killed.</summary>
    public KillResult? Kill { get; init; }
}

/// <summary>The settings of an invocation.</summary>
public sealed record BenchSettings(int Runs, int Tenants, int InFlight, string Blueprint, string Mode, int Silos, string CompileGate, int BaselineRuns, int Warmup, int SubmitConcurrency, double? KillSiloAfter, int ProcessorCount);

/// <summary>Latency percentiles, ms.</summary>
public sealed record Latency(double P50, double P95, double P99, double Max)
{
    /// <summary>Percentiles of <paramref name="values"/>.</summary>
    public static Latency Of(IReadOnlyList<double> values) =>
        new(Percentiles.Of(values, 50), Percentiles.Of(values, 95), Percentiles.Of(values, 99), values.Count == 0 ? 0 : values.Max());
}

/// <summary>What happened to the runs of a killed silo.</summary>
/// <param name="KilledAtSeconds">When (seconds into the load) the silo was killed.</param>
/// <param name="AffectedRuns">Runs in flight with a run, module or agent grain on the killed silo.</param>
/// <param name="ResumeMs">Kill to each affected run's next event at its watcher.</param>
/// <param name="FinishMs">Kill to each affected run's terminal event at its watcher.</param>
/// <param name="AllFinished">Whether every affected run ended Succeeded.</param>
public sealed record KillResult(double KilledAtSeconds, int AffectedRuns, Latency ResumeMs, Latency FinishMs, bool AllFinished);
