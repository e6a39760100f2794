namespace Factory.Grains.Tests.Runs;

/// <summary>A skill that throws fails its agent, its module and the run, with the reason traced; nothing hangs.</summary>
public sealed class FailingSkillTests : OperatorPackCluster
{
    /// <summary>The built-in pack, with every security template failing at render time.</summary>
    protected override async Task EditPackAsync()
    {
        foreach (var template in Directory.GetFiles(Path.Combine(Pack, "security"), "*.sbn", SearchOption.AllDirectories))
        {
            await EditTemplateAsync(Path.GetRelativePath(Pack, template), _ => "{{ 1 // 0 }}\n");
        }
    }

    [Fact]
    public async Task ASkillThatThrowsEndsTheRunFailedWithItsReason()
    {
        var client = Client;
        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("clinic-appointments.yaml"));
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var snapshot = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Failed, snapshot.Status);
        Assert.Contains("appointments", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("security", snapshot.Reason, StringComparison.Ordinal);

        var failed = Assert.Single(events, e => e.Type == TraceEventTypes.AgentFailed);
        Assert.Equal(("appointments", "security"), (failed.Module, failed.Agent));
        Assert.Contains("security", failed.Attributes[TraceAttributes.Reason], StringComparison.Ordinal);
        Assert.Single(events, e => e.Type == TraceEventTypes.SkillFailed);
        Assert.Single(events, e => e.Type == TraceEventTypes.ModuleFailed && e.Module == "appointments");

        // The run's terminal event is last and carries the reason.
        Assert.Equal(TraceEventTypes.RunFailed, events[^1].Type);
        Assert.Equal(snapshot.Reason, events[^1].Attributes[TraceAttributes.Reason]);

        // Nothing after the failure was dispatched: the validator, the release and the dependent module never ran.
        var status = snapshot.Tasks.ToDictionary(t => t.Task.Id, t => t.Status);
        Assert.Equal(PlanTaskStatus.Failed, status["appointments/security"]);
        Assert.Equal(PlanTaskStatus.Skipped, status["appointments/validator"]);
        Assert.Equal(PlanTaskStatus.Skipped, status["appointments/release"]);
        Assert.All(snapshot.Tasks.Where(t => t.Task.Module == "payments"), t => Assert.Equal(PlanTaskStatus.Skipped, t.Status));
        Assert.DoesNotContain(events, e => e.Module == "payments");
    }
}
