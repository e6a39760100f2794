using System.Diagnostics;
using Factory.Grains.Tests.Runs;
using Xunit.Abstractions;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>One tenant's burst does not hold up another's submissions (tenants are separate grains; nothing global is on the submit path).</summary>
public sealed class FairShareTests(FactoryClusterFixture fixture, ITestOutputHelper output) : IClassFixture<FactoryClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task AnotherTenantsBurstDoesNotQueueATenantsRuns()
    {
        var busy = await Tenancy.CreateAsync(Client, "burst", "enterprise");
        var quiet = await Tenancy.CreateAsync(Client, "quiet", "pro");
        var todo = Samples.CanonicalJson("todo-service.yaml");

        var burstClock = Stopwatch.StartNew();
        var burst = Enumerable.Range(0, 60).Select(_ => busy.SubmitRunAsync(new RunRequest { BlueprintJson = todo })).ToList();
        var quietRuns = Enumerable.Range(0, 3).Select(async _ =>
        {
            var clock = Stopwatch.StartNew();
            var submission = await quiet.SubmitRunAsync(new RunRequest { BlueprintJson = todo });
            return (submission, clock.Elapsed);
        }).ToList();
        var quietSubmitted = await Task.WhenAll(quietRuns);
        var accepted = await Task.WhenAll(burst);
        var burstTime = burstClock.Elapsed;

        var latencies = quietSubmitted.Select(q => q.Elapsed).ToList();
        output.WriteLine($"quiet tenant submit latencies (ms): {string.Join(", ", latencies.Select(l => l.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        output.WriteLine($"busy tenant: {accepted.Length} runs accepted in {burstTime.TotalMilliseconds:F0} ms");
        Assert.Equal(60, accepted.Select(a => a.RunId).Distinct().Count());
        Assert.Equal(3, quietSubmitted.Select(q => q.submission.RunId).Distinct().Count());
        Assert.True(latencies.Max() < burstTime, $"a quiet tenant's submission ({latencies.Max()}) waited as long as the whole burst ({burstTime})");

        foreach (var (submission, _) in quietSubmitted)
        {
            await RunDriver.WatchToEndAsync(Client, submission.RunId);
            Assert.Equal(RunStatus.Succeeded, (await Client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync()).Status);
        }

        // The burst has served its purpose: stop it.
        foreach (var run in accepted)
        {
            await Client.GetGrain<IRunGrain>(run.RunId).CancelAsync("test over");
        }

        foreach (var run in accepted)
        {
            await RunDriver.WatchToEndAsync(Client, run.RunId);
        }

        await Tenancy.RunsEndedAtTenantAsync(busy, accepted.Select(a => a.RunId));
        Assert.Equal(0, (await busy.GetInfoAsync()).RunsInFlight);
    }
}
