using Factory.Grains.Runtime;
using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>A tenant's run index is bounded, and so are the idempotency keys it remembers: its state stays the same size however many runs it has had.</summary>
public sealed class RunIndexTests
{
    [Fact]
    public async Task TheIndexKeepsTheNewestRunsAndForgetsTheIdempotencyKeysOfThoseItDrops()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 1, settings: new Dictionary<string, string?>
        {
            ["Factory:Runtime:TenantRunIndexCapacity"] = "3",
        });
        var tenant = await Tenancy.CreateAsync(cluster.Client, "indexed", "enterprise");
        var json = Samples.CanonicalJson("todo-service.yaml");
        RunRequest Keyed(string key) => new() { BlueprintJson = json, IdempotencyKey = key };
        var runs = new List<RunSubmission>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await tenant.SubmitRunAsync(Keyed($"order-{i}")));
        }

        Assert.Equal(runs.Skip(2).Reverse().Select(r => r.RunId), (await tenant.ListRunsAsync(10)).Select(r => r.RunId));
        Assert.Equal(["order-4", "order-3", "order-2"], (await tenant.ListRunsAsync(10)).Select(r => r.IdempotencyKey));

        // A key whose run is still indexed is honoured; one whose run was dropped is forgotten and starts a new run.
        var repeat = await tenant.SubmitRunAsync(Keyed("order-4"));
        Assert.True(repeat.Existing);
        Assert.Equal(runs[4].RunId, repeat.RunId);
        Assert.Equal(runs[2].RunId, (await tenant.FindSubmissionAsync("order-2"))?.RunId);
        Assert.Null(await tenant.FindSubmissionAsync("order-0"));
        Assert.Null(await tenant.FindSubmissionAsync("order-1"));

        var anew = await tenant.SubmitRunAsync(Keyed("order-0"));

        Assert.False(anew.Existing);
        Assert.DoesNotContain(anew.RunId, runs.Select(r => r.RunId));
        Assert.Null(await tenant.FindSubmissionAsync("order-2")); // pushed out by the new run
        Assert.Equal(anew.RunId, (await tenant.FindSubmissionAsync("order-0"))?.RunId);
        Assert.Equal(6, (await tenant.GetInfoAsync()).RunsTotal);
        await Task.WhenAll(runs.Select(r => r.RunId).Append(anew.RunId).Select(id => RunDriver.WatchToEndAsync(cluster.Client, id)));
    }

    [Fact]
    public void AnIndexOfNoRunsIsRefusedNamingTheSetting()
    {
        var result = new FactoryRuntimeOptionsValidator().Validate(null, new FactoryRuntimeOptions { TenantRunIndexCapacity = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Factory:Runtime:TenantRunIndexCapacity must be 1 or more (was 0)", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FactoryRuntimeOptionsValidator().Validate(null, new FactoryRuntimeOptions()).Succeeded);
    }
}
