namespace Factory.Bench;

/// <summary>The bench's command-line options.</summary>
public sealed class BenchOptions
{
    /// <summary>Runs to submit.</summary>
    public int Runs { get; init; } = 10_000;

    /// <summary>Tenants.</summary>
    public int Tenants { get; init; } = 1_000;

    /// <summary>Most runs in flight.</summary>
    public int InFlight { get; init; } = 2_000;

    /// <summary>The blueprint file, or null for the repository's clinic-appointments.yaml.</summary>
    public FileInfo? Blueprint { get; init; }

    /// <summary><c>embedded</c> or <c>postgres</c>.</summary>
    public string Mode { get; init; } = "embedded";

    /// <summary>Silo processes.</summary>
    public int Silos { get; init; } = 1;

    /// <summary>PostgreSQL connection string, or null for a private server.</summary>
    public string? Connection { get; init; }

    /// <summary>PostgreSQL's binaries.</summary>
    public string PostgresBin { get; init; } = "/usr/lib/postgresql/15/bin";

    /// <summary>Whether the compile gate is on.</summary>
    public bool CompileGate { get; init; }

    /// <summary>Seconds into the load to kill the last silo, or null.</summary>
    public double? KillSiloAfter { get; init; }

    /// <summary>Baseline runs, or null for min(runs, 1000).</summary>
    public int? BaselineRuns { get; init; }

    /// <summary>
    /// Warm-up runs, for the silos and before each baseline. Measured with <c>dotnet-counters</c>, a silo's JIT keeps
    /// compiling for its first several hundred runs (Orleans, Roslyn, gRPC and Factory's own code reaching their later
    /// tiers); with 200, the baseline measured before the load was about a third slower than the one after it.
    /// </summary>
    public int Warmup { get; init; } = 1000;

    /// <summary>Most submissions awaiting their answer at once.</summary>
    public int SubmitConcurrency { get; init; } = 32;

    /// <summary>Extra silo settings, <c>KEY=VALUE</c>.</summary>
    public IReadOnlyList<string> SiloSettings { get; init; } = [];

    /// <summary>Where to write the JSON report, or null.</summary>
    public FileInfo? Json { get; init; }

    /// <summary>The first problem with the options, naming the option, or null.</summary>
    public string? Validate() => this switch
    {
        { Runs: < 1 } => $"--runs must be at least 1 (was {Runs}).",
        { Tenants: < 1 } => $"--tenants must be at least 1 (was {Tenants}).",
        { InFlight: < 1 } => $"--in-flight must be at least 1 (was {InFlight}).",
        { Silos: < 1 } => $"--silos must be at least 1 (was {Silos}).",
        { Mode: "embedded", Silos: > 1 } => "--silos above 1 needs --mode postgres (embedded silos cannot share state).",
        { Mode: "embedded", Connection: not null } => "--connection applies to --mode postgres only.",
        { KillSiloAfter: not null, Mode: not "postgres" } => "--kill-silo-after needs --mode postgres.",
        { KillSiloAfter: not null, Silos: < 2 } => "--kill-silo-after needs --silos 2 or more (a survivor must finish the runs).",
        { KillSiloAfter: <= 0 } => $"--kill-silo-after must be positive (was {KillSiloAfter}).",
        { BaselineRuns: < 1 } => $"--baseline-runs must be at least 1 (was {BaselineRuns}).",
        { Warmup: < 0 } => $"--warmup must be 0 or more (was {Warmup}).",
        { SubmitConcurrency: < 1 } => $"--submit-concurrency must be at least 1 (was {SubmitConcurrency}).",
        _ when SiloSettings.FirstOrDefault(x => !x.Contains('=', StringComparison.Ordinal) || x.StartsWith('=')) is { } bad => $"--silo-setting '{bad}' is not KEY=VALUE.",
        { Blueprint: { Exists: false } } => $"--blueprint: '{Blueprint!.FullName}' does not exist.",
        _ => null,
    };
}
