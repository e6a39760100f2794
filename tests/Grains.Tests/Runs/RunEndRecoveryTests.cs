namespace Factory.Grains.Tests.Runs;

/// <summary>
/// A run whose end is interrupted after its final status is stored (the call telling its tenant fails, as when the
/// tenant's silo has just died) is completed by its redrive reminder: the tenant is told and the terminal event journaled.
/// </summary>
public sealed class RunEndRecoveryTests
{
    [Fact]
    public async Task ARunWhoseReportToItsTenantFailedIsEndedByItsReminder()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 1, settings: new Dictionary<string, string?>
        {
            ["Factory:Runtime:RedrivePeriod"] = "00:00:02",
            [FactoryCluster.FailFirstRunEndedKey] = "true",
        }, survivesSiloLoss: true);
        var client = cluster.Client;
        var tenant = client.GetGrain<ITenantGrain>("recovery");
        await tenant.CreateAsync("enterprise");
        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("todo-service.yaml"), "recovery");

        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);

        Assert.Equal(TraceEventTypes.RunSucceeded, events[^1].Type);
        Assert.Single(events, e => e.IsTerminal);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var snapshot = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();
        Assert.Equal(RunStatus.Succeeded, snapshot.Status);

        // The tenant heard of the end: the run is recorded as ended and its slot is free.
        var recorded = Assert.Single(await tenant.ListRunsAsync(10), r => r.RunId == submission.RunId);
        Assert.Equal(RunStatus.Succeeded, recorded.Status);
        Assert.Equal(0, (await tenant.GetInfoAsync()).RunsInFlight);
    }

    [Fact]
    public async Task ARunHoldsItsRedriveReminderWhileRunningAndRemovesItWhenItEnds()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 1, survivesSiloLoss: true);
        var client = cluster.Client;
        var reminders = cluster.SharedReminders!;
        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("todo-service.yaml"), "reminded");
        var run = client.GetGrain<IRunGrain>(submission.RunId).GetGrainId();

        var held = await reminders.ReadRow(run, "redrive");
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);

        Assert.NotNull(held);
        Assert.Equal(TraceEventTypes.RunSucceeded, events[^1].Type);
        await RunDriver.EventuallyAsync(async () => await reminders.ReadRow(run, "redrive") is null, "the run's reminder was removed");
    }
}
