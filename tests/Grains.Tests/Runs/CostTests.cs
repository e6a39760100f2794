using System.Globalization;
using Factory.Blueprints;
using Factory.Grains.Gates;
using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Runs;

/// <summary>A cluster whose default edition prices compute high (so costs are visible) and one that prices it at zero.</summary>
public sealed class CostClusterFixture : IAsyncLifetime
{
    private FactoryCluster? _cluster;

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync() => _cluster = await FactoryCluster.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Factory:DefaultEdition"] = "priced",
        ["Factory:Editions:priced:MaxConcurrentRuns"] = "50",
        ["Factory:Editions:priced:RunsPerMinute"] = "1000",
        ["Factory:Editions:priced:MaxBlueprintBytes"] = "4194304",
        ["Factory:Editions:priced:MaxModules"] = "100",
        ["Factory:Editions:priced:ComputePricePerSecondUsd"] = "2",
        ["Factory:Editions:gratis:MaxConcurrentRuns"] = "50",
        ["Factory:Editions:gratis:RunsPerMinute"] = "1000",
        ["Factory:Editions:gratis:MaxBlueprintBytes"] = "4194304",
        ["Factory:Editions:gratis:MaxModules"] = "100",
        ["Factory:Editions:gratis:ComputePricePerSecondUsd"] = "0",
    });

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Each skill's cost, its totals per agent, module, run and tenant, and the cost budget enforced while a run goes.</summary>
public sealed class CostTests(CostClusterFixture fixture) : IClassFixture<CostClusterFixture>
{
    [Fact]
    public async Task EverySkillIsPricedByEditionAndTotalsAddUpPerAgentModuleRunAndTenant()
    {
        var client = fixture.Cluster.Client;
        var tenant = "cost-" + Guid.NewGuid().ToString("N")[..8];
        await client.GetGrain<ITenantGrain>(tenant).CreateAsync("priced");

        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("clinic-appointments.yaml"), tenant);
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var run = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var skills = events.Where(e => e.Type == TraceEventTypes.SkillCompleted).ToList();
        Assert.NotEmpty(skills);
        Assert.All(skills, e =>
        {
            var cost = Usd(e, TraceAttributes.CostUsd);
            Assert.Equal(cost, Usd(e, TraceAttributes.ComputeUsd));
            // compute is priced at $2 a second: the cost is the skill's duration in seconds times 2
            var seconds = decimal.Parse(e.Attributes[TraceAttributes.DurationMs], CultureInfo.InvariantCulture) / 1000m;
            Assert.InRange(cost, seconds * 2m - 0.001m, seconds * 2m + 0.001m);
            Assert.False(e.Attributes.ContainsKey(TraceAttributes.TokensIn), "no model was called");
        });
        Assert.True(run.CostUsd > 0m);
        Assert.Equal(skills.Sum(e => Usd(e, TraceAttributes.CostUsd)), run.CostUsd);

        var modules = run.Costs.Where(l => l.Agent.Length == 0).ToList();
        Assert.Equal(["appointments", "payments"], modules.Select(m => m.Module));
        Assert.Equal(run.CostUsd, modules.Sum(m => m.CostUsd));
        foreach (var module in modules)
        {
            var agents = run.Costs.Where(l => l.Module == module.Module && l.Agent.Length > 0).ToList();
            Assert.Equal(run.Tasks.Where(t => t.Task.Module == module.Module).Select(t => t.Task.Role).Order(StringComparer.Ordinal), agents.Select(a => a.Agent));
            Assert.Equal(module.CostUsd, agents.Sum(a => a.CostUsd));
            Assert.Equal(module.Skills, agents.Sum(a => a.Skills));
            Assert.All(agents, a => Assert.Equal(
                skills.Where(e => e.Module == module.Module && e.Agent == a.Agent).Sum(e => Usd(e, TraceAttributes.CostUsd)), a.CostUsd));
        }

        // The breakdown is listed module line first, then its agents in name order.
        Assert.Equal(run.Costs.OrderBy(l => l.Module, StringComparer.Ordinal).ThenBy(l => l.Agent, StringComparer.Ordinal), run.Costs);

        var second = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("todo-service.yaml"), tenant);
        await RunDriver.WatchToEndAsync(client, second.RunId);
        var secondCost = (await client.GetGrain<IRunGrain>(second.RunId).GetSnapshotAsync()).CostUsd;
        var info = await client.GetGrain<ITenantGrain>(tenant).GetInfoAsync();
        Assert.Equal(run.CostUsd + secondCost, info.CostUsd);
        var listed = await client.GetGrain<ITenantGrain>(tenant).QueryRunsAsync(new RunQuery());
        Assert.Equal([secondCost, run.CostUsd], listed.Runs.Select(r => r.CostUsd));
    }

    [Fact]
    public async Task AnEditionWithFreeComputeCostsNothing()
    {
        var client = fixture.Cluster.Client;
        var tenant = "gratis-" + Guid.NewGuid().ToString("N")[..8];
        await client.GetGrain<ITenantGrain>(tenant).CreateAsync("gratis");

        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("todo-service.yaml"), tenant);
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var run = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.All(events.Where(e => e.Type == TraceEventTypes.SkillCompleted), e => Assert.Equal(0m, Usd(e, TraceAttributes.CostUsd)));
        Assert.Equal(0m, run.CostUsd);
        Assert.Equal(0m, (await client.GetGrain<ITenantGrain>(tenant).GetInfoAsync()).CostUsd);
    }

    [Fact]
    public async Task ARunThatGoesOverItsBudgetStopsBlockedNamingTheBudgetAndWhatItSpent()
    {
        var client = fixture.Cluster.Client;
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(RepositoryPaths.Sample("marketplace.yaml")));
        var rules = new SortedDictionary<string, RuleMode>(blueprint.Policies.Rules.ToDictionary(), StringComparer.Ordinal) { [GateRuleIds.CostBudget] = RuleMode.Block };
        var budgeted = blueprint with { Policies = blueprint.Policies with { CostBudgetUsd = 0.000001m, Rules = rules } };

        var submission = await RunDriver.SubmitAsync(client, BlueprintCanonicalForm.ToJson(budgeted));
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var run = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Blocked, run.Status);
        Assert.Equal(TraceEventTypes.RunBlocked, events[^1].Type);
        Assert.StartsWith("cost budget exceeded: the run has cost $", run.Reason, StringComparison.Ordinal);
        Assert.Contains("over its budget of $0.000001 (policies.costBudgetUsd)", run.Reason, StringComparison.Ordinal);
        Assert.Equal(run.Reason, events[^1].Attributes[TraceAttributes.Reason]);

        // The gate reports it: one failed cost-budget result, and the run's GateFailed event with what was spent and the
        // budget, journaled whether or not a module's validator (which may be running already) reported it first.
        var gate = Assert.Single(run.Gates, g => g.RuleId == GateRuleIds.CostBudget);
        Assert.True(gate.Blocks);
        var violation = Assert.Single(gate.Violations);
        Assert.Equal("policies.costBudgetUsd", violation.Path);
        Assert.Contains("over the budget of $0.000001", violation.Message, StringComparison.Ordinal);
        var failed = Assert.Single(events, e => e.Type == TraceEventTypes.GateFailed && e.Attributes[TraceAttributes.Rule] == GateRuleIds.CostBudget && e.Agent.Length == 0);
        Assert.Equal("0.000001", failed.Attributes[TraceAttributes.BudgetUsd]);
        Assert.True(Usd(failed, TraceAttributes.CostUsd) > 0.000001m);

        // Stopped while it went: the six modules' work was not all done, and nothing was released.
        Assert.Contains(run.Tasks, t => t.Status is PlanTaskStatus.Skipped or PlanTaskStatus.Pending);
        Assert.DoesNotContain(events, e => e.Type == TraceEventTypes.SkillStarted && e.Agent == AgentRoles.Release);
        Assert.True(events.IndexOf(failed) < events.FindLastIndex(e => e.Type == TraceEventTypes.SkillCompleted) || events.Count(e => e.Type == TraceEventTypes.SkillCompleted) < 10,
            "the run kept going long after it went over budget");
    }

    [Fact]
    public async Task ABudgetInWarnModeIsReportedOnceAndTheRunGoesOn()
    {
        var client = fixture.Cluster.Client;
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(RepositoryPaths.Sample("todo-service.yaml")));
        var rules = new SortedDictionary<string, RuleMode>(blueprint.Policies.Rules.ToDictionary(), StringComparer.Ordinal) { [GateRuleIds.CostBudget] = RuleMode.Warn };
        var warned = blueprint with { Policies = blueprint.Policies with { CostBudgetUsd = 0.000001m, Rules = rules } };

        var submission = await RunDriver.SubmitAsync(client, BlueprintCanonicalForm.ToJson(warned));
        var events = await RunDriver.WatchToEndAsync(client, submission.RunId);
        var run = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        Assert.Equal(RunStatus.Succeeded, run.Status);
        // The run journals its crossing once, with what was spent; a module's validator may warn of it too.
        var warning = Assert.Single(events, e => e.Type == TraceEventTypes.GateWarned && e.Attributes[TraceAttributes.Rule] == GateRuleIds.CostBudget && e.Agent.Length == 0);
        Assert.Equal("0.000001", warning.Attributes[TraceAttributes.BudgetUsd]);
        Assert.Single(run.Gates, g => g.RuleId == GateRuleIds.CostBudget && !g.Passed);
        Assert.DoesNotContain(events, e => e.Type == TraceEventTypes.GateFailed);
    }

    private static decimal Usd(TraceEvent e, string key) => decimal.Parse(e.Attributes[key], CultureInfo.InvariantCulture);
}
