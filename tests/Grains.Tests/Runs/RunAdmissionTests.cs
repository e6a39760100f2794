namespace Factory.Grains.Tests.Runs;

/// <summary>
/// A silo that admits one run at a time: the others are journaled and answered at once, wait without starting a
/// module, and go in order as earlier runs end; a waiting run can be cancelled.
/// </summary>
public sealed class RunAdmissionTests
{
    [Fact]
    public async Task RunsPastTheLimitWaitJournaledThenEachRunsToItsEndAndACancelledOneNeverStarts()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 1, settings: new Dictionary<string, string?>
        {
            ["Factory:Runtime:MaxActiveRuns"] = "1",
        });
        var client = cluster.Client;
        var json = Samples.CanonicalJson("clinic-appointments.yaml");
        var first = await RunDriver.SubmitAsync(client, json);
        var second = await RunDriver.SubmitAsync(client, json);
        var third = await RunDriver.SubmitAsync(client, json);

        // The third waits behind the first two: journaled (started, planned), no module started.
        var waiting = await RunDriver.JournalAsync(client, third.RunId);
        Assert.Equal([TraceEventTypes.RunStarted, TraceEventTypes.PlanCreated], waiting.Select(e => e.Type));
        var cancelled = await client.GetGrain<IRunGrain>(third.RunId).CancelAsync("not needed after all");
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);

        var firstEvents = await RunDriver.WatchToEndAsync(client, first.RunId);
        var secondEvents = await RunDriver.WatchToEndAsync(client, second.RunId);
        Assert.Equal(TraceEventTypes.RunSucceeded, firstEvents[^1].Type);
        Assert.Equal(TraceEventTypes.RunSucceeded, secondEvents[^1].Type);

        // One at a time: the second's first module started after the first's work was done (its last module ended;
        // the first gives up its place then, not once the last of its trace events has come in).
        var firstDone = firstEvents.Where(e => e.Type == TraceEventTypes.ModuleCompleted).Max(e => e.Time);
        Assert.Equal(firstEvents.Count(e => e.Type == TraceEventTypes.ModuleStarted), firstEvents.Count(e => e.Type == TraceEventTypes.ModuleCompleted));
        var secondModules = secondEvents.Where(e => e.Type == TraceEventTypes.ModuleStarted).ToList();
        Assert.NotEmpty(secondModules);
        Assert.All(secondModules, e => Assert.True(e.Time >= firstDone, $"module {e.Module} of the second run started at {e.Time:O}, before the first's last module ended at {firstDone:O}"));

        // The cancelled one ended without starting anything.
        var thirdEvents = await RunDriver.WatchToEndAsync(client, third.RunId);
        Assert.Equal(TraceEventTypes.RunCancelled, thirdEvents[^1].Type);
        Assert.DoesNotContain(thirdEvents, e => e.Type is TraceEventTypes.ModuleStarted or TraceEventTypes.AgentStarted);
    }
}
