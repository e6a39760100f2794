using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using V1 = Factory.Gateway.V1;

namespace Factory.Storage.Tests;

/// <summary>
/// Silos as real processes on a real PostgreSQL: killed with SIGKILL mid-run and started again, several forming
/// one cluster through the membership table, and the database restarted under load. Every run in flight finishes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloProcessTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Blueprint = "clinic-appointments.yaml";
    private static readonly TimeSpan RunsTimeout = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData("Memory")]
    [InlineData("AdoNet")]
    public async Task RunsInFlightWhenTheSiloIsKilledFinishOnceItIsBackWithGapFreeJournalsAndNoTaskCompletedTwice(string streamProvider)
    {
        await using var cluster = ProcessCluster.On(await server.CreateDatabaseAsync(), streamProvider: streamProvider);
        var silo = await cluster.StartSiloAsync("silo");
        var channel = cluster.Channel(silo);
        var tenant = await ProcessCluster.NewTenantAsync(channel);
        using var timeout = new CancellationTokenSource(RunsTimeout);

        var runIds = await ProcessCluster.SubmitAsync(channel, tenant, Blueprint, 4);

        // A watcher of the first run; the silo is killed once it has seen a few agents complete.
        var agentsCompleted = 0;
        var killPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = ProcessCluster.WatchToEndAsync(() => channel, tenant, runIds[0], 0, timeout.Token, e =>
        {
            if (e.Type == TraceEventTypes.AgentCompleted && ++agentsCompleted == 3)
            {
                killPoint.TrySetResult();
            }
        });
        await killPoint.Task.WaitAsync(timeout.Token);
        silo.Kill();

        var inFlight = await cluster.InFlightAsync(runIds);

        Assert.True(inFlight.Count > 0, "every run had ended before the silo was killed: nothing was in flight");

        var resumed = Stopwatch.StartNew();
        await silo.StartAsync(ProcessCluster.StartTimeout);
        var restartedIn = resumed.Elapsed;
        var ends = runIds.Select(id => ProcessCluster.WatchToEndAsync(() => channel, tenant, id, 0, timeout.Token)).ToList();
        var fromStart = await cluster.WithOutputAsync(output, Task.WhenAll(ends));
        var allEnded = resumed.Elapsed;
        var watched = await cluster.WithOutputAsync(output, watcher);
        output.WriteLine($"{streamProvider} streams: {inFlight.Count} of {runIds.Count} runs in flight at the SIGKILL; silo serving again after {restartedIn.TotalSeconds:F1} s; every run ended {allEnded.TotalSeconds:F1} s after the restart began");

        var runs = new V1.Runs.RunsClient(channel);
        Dictionary<string, string>? firstArtifacts = null;
        for (var i = 0; i < runIds.Count; i++)
        {
            var run = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runIds[i] }, tenant);
            Assert.True(run.Status == V1.RunStatus.Succeeded, $"run {runIds[i]} ended {run.Status}: {run.Reason}{Environment.NewLine}{cluster.Output}");

            // The journal in its table: sequences 0..n-1, ending with the run's success; the same through WatchRun from 0.
            var journal = await cluster.JournalAsync(runIds[i]);
            Assert.Equal(Enumerable.Range(0, journal.Count).Select(s => (long)s), journal.Select(e => e.Sequence));
            Assert.Equal(TraceEventTypes.RunSucceeded, journal[^1].Type);
            Assert.Equal(journal.Select(e => (e.Sequence, e.EventId)), fromStart[i].Events.Select(e => (e.Sequence, e.EventId)));

            // Every planned task completed exactly once, and every artifact path was emitted once.
            var completed = journal.Where(e => e.Type == TraceEventTypes.AgentCompleted).Select(e => $"{e.Module}/{e.Agent}").ToList();
            Assert.Equal(run.Tasks.Select(t => t.Id).Order(StringComparer.Ordinal), completed.Order(StringComparer.Ordinal));
            var emitted = journal.Where(e => e.Type == TraceEventTypes.ArtifactEmitted)
                .Select(e => (Path: e.Attributes[TraceAttributes.Path], Sha256: e.Attributes[TraceAttributes.Sha256])).ToList();
            Assert.Equal(emitted.Count, emitted.Select(a => a.Path).Distinct(StringComparer.Ordinal).Count());

            // Same blueprint, same template pack: every run, killed mid-way or not, produced the same files.
            var artifacts = emitted.ToDictionary(a => a.Path, a => a.Sha256, StringComparer.Ordinal);
            firstArtifacts ??= artifacts;
            Assert.Equal(firstArtifacts.OrderBy(a => a.Key, StringComparer.Ordinal), artifacts.OrderBy(a => a.Key, StringComparer.Ordinal));
        }

        // The watcher that lived through the kill reconnected with its last sequence: nothing missed, nothing twice.
        Assert.True(watched.Reconnects > 0, "the watcher never lost its connection");
        Assert.Equal(fromStart[0].Events.Select(e => e.EventId), watched.Events.Select(e => e.EventId));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("AdoNet")]
    public async Task SiloProcessesFormOneClusterSpreadRunsAndFinishTheRunsOfOneThatIsKilled(string streamProvider)
    {
        await using var cluster = ProcessCluster.On(await server.CreateDatabaseAsync(), streamProvider: streamProvider);
        var front = await cluster.StartSiloAsync("silo-a");
        var other = await cluster.StartSiloAsync("silo-b");

        // One cluster through the membership table: both rows active (status 3).
        var members = await cluster.MembershipAsync();
        Assert.Equal([(front.SiloPort, 3), (other.SiloPort, 3)], members.OrderBy(m => m.Port != front.SiloPort).ToList());

        using var client = await cluster.ConnectClientAsync();
        var orleans = client.Services.GetRequiredService<IClusterClient>();
        var channel = cluster.Channel(front);
        var tenant = await ProcessCluster.NewTenantAsync(channel);
        using var timeout = new CancellationTokenSource(RunsTimeout);

        // The runs are spread: the front silo's gateway has run grains placed on both silos. Placement is the
        // cluster's choice, so more runs are submitted (a bounded number of times) until both silos hold some.
        var runIds = new List<string>();
        Dictionary<string, int> placed = [];
        for (var batch = 0; batch < 4 && !(runIds.Any(id => placed.GetValueOrDefault(id) == other.SiloPort) && runIds.Any(id => placed.GetValueOrDefault(id) == front.SiloPort)); batch++)
        {
            runIds.AddRange(await ProcessCluster.SubmitAsync(channel, tenant, Blueprint, 8));
            placed = await ProcessCluster.ActivationsAsync(orleans, RunGrainType);
        }

        var onOther = runIds.Where(id => placed.GetValueOrDefault(id) == other.SiloPort).ToList();
        output.WriteLine($"run grains: {runIds.Count(id => placed.GetValueOrDefault(id) == front.SiloPort)} on {front.Name}, {onOther.Count} on {other.Name}");
        Assert.NotEmpty(onOther);
        Assert.Contains(runIds, id => placed.GetValueOrDefault(id) == front.SiloPort);

        var agentsCompleted = 0;
        var killPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchers = runIds.Select(id => ProcessCluster.WatchToEndAsync(() => channel, tenant, id, 0, timeout.Token, e =>
        {
            if (e.Type == TraceEventTypes.AgentCompleted && Interlocked.Increment(ref agentsCompleted) == 8)
            {
                killPoint.TrySetResult();
            }
        })).ToList();
        await killPoint.Task.WaitAsync(timeout.Token);

        other.Kill();
        var killed = Stopwatch.StartNew();
        var inFlightOnOther = await cluster.InFlightAsync(onOther);

        Assert.True(inFlightOnOther.Count > 0, $"every run on {other.Name} had ended before it was killed");
        var watched = await cluster.WithOutputAsync(output, Task.WhenAll(watchers));
        output.WriteLine($"{streamProvider} streams: {inFlightOnOther.Count} runs in flight on {other.Name} at the SIGKILL; every run ended {killed.Elapsed.TotalSeconds:F1} s after it");

        var runs = new V1.Runs.RunsClient(channel);
        for (var i = 0; i < runIds.Count; i++)
        {
            var run = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runIds[i] }, tenant);
            Assert.True(run.Status == V1.RunStatus.Succeeded, $"run {runIds[i]} ended {run.Status}: {run.Reason}{Environment.NewLine}{cluster.Output}");
            var journal = await cluster.JournalAsync(runIds[i]);
            Assert.Equal(Enumerable.Range(0, journal.Count).Select(s => (long)s), journal.Select(e => e.Sequence));
            Assert.Equal(journal.Select(e => e.EventId), watched[i].Events.Select(e => e.EventId));
            var completed = journal.Where(e => e.Type == TraceEventTypes.AgentCompleted).Select(e => $"{e.Module}/{e.Agent}");
            Assert.Equal(run.Tasks.Select(t => t.Id).Order(StringComparer.Ordinal), completed.Order(StringComparer.Ordinal));
        }

        // The survivor declared the killed silo dead in the membership table (status 6).
        Assert.Contains((other.SiloPort, 6), await cluster.MembershipAsync());
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("AdoNet")]
    public async Task RunsStallWhilePostgresIsDownAndFinishWithNothingLostOnceItIsBack(string streamProvider)
    {
        // This test stops and starts the server, so it uses one of its own whatever FACTORY_TEST_POSTGRES names.
        await using var own = await PostgresServer.StartOwnAsync();
        await using var cluster = ProcessCluster.On(await own.CreateDatabaseAsync(), streamProvider: streamProvider);
        var silo = await cluster.StartSiloAsync("silo");
        var channel = cluster.Channel(silo);
        var tenant = await ProcessCluster.NewTenantAsync(channel);
        using var timeout = new CancellationTokenSource(RunsTimeout);

        var runIds = await ProcessCluster.SubmitAsync(channel, tenant, Blueprint, 4);
        var agentsCompleted = 0;
        var stopPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchers = runIds.Select(id => ProcessCluster.WatchToEndAsync(() => channel, tenant, id, 0, timeout.Token, e =>
        {
            if (e.Type == TraceEventTypes.AgentCompleted && Interlocked.Increment(ref agentsCompleted) == 4)
            {
                stopPoint.TrySetResult();
            }
        })).ToList();
        await stopPoint.Task.WaitAsync(timeout.Token);

        var inFlight = await cluster.InFlightAsync(runIds);

        await own.StopServerAsync();
        var stopped = Stopwatch.StartNew();
        Assert.True(inFlight.Count > 0, "every run had ended before PostgreSQL stopped");

        // The outage itself: the server stays down for a while with the runs in flight.
        await Task.Delay(Outage, timeout.Token);
        var endedDuringOutage = watchers.Count(w => w.IsCompleted);
        await own.StartServerAsync();
        var back = stopped.Elapsed;
        cluster.DataSource.Clear(); // the test's own pooled connections died with the server

        var watched = await cluster.WithOutputAsync(output, Task.WhenAll(watchers));
        output.WriteLine($"{streamProvider} streams: {inFlight.Count} of {runIds.Count} runs in flight when PostgreSQL stopped; back after {back.TotalSeconds:F1} s; every run ended {stopped.Elapsed.TotalSeconds:F1} s after the stop");
        Assert.True(endedDuringOutage <= runIds.Count - inFlight.Count, "a run in flight ended while the database was down");
        Assert.True(silo.ProcessId is not null, $"the silo exited while the database was down:{Environment.NewLine}{silo.Output}");

        var runs = new V1.Runs.RunsClient(channel);
        for (var i = 0; i < runIds.Count; i++)
        {
            var run = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runIds[i] }, tenant);
            Assert.True(run.Status == V1.RunStatus.Succeeded, $"run {runIds[i]} ended {run.Status}: {run.Reason}{Environment.NewLine}{cluster.Output}");
            var journal = await cluster.JournalAsync(runIds[i]);
            Assert.Equal(Enumerable.Range(0, journal.Count).Select(s => (long)s), journal.Select(e => e.Sequence));
            Assert.Equal(journal.Select(e => e.EventId), watched[i].Events.Select(e => e.EventId));
            var completed = journal.Where(e => e.Type == TraceEventTypes.AgentCompleted).Select(e => $"{e.Module}/{e.Agent}");
            Assert.Equal(run.Tasks.Select(t => t.Id).Order(StringComparer.Ordinal), completed.Order(StringComparer.Ordinal));
            var emitted = journal.Where(e => e.Type == TraceEventTypes.ArtifactEmitted).Select(e => e.Attributes[TraceAttributes.Path]).ToList();
            Assert.Equal(run.ArtifactCount, emitted.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public async Task AStandaloneGatewayFindsTheSilosInTheMembershipTableAndServesARunToTheEnd()
    {
        await using var cluster = ProcessCluster.On(await server.CreateDatabaseAsync());
        await cluster.StartSiloAsync("silo");
        var gateway = await cluster.StartGatewayAsync("gateway");
        var channel = cluster.Channel(gateway);
        var tenant = await ProcessCluster.NewTenantAsync(channel);
        using var timeout = new CancellationTokenSource(RunsTimeout);

        var runId = (await ProcessCluster.SubmitAsync(channel, tenant, Blueprint, 1))[0];
        var watched = await cluster.WithOutputAsync(output, ProcessCluster.WatchToEndAsync(() => channel, tenant, runId, 0, timeout.Token));

        var run = await new V1.Runs.RunsClient(channel).GetRunAsync(new V1.GetRunRequest { RunId = runId }, tenant);
        Assert.True(run.Status == V1.RunStatus.Succeeded, $"run {runId} ended {run.Status}: {run.Reason}{Environment.NewLine}{cluster.Output}");
        Assert.Equal((await cluster.JournalAsync(runId)).Select(e => e.EventId), watched.Events.Select(e => e.EventId));
        Assert.Equal(0, watched.Reconnects);
    }

    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    private const string RunGrainType = "Factory.Grains.Runs.RunGrain";
}
