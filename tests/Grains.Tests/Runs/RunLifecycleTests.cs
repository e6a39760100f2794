using Factory.Grains.Storage;

namespace Factory.Grains.Tests.Runs;

/// <summary>Whole runs on a real two-silo cluster: completion, journal integrity, determinism, watching.</summary>
public sealed class RunLifecycleTests(FactoryClusterFixture fixture) : IClassFixture<FactoryClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public async Task EverySampleRunsToSuccessWithAGapFreeJournal(string sample)
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson(sample));
        var watched = await RunDriver.WatchToEndAsync(Client, submission.RunId);
        var snapshot = await Client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Succeeded, snapshot.Status);
        Assert.Equal("", snapshot.Reason);

        // The journal: sequences 0..n-1 in order, unique ids, one terminal event and it is last.
        var journal = await RunDriver.JournalAsync(Client, submission.RunId);
        Assert.Equal(Enumerable.Range(0, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        Assert.Equal(journal.Count, journal.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(snapshot.EventCount, journal.Count);
        Assert.Equal(TraceEventTypes.RunSucceeded, journal[^1].Type);
        Assert.Single(journal, e => e.IsTerminal);
        Assert.Equal(journal.Select(e => e.EventId), watched.Select(e => e.EventId));
        Assert.All(journal, e => Assert.Equal(snapshot.TraceId, e.TraceId));

        // Every task of the plan ran exactly once, and nothing else ran.
        var planned = snapshot.Tasks.Select(t => t.Task.Id).Order(StringComparer.Ordinal).ToList();
        Assert.All(snapshot.Tasks, t => Assert.Equal(PlanTaskStatus.Succeeded, t.Status));
        Assert.Equal(planned, TasksWith(journal, TraceEventTypes.AgentStarted));
        Assert.Equal(planned, TasksWith(journal, TraceEventTypes.AgentCompleted));

        // Each agent started only after the tasks it depends on completed.
        var completedAt = journal.Where(e => e.Type == TraceEventTypes.AgentCompleted).ToDictionary(e => $"{e.Module}/{e.Agent}", e => e.Sequence);
        var startedAt = journal.Where(e => e.Type == TraceEventTypes.AgentStarted).ToDictionary(e => $"{e.Module}/{e.Agent}", e => e.Sequence);
        Assert.All(snapshot.Tasks, t => Assert.All(t.Task.DependsOn, d => Assert.True(completedAt[d] < startedAt[t.Task.Id], $"{t.Task.Id} started before {d} completed")));

        // Artifacts: each stored under its hash, with that content.
        Assert.NotEmpty(snapshot.Artifacts);
        var store = new FileSystemArtifactStore(fixture.Cluster.ArtifactsPath);
        foreach (var artifact in snapshot.Artifacts)
        {
            var content = await store.GetAsync(artifact.Sha256);
            Assert.NotNull(content);
            Assert.Equal(artifact.Sha256, ContentHash.Sha256Hex(content));
            Assert.Equal(artifact.Size, content.Length);
        }

        Assert.Equal(snapshot.Artifacts.Length, journal.Count(e => e.Type == TraceEventTypes.ArtifactEmitted));
    }

    [Fact]
    public async Task AnEndedRunsModuleAndAgentGrainsLeaveMemory()
    {
        // Six modules: each one's end is followed by the run's promotion bookkeeping for the others.
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("marketplace.yaml"));
        var watched = await RunDriver.WatchToEndAsync(Client, submission.RunId);
        Assert.Equal(TraceEventTypes.RunSucceeded, watched[^1].Type);

        // Orleans keeps an idle grain for minutes; a finished module or agent deactivates itself, and nothing calls it again.
        var prefix = submission.RunId + "/";
        var management = Client.GetGrain<IManagementGrain>(0);
        await RunDriver.EventuallyAsync(async () => !(await management.GetDetailedGrainStatistics())
            .Any(g => g.GrainId.Key.ToString()!.StartsWith(prefix, StringComparison.Ordinal)), "the ended run's module and agent grains deactivated");
    }

    [Fact]
    public async Task TwoRunsOfTheSameBlueprintProduceIdenticalArtifactHashes()
    {
        var json = Samples.CanonicalJson("clinic-appointments.yaml");
        var first = await RunDriver.SubmitAsync(Client, json);
        var second = await RunDriver.SubmitAsync(Client, json);
        Assert.NotEqual(first.RunId, second.RunId);
        await RunDriver.WatchToEndAsync(Client, first.RunId);
        await RunDriver.WatchToEndAsync(Client, second.RunId);

        var a = await Client.GetGrain<IRunGrain>(first.RunId).GetSnapshotAsync();
        var b = await Client.GetGrain<IRunGrain>(second.RunId).GetSnapshotAsync();
        Assert.True(a.Status == RunStatus.Succeeded, $"run {a.RunId}: {a.Status}: {a.Reason}");
        Assert.True(b.Status == RunStatus.Succeeded, $"run {b.RunId}: {b.Status}: {b.Reason}");
        Assert.Equal(a.Artifacts.Select(x => (x.Path, x.Sha256)), b.Artifacts.Select(x => (x.Path, x.Sha256)));
    }

    [Fact]
    public async Task AWatcherJoiningMidRunFromSequenceZeroReceivesEveryEventOnce()
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("marketplace.yaml"));
        var run = Client.GetGrain<IRunGrain>(submission.RunId);
        using var timeout = new CancellationTokenSource(RunDriver.RunTimeout);

        // Wait (by watching) until the run is under way, then join with a second watcher from 0.
        var joinedWhileRunning = false;
        List<TraceEvent>? late = null;
        await foreach (var e in run.WatchAsync(0, timeout.Token))
        {
            if (e.Type == TraceEventTypes.AgentCompleted && late is null)
            {
                late = await RunDriver.WatchToEndAsync(Client, submission.RunId);
                joinedWhileRunning = true;
            }
        }

        var journal = await RunDriver.JournalAsync(Client, submission.RunId);
        Assert.True(joinedWhileRunning);
        Assert.NotNull(late);
        Assert.Equal(journal.Select(e => e.Sequence), late.Select(e => e.Sequence));
        Assert.Equal(journal.Select(e => e.EventId), late.Select(e => e.EventId));
    }

    [Fact]
    public async Task AWatcherThatReconnectsWithItsLastSequenceMissesNothing()
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("clinic-appointments.yaml"));
        var run = Client.GetGrain<IRunGrain>(submission.RunId);
        var first = new List<TraceEvent>();
        using (var disconnect = new CancellationTokenSource(RunDriver.RunTimeout))
        {
            try
            {
                await foreach (var e in run.WatchAsync(0, disconnect.Token))
                {
                    first.Add(e);
                    if (e.Type == TraceEventTypes.ModuleStarted)
                    {
                        await disconnect.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The client went away mid-run.
            }
        }

        Assert.NotEmpty(first);
        Assert.False(first[^1].IsTerminal);
        var resumed = await RunDriver.WatchToEndAsync(Client, submission.RunId, first[^1].Sequence + 1);
        var journal = await RunDriver.JournalAsync(Client, submission.RunId);
        Assert.Equal(journal.Select(e => e.EventId), first.Concat(resumed).Select(e => e.EventId));
    }

    [Fact]
    public async Task SubmittingAnInvalidBlueprintIsRejectedWithEveryProblemAndStartsNothing()
    {
        var tenant = Client.GetGrain<ITenantGrain>("rejections");
        var json = Samples.CanonicalJson("todo-service.yaml").Replace("\"apiVersion\":\"factory/v1\"", "\"apiVersion\":\"factory/v0\"", StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<BlueprintRejectedException>(() => tenant.SubmitRunAsync(new RunRequest { BlueprintJson = json }));
        Assert.Contains(error.Problems, p => p.Contains("apiVersion", StringComparison.Ordinal));
        Assert.Empty(await tenant.ListRunsAsync(10));
    }

    [Fact]
    public async Task AnUnknownRunIsNotFound()
    {
        var error = await Assert.ThrowsAsync<RunNotFoundException>(() => Client.GetGrain<IRunGrain>("no-such-run").GetSnapshotAsync());
        Assert.Equal("no-such-run", error.RunId);
    }

    [Fact]
    public async Task TheSameIdempotencyKeyReturnsTheSameRun()
    {
        var tenant = Client.GetGrain<ITenantGrain>("idempotent");
        var request = new RunRequest { BlueprintJson = Samples.CanonicalJson("todo-service.yaml"), IdempotencyKey = "order-42" };
        var first = await tenant.SubmitRunAsync(request);
        var again = await tenant.SubmitRunAsync(request);
        Assert.False(first.Existing);
        Assert.True(again.Existing);
        Assert.Equal(first.RunId, again.RunId);
        Assert.Single(await tenant.ListRunsAsync(10));
        await RunDriver.WatchToEndAsync(Client, first.RunId);
    }

    private static List<string> TasksWith(IEnumerable<TraceEvent> journal, string type) =>
        [.. journal.Where(e => e.Type == type).Select(e => $"{e.Module}/{e.Agent}").Order(StringComparer.Ordinal)];
}
