using Factory.Grains.Skills;
using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>Cancelling runs and recording feedback in their trace.</summary>
public sealed class CancelAndFeedbackTests(TenancyClusterFixture fixture) : IClassFixture<TenancyClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task ACancelledRunDispatchesNothingMoreAndEndsCancelledWithItsReasonLast()
    {
        var tenant = await Tenancy.CreateAsync(Client, "cancel", "pro");
        var submission = await tenant.SubmitRunAsync(new RunRequest { BlueprintJson = Samples.CanonicalJson("marketplace.yaml") });
        var run = Client.GetGrain<IRunGrain>(submission.RunId);

        var cancelling = await run.CancelAsync("operator asked");
        var watched = await RunDriver.WatchToEndAsync(Client, submission.RunId);
        var snapshot = await run.GetSnapshotAsync();

        Assert.Equal(RunStatus.Running, cancelling.Status); // tasks in flight end first
        Assert.Equal(RunStatus.Cancelled, snapshot.Status);
        Assert.Equal("operator asked", snapshot.Reason);
        Assert.NotNull(snapshot.EndedAt);

        // The journal: gap-free, one terminal event, RunCancelled with the reason, last.
        var journal = await RunDriver.JournalAsync(Client, submission.RunId);
        Assert.Equal(Enumerable.Range(0, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        Assert.Equal(journal.Select(e => e.EventId), watched.Select(e => e.EventId));
        Assert.Single(journal, e => e.IsTerminal);
        Assert.Equal(TraceEventTypes.RunCancelled, journal[^1].Type);
        Assert.Equal("operator asked", journal[^1].Attributes[TraceAttributes.Reason]);

        // Tasks in flight finished and were reported; the rest never started.
        var started = journal.Where(e => e.Type == TraceEventTypes.AgentStarted).Select(e => (e.Module, e.Agent)).ToList();
        var ended = journal.Where(e => e.Type is TraceEventTypes.AgentCompleted or TraceEventTypes.AgentFailed).Select(e => (e.Module, e.Agent)).ToList();
        Assert.Equal(started.Order(), ended.Order());
        Assert.Contains(snapshot.Tasks, t => t.Status == PlanTaskStatus.Skipped);
        Assert.True(started.Count < snapshot.Tasks.Length, "every task ran although the run was cancelled");
        Assert.DoesNotContain(journal, e => e.Type == TraceEventTypes.AgentStarted && e.Agent == AgentRoles.Release);

        // The tenant was told: the slot is free and the index knows the status.
        await Tenancy.RunsEndedAtTenantAsync(tenant, [submission.RunId]);
        Assert.Equal(RunStatus.Cancelled, (await tenant.ListRunsAsync(1))[0].Status);
        Assert.Equal(0, (await tenant.GetInfoAsync()).RunsInFlight);
        Assert.Equal([submission.RunId], (await tenant.QueryRunsAsync(new RunQuery { Status = RunStatus.Cancelled })).Runs.Select(r => r.RunId));

        // Cancelling an ended run returns it as it is.
        var again = await run.CancelAsync("too late");
        Assert.Equal(RunStatus.Cancelled, again.Status);
        Assert.Equal("operator asked", again.Reason);
    }

    [Fact]
    public async Task CancellingAnEndedRunChangesNothing()
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("todo-service.yaml"));
        await RunDriver.WatchToEndAsync(Client, submission.RunId);
        var run = Client.GetGrain<IRunGrain>(submission.RunId);

        var snapshot = await run.CancelAsync("no longer needed");

        Assert.Equal(RunStatus.Succeeded, snapshot.Status);
        Assert.Equal("", snapshot.Reason);
        Assert.Equal(TraceEventTypes.RunSucceeded, (await RunDriver.JournalAsync(Client, submission.RunId))[^1].Type);
        await Assert.ThrowsAsync<RunNotFoundException>(() => Client.GetGrain<IRunGrain>(Guid.NewGuid().ToString("N")).CancelAsync("x"));
    }

    [Fact]
    public async Task FeedbackOnAnEndedRunIsRecordedAfterItsEndAndWatchersReceiveIt()
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("todo-service.yaml"));
        await RunDriver.WatchToEndAsync(Client, submission.RunId);
        var run = Client.GetGrain<IRunGrain>(submission.RunId);
        var ended = await run.GetSnapshotAsync();
        var artifact = ended.Artifacts[0];

        var first = await run.SubmitFeedbackAsync(new Feedback { Score = 4, Comment = "clean code", Module = artifact.Module, Agent = artifact.Role, By = "key123" });
        var second = await run.SubmitFeedbackAsync(new Feedback { Score = 2, ArtifactPath = artifact.Path });

        Assert.Equal(ended.EventCount, first);
        Assert.Equal(first + 1, second);
        var journal = await RunDriver.JournalAsync(Client, submission.RunId);
        Assert.Equal(Enumerable.Range(0, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        Assert.Equal(TraceEventTypes.RunSucceeded, journal[(int)first - 1].Type);
        Assert.Single(journal, e => e.IsTerminal);
        var recorded = journal[(int)first];
        Assert.Equal(TraceEventTypes.FeedbackSubmitted, recorded.Type);
        Assert.Equal(artifact.Module, recorded.Module);
        Assert.Equal(artifact.Role, recorded.Agent);
        Assert.Equal("4", recorded.Attributes[TraceAttributes.Score]);
        Assert.Equal("clean code", recorded.Attributes[TraceAttributes.Comment]);
        Assert.Equal("key123", recorded.Attributes[TraceAttributes.By]);
        Assert.Equal(artifact.Path, journal[(int)second].Attributes[TraceAttributes.Path]);

        // A watcher from the start receives everything, feedback included, then ends.
        var watched = await RunDriver.WatchToEndAsync(Client, submission.RunId);
        Assert.Equal(journal.Select(e => e.EventId), watched.Select(e => e.EventId));
        Assert.Equal([first, second], (await RunDriver.WatchToEndAsync(Client, submission.RunId, first)).Select(e => e.Sequence));
        var after = await run.GetSnapshotAsync();
        Assert.Equal(RunStatus.Succeeded, after.Status);
        Assert.Equal(second + 1, after.EventCount);
    }

    [Fact]
    public async Task InvalidFeedbackIsRefusedNamingTheField()
    {
        var submission = await RunDriver.SubmitAsync(Client, Samples.CanonicalJson("todo-service.yaml"));
        await RunDriver.WatchToEndAsync(Client, submission.RunId);
        var run = Client.GetGrain<IRunGrain>(submission.RunId);
        var before = (await run.GetSnapshotAsync()).EventCount;

        // The field leads the message (an exception's ParamName does not cross the wire).
        async Task<string> Refused(Feedback feedback) =>
            (await Assert.ThrowsAsync<ArgumentException>(() => run.SubmitFeedbackAsync(feedback))).Message.Split(' ', ':')[0];

        Assert.Equal("Feedback.Score", await Refused(new Feedback { Score = 0 }));
        Assert.Equal("Feedback.Score", await Refused(new Feedback { Score = 6 }));
        Assert.Equal("Feedback.Comment", await Refused(new Feedback { Score = 3, Comment = new string('x', 2001) }));
        Assert.Equal("Feedback.Module", await Refused(new Feedback { Score = 3, Module = "nope" }));
        Assert.Equal("Feedback.Agent", await Refused(new Feedback { Score = 3, Agent = "juggler" }));
        Assert.Equal("Feedback.ArtifactPath", await Refused(new Feedback { Score = 3, ArtifactPath = "todos/missing.txt" }));
        Assert.Equal(before, (await run.GetSnapshotAsync()).EventCount);
        Assert.Equal(before, await run.SubmitFeedbackAsync(new Feedback { Score = 5, Comment = new string('x', 2000) }));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Client.GetGrain<IRunGrain>(Guid.NewGuid().ToString("N")).SubmitFeedbackAsync(new Feedback { Score = 3 }));
    }
}
