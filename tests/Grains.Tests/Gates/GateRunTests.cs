using Factory.Blueprints;
using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Gates;

/// <summary>Gates decide promotion on a real two-silo cluster: a blocked run promotes nothing, a warning does not block.</summary>
public sealed class GateRunTests(FactoryClusterFixture fixture) : IClassFixture<FactoryClusterFixture>
{
    private static readonly string[] EveryRule =
    [
        "auth-scope-required", "breaking-change", "compiles", "cost-budget", "no-secret-values", "operation-test-coverage", "pii-redacted",
    ];

    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task ACleanSampleRunPassesEveryGateTracesEachResultAndIsPromoted()
    {
        var tenant = NewTenant();
        var (snapshot, journal) = await RunAsync(tenant, Samples.CanonicalJson("clinic-appointments.yaml"));

        Assert.Equal(RunStatus.Succeeded, snapshot.Status);
        foreach (var module in new[] { "appointments", "payments" })
        {
            Assert.Equal(EveryRule, snapshot.Gates.Where(g => g.Module == module).Select(g => g.RuleId));
            Assert.Contains(snapshot.Artifacts, a => a.Path == $"{module}/validation/report.json");
        }

        Assert.All(snapshot.Gates, g => Assert.True(g.Passed, $"{g.Module}/{g.RuleId}: {g.Summary}"));
        Assert.Equal(snapshot.Gates.Length, journal.Count(e => e.Type == TraceEventTypes.GatePassed));
        var promoted = await Client.GetGrain<ITenantGrain>(tenant).GetPromotedAsync("clinic-appointments");
        Assert.Equal(snapshot.RunId, promoted?.RunId);
    }

    [Fact]
    public async Task AnOperationWithoutAScopeBlocksTheRunWithExactlyThatViolationAndPromotesNothing()
    {
        var tenant = NewTenant();
        var yaml = Sample("todo-service.yaml").Replace("        scope: todos.read\n        output: TodoItem[]\n", "        output: TodoItem[]\n", StringComparison.Ordinal);
        var (snapshot, journal) = await RunAsync(tenant, Canonical(yaml));

        Assert.Equal(RunStatus.Blocked, snapshot.Status);
        var failed = Assert.Single(snapshot.Gates, g => !g.Passed);
        Assert.Equal("auth-scope-required", failed.RuleId);
        Assert.Equal(GateMode.Block, failed.Mode);
        var violation = Assert.Single(failed.Violations);
        Assert.Equal("modules[0].operations[2].scope", violation.Path);
        Assert.Contains("ListTodos", violation.Message, StringComparison.Ordinal);
        Assert.Contains("auth-scope-required", snapshot.Reason, StringComparison.Ordinal);

        // Traced: the failed gate, the blocked module, the blocked run last; the release never ran.
        var gateFailed = Assert.Single(journal, e => e.Type == TraceEventTypes.GateFailed);
        Assert.Equal("auth-scope-required", gateFailed.Attributes[TraceAttributes.Rule]);
        Assert.Contains("modules[0].operations[2].scope", gateFailed.Attributes[TraceAttributes.ViolationPrefix + "0"], StringComparison.Ordinal);
        Assert.Single(journal, e => e.Type == TraceEventTypes.ModuleBlocked);
        Assert.Equal(TraceEventTypes.RunBlocked, journal[^1].Type);
        Assert.DoesNotContain(journal, e => e.Agent == "release" && e.Type == TraceEventTypes.AgentStarted);
        Assert.Equal(PlanTaskStatus.Skipped, snapshot.Tasks.Single(t => t.Task.Id == "todos/release").Status);
        Assert.DoesNotContain(snapshot.Artifacts, a => a.Path.EndsWith("release/manifest.json", StringComparison.Ordinal));
        Assert.Null(await Client.GetGrain<ITenantGrain>(tenant).GetPromotedAsync("todo-service"));
    }

    [Fact]
    public async Task WhenOneModuleIsBlockedNoModuleIsReleasedEvenAnIndependentOneThatPassed()
    {
        var tenant = NewTenant();
        var yaml = Sample("marketplace.yaml");
        var getStock = yaml.IndexOf("      - name: GetStock\n", StringComparison.Ordinal);
        var scope = yaml.IndexOf("        scope: ", getStock, StringComparison.Ordinal);
        var (snapshot, journal) = await RunAsync(tenant, Canonical(yaml.Remove(scope, yaml.IndexOf('\n', scope) - scope + 1)));

        Assert.Equal(RunStatus.Blocked, snapshot.Status);
        var failed = Assert.Single(snapshot.Gates, g => !g.Passed);
        Assert.Equal(("inventory", "auth-scope-required"), (failed.Module, failed.RuleId));

        // catalog passed every gate, in parallel with inventory, but promotion is all or nothing.
        Assert.All(snapshot.Gates.Where(g => g.Module == "catalog"), g => Assert.True(g.Passed));
        var catalogRelease = snapshot.Tasks.Single(t => t.Task.Id == "catalog/release");
        Assert.Equal(PlanTaskStatus.Skipped, catalogRelease.Status);
        Assert.Contains("not promoted: module inventory did not pass", catalogRelease.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(journal, e => e.Agent == "release" && e.Type == TraceEventTypes.AgentStarted);
        Assert.DoesNotContain(snapshot.Artifacts, a => a.Path.EndsWith("release/manifest.json", StringComparison.Ordinal));
        Assert.DoesNotContain(journal, e => e.Module == "orders");
        Assert.Contains(journal, e => e.Type == TraceEventTypes.ModuleCompleted && e.Module == "catalog"
            && e.Attributes.GetValueOrDefault(TraceAttributes.Reason, "").StartsWith("not promoted", StringComparison.Ordinal));
        Assert.Equal(TraceEventTypes.RunBlocked, journal[^1].Type);
    }

    [Fact]
    public async Task ARuleTheBlueprintSetsToWarnReportsItsViolationAndStillPromotes()
    {
        var tenant = NewTenant();
        var yaml = Sample("todo-service.yaml")
            .Replace("        scope: todos.read\n        output: TodoItem[]\n", "        output: TodoItem[]\n", StringComparison.Ordinal)
            .Replace("  rules:\n", "  rules:\n    auth-scope-required: warn\n", StringComparison.Ordinal);
        var (snapshot, journal) = await RunAsync(tenant, Canonical(yaml));

        Assert.Equal(RunStatus.Succeeded, snapshot.Status);
        var warned = Assert.Single(snapshot.Gates, g => !g.Passed);
        Assert.Equal(("auth-scope-required", GateMode.Warn), (warned.RuleId, warned.Mode));
        Assert.Single(journal, e => e.Type == TraceEventTypes.GateWarned);
        Assert.DoesNotContain(journal, e => e.Type == TraceEventTypes.GateFailed);
        Assert.Contains(snapshot.Artifacts, a => a.Path == "todos/release/manifest.json");
    }

    [Fact]
    public async Task RemovingAnOperationThatAPromotedVersionExposedIsABreakingChange()
    {
        var tenant = NewTenant();
        var v1 = Sample("clinic-appointments.yaml");
        var (first, _) = await RunAsync(tenant, Canonical(v1));
        Assert.Equal(RunStatus.Succeeded, first.Status);

        var v2 = RemoveOperation(v1, "GetAppointment").Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal);
        var (second, journal) = await RunAsync(tenant, Canonical(v2));

        Assert.Equal(RunStatus.Blocked, second.Status);
        Assert.Equal(first.BlueprintHash, second.BaselineBlueprintHash);
        var failed = Assert.Single(second.Gates, g => !g.Passed);
        Assert.Equal(("appointments", "breaking-change"), (failed.Module, failed.RuleId));
        Assert.Contains(failed.Violations, v => v.Message.Contains("GetAppointment", StringComparison.Ordinal));
        Assert.Equal(first.RunId, (await Client.GetGrain<ITenantGrain>(tenant).GetPromotedAsync("clinic-appointments"))?.RunId);

        // The blueprint may allow it: then it is a warning and the new version is promoted.
        var allowed = v2.Replace("  rules:\n", "  rules:\n    breaking-change: warn\n", StringComparison.Ordinal);
        var (third, _) = await RunAsync(tenant, Canonical(allowed));
        Assert.Equal(RunStatus.Succeeded, third.Status);
        Assert.Contains(third.Gates, g => g.RuleId == "breaking-change" && !g.Passed && g.Mode == GateMode.Warn);
        Assert.Equal(third.RunId, (await Client.GetGrain<ITenantGrain>(tenant).GetPromotedAsync("clinic-appointments"))?.RunId);
        Assert.Contains(journal, e => e.Type == TraceEventTypes.GateFailed && e.Attributes[TraceAttributes.Rule] == "breaking-change");
    }

    [Fact]
    public async Task ARunThatCostsMoreThanItsBudgetIsBlocked()
    {
        var yaml = Sample("todo-service.yaml").Replace("costBudgetUsd: 2.50", "costBudgetUsd: 0.0000000001", StringComparison.Ordinal);
        var (snapshot, _) = await RunAsync(NewTenant(), Canonical(yaml));

        Assert.Equal(RunStatus.Blocked, snapshot.Status);
        Assert.True(snapshot.CostUsd > 0m);
        var failed = Assert.Single(snapshot.Gates, g => !g.Passed);
        Assert.Equal("cost-budget", failed.RuleId);
    }

    private async Task<(RunSnapshot Snapshot, List<TraceEvent> Journal)> RunAsync(string tenant, string canonicalJson)
    {
        var submission = await RunDriver.SubmitAsync(Client, canonicalJson, tenant);
        var journal = await RunDriver.WatchToEndAsync(Client, submission.RunId);
        return (await Client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync(), journal);
    }

    private static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private static string Sample(string fileName) => File.ReadAllText(Path.Combine(Samples.BlueprintsFolder, fileName)).ReplaceLineEndings("\n");

    private static string Canonical(string yaml)
    {
        var result = BlueprintLoader.Load(yaml, "test.yaml");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        return result.CanonicalJson!;
    }

    /// <summary>Removes the operation named <paramref name="name"/> (its list item, up to the next one) from the YAML.</summary>
    private static string RemoveOperation(string yaml, string name)
    {
        var lines = yaml.Split('\n').ToList();
        var start = lines.FindIndex(l => l.TrimStart().StartsWith($"- name: {name}", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no operation {name}");
        var indent = lines[start].IndexOf('-', StringComparison.Ordinal);
        var end = start + 1;
        while (end < lines.Count && (lines[end].Length == 0 || lines[end].TakeWhile(c => c == ' ').Count() > indent))
        {
            end++;
        }

        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }
}
