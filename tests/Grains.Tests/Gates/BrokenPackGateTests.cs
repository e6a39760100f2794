using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Gates;

/// <summary>
/// An operator's template pack broken in four ways on purpose: each way trips exactly its gate, the
/// run ends Blocked with exactly those violations, and nothing downstream is promoted.
/// </summary>
public sealed class BrokenPackGateTests : OperatorPackCluster
{
    private const string LeakedKey = "AKIAQWERTYUIOPASDFGH";

    protected override async Task EditPackAsync()
    {
        // compiles: every entity gains a property of a type that does not exist.
        // pii-redacted: personal-data fields of entities lose their [PersonalData] mark.
        await EditTemplateAsync("developer/entity.csharp.sbn", text => text.Replace("    [PersonalData]\n", "", StringComparison.Ordinal));
        await EditTemplateAsync("developer/entity.csharp.sbn", text => text
            .Replace("{{ entity.pascal_name }}\n{\n", "{{ entity.pascal_name }}\n{\n    public UnknownType Broken { get; init; }\n\n", StringComparison.Ordinal));
        // no-secret-values: the README carries a literal access key.
        await EditTemplateAsync("docs/README.md.sbn", text => text + $"\nDeploy key: {LeakedKey}\n");
        // operation-test-coverage: CancelAppointment's tests are misnamed, so they cover nothing.
        await EditTemplateAsync("qa/operation-tests.csharp.sbn", text => text
            .Replace("{{ op.pascal_name }}_", "{{ op.pascal_name | string.replace \"CancelAppointment\" \"Cancel\" }}_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachBrokenRuleBlocksTheRunWithExactlyItsViolation()
    {
        var client = Client;
        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("clinic-appointments.yaml"));
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var snapshot = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Blocked, snapshot.Status);
        var failed = snapshot.Gates.Where(g => !g.Passed).ToDictionary(g => g.RuleId, StringComparer.Ordinal);
        Assert.Equal(["compiles", "no-secret-values", "operation-test-coverage", "pii-redacted"], failed.Keys.Order(StringComparer.Ordinal));
        Assert.All(failed.Values, g => Assert.Equal(("appointments", GateMode.Block), (g.Module, g.Mode)));

        var compile = failed["compiles"].Violations;
        Assert.NotEmpty(compile);
        Assert.All(compile, v => Assert.Contains("CS0246", v.Message, StringComparison.Ordinal));
        Assert.All(compile, v => Assert.StartsWith("appointments/src/", v.Path, StringComparison.Ordinal));

        var secret = Assert.Single(failed["no-secret-values"].Violations);
        Assert.StartsWith("appointments/README.md:", secret.Path, StringComparison.Ordinal);
        Assert.DoesNotContain(LeakedKey, secret.Message, StringComparison.Ordinal);

        var coverage = Assert.Single(failed["operation-test-coverage"].Violations);
        Assert.Contains("CancelAppointment", coverage.Message, StringComparison.Ordinal);

        Assert.NotEmpty(failed["pii-redacted"].Violations);
        Assert.All(failed["pii-redacted"].Violations, v => Assert.Contains("PersonalData", v.Message, StringComparison.Ordinal));

        // The secret never reaches the trace; the release and the dependent module never ran.
        Assert.DoesNotContain(events, e => e.Attributes.Values.Any(v => v.Contains(LeakedKey, StringComparison.Ordinal)));
        Assert.Equal(4, events.Count(e => e.Type == TraceEventTypes.GateFailed));
        Assert.Equal(PlanTaskStatus.Skipped, snapshot.Tasks.Single(t => t.Task.Id == "appointments/release").Status);
        Assert.All(snapshot.Tasks.Where(t => t.Task.Module == "payments"), t => Assert.Equal(PlanTaskStatus.Skipped, t.Status));
        Assert.Equal(TraceEventTypes.RunBlocked, events[^1].Type);
    }
}
