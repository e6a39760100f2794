using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>A two-silo cluster with small test editions besides the built-in ones.</summary>
public sealed class TenancyClusterFixture : IAsyncLifetime
{
    private FactoryCluster? _cluster;

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync() => _cluster = await FactoryCluster.StartAsync(settings: new Dictionary<string, string?>
    {
        // one module at most
        ["Factory:Editions:one-module:MaxConcurrentRuns"] = "10",
        ["Factory:Editions:one-module:RunsPerMinute"] = "100",
        ["Factory:Editions:one-module:MaxBlueprintBytes"] = "4194304",
        ["Factory:Editions:one-module:MaxModules"] = "1",
        // 512-byte blueprints
        ["Factory:Editions:small-bytes:MaxConcurrentRuns"] = "10",
        ["Factory:Editions:small-bytes:RunsPerMinute"] = "100",
        ["Factory:Editions:small-bytes:MaxBlueprintBytes"] = "512",
        ["Factory:Editions:small-bytes:MaxModules"] = "100",
        // three runs a minute
        ["Factory:Editions:metered:MaxConcurrentRuns"] = "50",
        ["Factory:Editions:metered:RunsPerMinute"] = "3",
        ["Factory:Editions:metered:MaxBlueprintBytes"] = "4194304",
        ["Factory:Editions:metered:MaxModules"] = "100",
    });

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Helpers for the tenancy tests.</summary>
public static class Tenancy
{
    private static int _counter;

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenantId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 14)];

    /// <summary>Creates a tenant with <paramref name="edition"/>.</summary>
    public static async Task<ITenantGrain> CreateAsync(IGrainFactory grains, string prefix, string edition)
    {
        var tenant = grains.GetGrain<ITenantGrain>(NewTenantId(prefix));
        await tenant.CreateAsync(edition);
        return tenant;
    }

    /// <summary>Waits until the tenant has heard that each of <paramref name="runIds"/> ended.</summary>
    public static Task RunsEndedAtTenantAsync(ITenantGrain tenant, IEnumerable<string> runIds)
    {
        var ids = runIds.ToHashSet(StringComparer.Ordinal);
        return RunDriver.EventuallyAsync(async () => (await tenant.ListRunsAsync(10_000)).Where(r => ids.Contains(r.RunId)).All(r => r.Status != RunStatus.Running),
            "the tenant recorded the runs' ends");
    }
}
