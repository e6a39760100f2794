using System.Text;
using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>Each quota of an edition, checked before anything starts, on a real two-silo cluster.</summary>
public sealed class QuotaTests(TenancyClusterFixture fixture) : IClassFixture<TenancyClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task ABlueprintOverTheByteLimitIsRefusedAndStartsNothing()
    {
        var tenant = await Tenancy.CreateAsync(Client, "bytes", "small-bytes");
        var json = Samples.CanonicalJson("todo-service.yaml");

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Submit(tenant, json));

        Assert.Equal("blueprint-bytes", error.Quota);
        Assert.Equal(512, error.Limit);
        Assert.Equal(Encoding.UTF8.GetByteCount(json), error.Requested);
        Assert.Equal(tenant.GetPrimaryKeyString(), error.TenantId);
        await AssertNothingStartedAsync(tenant);
    }

    [Fact]
    public async Task ABlueprintWithTooManyModulesIsRefusedAndStartsNothing()
    {
        var tenant = await Tenancy.CreateAsync(Client, "modules", "one-module");

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Submit(tenant, Samples.CanonicalJson("clinic-appointments.yaml")));

        Assert.Equal("modules", error.Quota);
        Assert.Equal(1, error.Limit);
        Assert.Equal(2, error.Requested);
        await AssertNothingStartedAsync(tenant);
    }

    [Fact]
    public async Task ARunOverTheConcurrentLimitIsRefusedUntilARunEnds()
    {
        var tenant = await Tenancy.CreateAsync(Client, "concurrent", "free");
        var json = Samples.CanonicalJson("marketplace.yaml");
        var first = await Submit(tenant, json);
        var second = await Submit(tenant, json);

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Submit(tenant, json));

        Assert.Equal("concurrent-runs", error.Quota);
        Assert.Equal(2, error.Limit);
        Assert.Equal(3, error.Requested);
        Assert.Equal([second.RunId, first.RunId], (await tenant.ListRunsAsync(10)).Select(r => r.RunId));
        Assert.Equal(2, (await tenant.GetInfoAsync()).RunsInFlight);

        // Once a run ends, its slot is free again.
        await RunDriver.WatchToEndAsync(Client, first.RunId);
        await RunDriver.EventuallyAsync(async () => (await tenant.GetInfoAsync()).RunsInFlight < 2, "a slot was freed");
        var third = await Submit(tenant, Samples.CanonicalJson("todo-service.yaml"));
        Assert.False(third.Existing);
        Assert.Equal(3, (await tenant.GetInfoAsync()).RunsTotal);
        await RunDriver.WatchToEndAsync(Client, second.RunId);
        await RunDriver.WatchToEndAsync(Client, third.RunId);
        await Tenancy.RunsEndedAtTenantAsync(tenant, [first.RunId, second.RunId, third.RunId]);
        Assert.Equal(0, (await tenant.GetInfoAsync()).RunsInFlight);
    }

    [Fact]
    public async Task ARunOverThePerMinuteLimitIsRefusedButAnIdempotentRepeatIsNot()
    {
        var tenant = await Tenancy.CreateAsync(Client, "metered", "metered");
        var json = Samples.CanonicalJson("todo-service.yaml");
        var keyed = new RunRequest { BlueprintJson = json, IdempotencyKey = "first" };
        var first = await tenant.SubmitRunAsync(keyed);
        await Submit(tenant, json);
        await Submit(tenant, json);

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Submit(tenant, json));
        var repeat = await tenant.SubmitRunAsync(keyed);

        Assert.Equal("runs-per-minute", error.Quota);
        Assert.Equal(3, error.Limit);
        Assert.Equal(4, error.Requested);
        Assert.True(repeat.Existing);
        Assert.Equal(first.RunId, repeat.RunId);
        Assert.Equal(3, (await tenant.ListRunsAsync(10)).Length);
        Assert.Equal(3, (await tenant.GetInfoAsync()).RunsTotal);
    }

    private static Task<RunSubmission> Submit(ITenantGrain tenant, string json) =>
        tenant.SubmitRunAsync(new RunRequest { BlueprintJson = json });

    private static async Task AssertNothingStartedAsync(ITenantGrain tenant)
    {
        Assert.Empty(await tenant.ListRunsAsync(10));
        var info = await tenant.GetInfoAsync();
        Assert.Equal(0, info.RunsInFlight);
        Assert.Equal(0, info.RunsTotal);
    }
}
