using System.Diagnostics;
using Factory.Grains.Planning;
using Xunit.Abstractions;

namespace Factory.Grains.Tests.Runs;

/// <summary>
/// A three-silo in-process cluster whose state, reminders and journal outlive a silo (as a database would):
/// a silo killed mid-run moves its runs to the others, and every run finishes with its journal whole.
/// </summary>
public sealed class SiloLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RunsOfAKilledSiloFinishOnTheOthersWithGapFreeJournalsAndEveryTaskCompletedOnce()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 3, settings: new Dictionary<string, string?>
        {
            ["Factory:Runtime:RedrivePeriod"] = "00:00:03",
        }, survivesSiloLoss: true);
        var client = cluster.Client;
        using var timeout = new CancellationTokenSource(Timeout);

        var json = Samples.CanonicalJson("clinic-appointments.yaml");
        var runIds = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            runIds.Add((await RunDriver.SubmitAsync(client, json)).RunId);
        }

        // Mid-run: once the first run has three agents completed.
        var completed = 0;
        await foreach (var e in client.GetGrain<IRunGrain>(runIds[0]).WatchAsync(0, timeout.Token))
        {
            if (e.Type == TraceEventTypes.AgentCompleted && ++completed == 3)
            {
                break;
            }
        }

        // The secondary silo holding the most run grains (the primary holds the test cluster's membership table).
        var statistics = await client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var runSilo = statistics.Where(s => s.GrainType.StartsWith("Factory.Grains.Runs.RunGrain", StringComparison.Ordinal))
            .ToDictionary(s => s.GrainId.Key.ToString()!, s => s.SiloAddress, StringComparer.Ordinal);
        var victim = cluster.Cluster.SecondarySilos.MaxBy(silo => runIds.Count(id => runSilo.GetValueOrDefault(id) == silo.SiloAddress))!;
        var journal = cluster.SharedJournal!;
        var inFlightOnVictim = new List<string>();
        foreach (var id in runIds.Where(id => runSilo.GetValueOrDefault(id) == victim.SiloAddress))
        {
            if (!(await journal.ReadAsync(id, 0, 10_000)).Any(e => e.IsTerminal))
            {
                inFlightOnVictim.Add(id);
            }
        }

        Assert.True(inFlightOnVictim.Count > 0, "no run in flight on the silo to kill");
        await cluster.Cluster.KillSiloAsync(victim);
        var killed = Stopwatch.StartNew();

        foreach (var id in runIds)
        {
            await WaitForEndAsync(client, id, timeout.Token);
        }

        output.WriteLine($"{inFlightOnVictim.Count} runs in flight on the killed silo; all {runIds.Count} runs ended {killed.Elapsed.TotalSeconds:F1} s after the kill");
        foreach (var id in runIds)
        {
            var snapshot = await client.GetGrain<IRunGrain>(id).GetSnapshotAsync();
            Assert.True(snapshot.Status == RunStatus.Succeeded, $"run {id} ended {snapshot.Status}: {snapshot.Reason}");
            var events = await journal.ReadAsync(id, 0, 10_000);
            Assert.Equal(Enumerable.Range(0, events.Count).Select(s => (long)s), events.Select(e => e.Sequence));
            Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
            var tasks = events.Where(e => e.Type == TraceEventTypes.AgentCompleted).Select(e => Planner.TaskId(e.Module, e.Agent));
            Assert.Equal(snapshot.Tasks.Select(t => t.Task.Id).Order(StringComparer.Ordinal), tasks.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Watches the run to its end, watching again when the silo it was on dies under the watch.</summary>
    private static async Task WaitForEndAsync(IClusterClient client, string runId, CancellationToken cancellationToken)
    {
        var next = 0L;
        while (true)
        {
            try
            {
                await foreach (var e in client.GetGrain<IRunGrain>(runId).WatchAsync(next, cancellationToken))
                {
                    next = e.Sequence + 1;
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken); // back-off before watching again
            }
        }
    }
}
