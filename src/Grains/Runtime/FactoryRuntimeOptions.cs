using Microsoft.Extensions.Options;

namespace Factory.Grains.Runtime;

/// <summary>Settings of the agent runtime inside a silo (section <c>Factory:Runtime</c>).</summary>
public sealed class FactoryRuntimeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory:Runtime";

    /// <summary>
    /// Folder of the file-system artifact store. Default: <c>factory/artifacts</c> under the user's
    /// local application data folder.
    /// </summary>
    public string ArtifactsPath { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "factory", "artifacts");

    /// <summary>
    /// An operator's template-pack folder (with a <c>pack.yaml</c>) that replaces the pack built into
    /// Factory. Default: null, the built-in pack.
    /// </summary>
    public string? TemplatePackPath { get; set; }

    /// <summary>
    /// How long a run whose tasks have all ended waits for their trace events to reach its journal
    /// before it ends anyway. Default: 30 seconds.
    /// </summary>
    public TimeSpan TraceSettleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Period of each running run's reminder, which re-drives work in flight after a silo dies.
    /// Default: 1 minute (Orleans' minimum reminder period unless configured lower).
    /// </summary>
    public TimeSpan RedrivePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Price of one second of skill compute, in US dollars: a skill's cost is its duration times this
    /// (plus its model tokens, when it calls a model). Default: 0.0001.
    /// </summary>
    public decimal ComputePricePerSecondUsd { get; set; } = 0.0001m;

    /// <summary>
    /// Megabytes of recently stored or read artifacts a silo keeps in memory in front of the artifact store
    /// (<see cref="Storage.RecentArtifactCache"/>); 0 turns the cache off. Default (null): <see cref="DefaultDatabaseArtifactCacheMegabytes"/>
    /// in front of a database, where each read is a query, and off in front of the file system, whose reads the
    /// operating system's page cache already serves from memory.
    /// </summary>
    public int? ArtifactCacheMegabytes { get; set; }

    /// <summary>
    /// Whether each run also publishes its sequenced events, as journaled, on the Orleans stream <c>run-events/{runId}</c>
    /// (provider <see cref="FactoryNames.StreamProvider"/>), for consumers inside the cluster that subscribe to it.
    /// Watchers do not need it: <c>WatchRun</c> and <see cref="IRunGrain.WatchAsync"/> read the journal and are woken
    /// by the run itself. Each run's stream costs a pub-sub grain, its state and about six queue messages, so it is
    /// off unless a consumer needs it. Default: false.
    /// </summary>
    public bool PublishRunEvents { get; set; }

    /// <summary>
    /// How many of a tenant's most recent runs its run index keeps (<see cref="ITenantGrain.QueryRunsAsync"/>); an
    /// idempotency key is remembered as long as its run is in the index. The whole index is part of the tenant's state,
    /// written at each submission and each run's end. Default: 10,000.
    /// </summary>
    public int TenantRunIndexCapacity { get; set; } = 10_000;

    /// <summary>The cache's size in front of a database when <see cref="ArtifactCacheMegabytes"/> is not set.</summary>
    public const int DefaultDatabaseArtifactCacheMegabytes = 64;
}

/// <summary>Checks <see cref="FactoryRuntimeOptions"/> at start-up; each failure names the setting.</summary>
public sealed class FactoryRuntimeOptionsValidator : IValidateOptions<FactoryRuntimeOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FactoryRuntimeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ArtifactsPath))
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:ArtifactsPath must name a folder.");
        }

        if (options.TemplatePackPath is { } pack && !File.Exists(Path.Combine(pack, "pack.yaml")))
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:TemplatePackPath '{pack}' has no pack.yaml.");
        }

        if (options.TraceSettleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:TraceSettleTimeout must be positive (was {options.TraceSettleTimeout}).");
        }

        if (options.RedrivePeriod <= TimeSpan.Zero)
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:RedrivePeriod must be positive (was {options.RedrivePeriod}).");
        }

        if (options.ArtifactCacheMegabytes is < 0)
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:ArtifactCacheMegabytes must be 0 (off) or more (was {options.ArtifactCacheMegabytes}).");
        }

        if (options.TenantRunIndexCapacity < 1)
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:TenantRunIndexCapacity must be 1 or more (was {options.TenantRunIndexCapacity}).");
        }

        if (options.ComputePricePerSecondUsd < 0)
        {
            failures.Add($"{FactoryRuntimeOptions.Section}:ComputePricePerSecondUsd must not be negative (was {options.ComputePricePerSecondUsd}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
